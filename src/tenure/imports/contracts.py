"""Import contracts: upsert by contract_id, replacing lines and renewal links."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tenure.billing.models import Contract, ContractLine
from tenure.db.base import utcnow
from tenure.imports.bulk import (
    chunked,
    insert_many,
    insert_returning_ids,
    rows_where_in,
    update_many,
)
from tenure.imports.contract_rows import ContractRecord
from tenure.imports.lookups import created_note, ensure_accounts, ensure_plans
from tenure.imports.results import ImportResult

log = logging.getLogger(__name__)

_FIELDS = (
    "account_id",
    "currency",
    "start_date",
    "end_date",
    "signed_date",
    "renews_contract_id",
    "plan_id",
    "forecast_renewal_minor",
)
# Stands for the id of a contract that this import is about to create.
_NOT_YET = -1

Line = tuple[str, int]


def _existing(
    session: Session, external_ids: list[str]
) -> tuple[dict[str, dict[str, Any]], dict[int, list[Line]]]:
    """Load the stored contracts of ``external_ids`` with their lines."""
    columns = [Contract.external_id, Contract.id]
    columns += [getattr(Contract, name) for name in _FIELDS]
    contracts = {
        found.external_id: found._asdict()
        for found in rows_where_in(session, columns, Contract.external_id, external_ids)
    }
    lines: dict[int, list[Line]] = defaultdict(list)
    found_lines = rows_where_in(
        session,
        (
            ContractLine.contract_id,
            ContractLine.id,
            ContractLine.kind,
            ContractLine.amount_minor,
        ),
        ContractLine.contract_id,
        [found["id"] for found in contracts.values()],
    )
    for found in sorted(found_lines, key=lambda line: (line[0], line[1])):
        lines[found.contract_id].append((found.kind, found.amount_minor))
    return contracts, lines


def _lines(record: ContractRecord) -> list[Line]:
    """Return the lines a contract row describes: recurring, then one-time."""
    lines = [("recurring", record.amount_minor)]
    if record.one_time_minor is not None:
        lines.append(("one_time", record.one_time_minor))
    return lines


def apply(session: Session, records: list[ContractRecord]) -> ImportResult:
    """Create or update the contracts, with their accounts, plans and lines."""
    result = ImportResult("contracts")
    accounts, new_accounts = ensure_accounts(
        session, (record.customer for record in records)
    )
    if new_accounts:
        result.notes.append(
            created_note(len(new_accounts), "accounts", new_accounts, "customer_id")
        )
    plans, new_plans = ensure_plans(
        session, {record.plan: "month" for record in records if record.plan}
    )
    if new_plans:
        result.notes.append(created_note(len(new_plans), "plans", new_plans, "plan"))
    external_ids = [record.external_id for record in records]
    existing, lines = _existing(session, external_ids)
    targets = {record.renews for record in records if record.renews}
    target_ids = dict(
        rows_where_in(
            session, (Contract.external_id, Contract.id), Contract.external_id, targets
        )
    )
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    wanted: dict[str, list[Line]] = {}
    late_links: dict[str, str] = {}
    for record in records:
        renews = None
        if record.renews:
            renews = target_ids.get(record.renews, _NOT_YET)
        values: dict[str, Any] = {
            "external_id": record.external_id,
            "account_id": accounts[record.customer],
            "currency": record.currency,
            "start_date": record.start_date,
            "end_date": record.end_date,
            "signed_date": record.signed_date,
            "renews_contract_id": renews,
            "plan_id": plans[record.plan] if record.plan else None,
            "forecast_renewal_minor": record.forecast_renewal_minor,
        }
        old = existing.get(record.external_id)
        if old is not None:
            values["id"] = old["id"]
            if values == old and lines[old["id"]] == _lines(record):
                result.unchanged += 1
                continue
        if renews == _NOT_YET:
            values["renews_contract_id"] = None
            late_links[record.external_id] = str(record.renews)
        if old is None:
            result.created += 1
            inserts.append(values)
        else:
            result.updated += 1
            result.account_ids.add(old["account_id"])
            updates.append(values | {"updated_at": utcnow()})
        result.account_ids.add(values["account_id"])
        wanted[record.external_id] = _lines(record)
    ids = insert_returning_ids(session, Contract, inserts)
    update_many(session, Contract, updates)
    ids.update((values["external_id"], values["id"]) for values in updates)
    update_many(
        session,
        Contract,
        [
            {"id": ids[source], "renews_contract_id": ids[target]}
            for source, target in late_links.items()
        ],
    )
    _replace_lines(session, [values["id"] for values in updates], wanted, ids)
    return result


def _replace_lines(
    session: Session,
    replaced: list[int],
    wanted: dict[str, list[Line]],
    ids: dict[str, int],
) -> None:
    """Delete the lines of updated contracts, then write the lines of all written."""
    for batch in chunked(replaced):
        session.execute(
            delete(ContractLine)
            .where(ContractLine.contract_id.in_(batch))
            .execution_options(synchronize_session=False)
        )
    rows = [
        {"contract_id": ids[external_id], "kind": kind, "amount_minor": amount}
        for external_id, contract_lines in wanted.items()
        for kind, amount in contract_lines
    ]
    insert_many(session, ContractLine, rows)
    log.info("contracts: %d written, %d lines", len(wanted), len(rows))
