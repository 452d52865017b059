"""Import accounts: upsert by account_id, with owners, tags and custom attributes."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.imports.bulk import (
    chunked,
    insert_returning_ids,
    rows_where_in,
    update_many,
)
from tenure.imports.cells import Row
from tenure.imports.columns import Columns, Header
from tenure.imports.lookups import created_note
from tenure.imports.owners import OwnerChange, record_owner_changes
from tenure.imports.results import ImportResult
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

COLUMNS = Columns(
    required=("account_id", "name"),
    optional=(
        "industry",
        "region",
        "size",
        "tier",
        "tags",
        "owner_email",
        "created_at",
    ),
)
_TEXT_FIELDS = (("industry", 100), ("region", 100), ("size", 50), ("tier", 50))
_FIELDS = ("name", "industry", "region", "size", "tier", "tags", "source_created_at")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_TAG_SPLIT = re.compile(r"[;|]")


@dataclass
class AccountRow:
    """One validated account row; ``fields`` holds only the columns the file has."""

    number: int
    external_id: str
    fields: dict[str, Any]
    has_owner: bool
    owner_email: str | None  # as written; matched case-insensitively
    attributes: dict[str, str | None]


def split_tags(text: str | None) -> list[str]:
    """Split ``a; b | c`` into distinct tags, keeping their order."""
    if not text:
        return []
    tags = (tag.strip() for tag in _TAG_SPLIT.split(text))
    return list(dict.fromkeys(tag for tag in tags if tag))


def parse(rows: Iterable[Row], header: Header) -> list[AccountRow]:
    """Validate every account row; problems are recorded on the rows."""
    present = header.present
    seen: dict[str, int] = {}
    parsed: list[AccountRow] = []
    for row in rows:
        external_id = row.text("account_id", required=True)
        fields: dict[str, Any] = {
            "name": row.text("name", required=True, max_length=300)
        }
        for column, length in _TEXT_FIELDS:
            if column in present:
                fields[column] = row.text(column, max_length=length)
        if "tags" in present:
            fields["tags"] = split_tags(row.values.get("tags"))
        if "created_at" in present:
            fields["source_created_at"] = row.date("created_at")
        email = row.text("owner_email", max_length=320)
        if email is not None and not _EMAIL.fullmatch(email):
            row.problem("owner_email", "is not an email address")
        attributes = {title: row.values.get(title) for title in header.extra}
        if external_id is None:
            continue
        if external_id in seen:
            row.problem("account_id", f"repeats row {seen[external_id]}")
            continue
        seen[external_id] = row.number
        parsed.append(
            AccountRow(
                row.number,
                external_id,
                fields,
                "owner_email" in present,
                email,
                attributes,
            )
        )
    return parsed


def _staff_ids(
    session: Session, emails: dict[str, str], result: ImportResult
) -> dict[str, int]:
    """Return staff ids by lower-case email, creating csm users for unknown ones.

    ``emails`` maps each lower-case email to the spelling first seen in the file; a new
    user's name is the part of that spelling before the @.
    """
    lowered = func.lower(StaffUser.email)
    ids: dict[str, int] = {}
    for batch in chunked(sorted(emails)):
        ids.update(
            session.execute(
                select(lowered, StaffUser.id).where(lowered.in_(batch))
            ).all()
        )
    missing = [email for email in emails if email not in ids]
    if missing:
        rows = [
            {"email": email, "name": emails[email].split("@", 1)[0], "role": "csm"}
            for email in missing
        ]
        ids.update(insert_returning_ids(session, StaffUser, rows, "email"))
        result.notes.append(
            created_note(len(missing), "staff users", missing, "owner_email")
        )
    return ids


def apply(session: Session, parsed: list[AccountRow], today: dt.date) -> ImportResult:
    """Create or update the accounts and their owner history."""
    result = ImportResult("accounts")
    columns = (
        Account.external_id,
        Account.id,
        Account.owner_id,
        *(getattr(Account, name) for name in (*_FIELDS, "custom_attributes")),
    )
    existing = {
        found.external_id: found._asdict()
        for found in rows_where_in(
            session, columns, Account.external_id, [item.external_id for item in parsed]
        )
    }
    emails: dict[str, str] = {}
    for item in parsed:
        if item.owner_email:
            emails.setdefault(item.owner_email.lower(), item.owner_email)
    staff = _staff_ids(session, emails, result) if emails else {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    changes: list[OwnerChange] = []
    for item in parsed:
        old = existing.get(item.external_id)
        base = old or {
            "external_id": item.external_id,
            "industry": None,
            "region": None,
            "size": None,
            "tier": None,
            "tags": [],
            "source_created_at": None,
            "owner_id": None,
            "custom_attributes": {},
        }
        new = {**base, **item.fields}
        attributes = dict(base["custom_attributes"] or {})
        for key, value in item.attributes.items():
            if value is None:
                attributes.pop(key, None)
            else:
                attributes[key] = value
        new["custom_attributes"] = attributes
        if item.has_owner:
            email = item.owner_email
            new["owner_id"] = staff[email.lower()] if email else None
        if old is None:
            result.created += 1
            inserts.append(new)
        elif new == old:
            result.unchanged += 1
            continue
        else:
            result.updated += 1
            updates.append({**new, "updated_at": utcnow()})
        if new["owner_id"] != base["owner_id"]:
            changes.append(
                OwnerChange(
                    item.external_id,
                    base["owner_id"],
                    new["owner_id"],
                    new["source_created_at"],
                )
            )
    ids = {item["external_id"]: item["id"] for item in updates}
    ids.update(insert_returning_ids(session, Account, inserts))
    update_many(session, Account, updates)
    record_owner_changes(session, changes, ids, today)
    unowned = [ids[row["external_id"]] for row in inserts if row["owner_id"] is None]
    if unowned:
        # Imported here: the book writes owner history through this package.
        from tenure.book.assign import assign_new_accounts

        done = assign_new_accounts(session, unowned, today)
        result.notes.append(
            f"assigned {done.assigned} new accounts by rule; "
            f"{len(done.unmatched)} matched no rule"
        )
    return result
