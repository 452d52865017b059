"""Move accounts to other owners in bulk: preview first, then apply what was shown.

A preview lists each account with its owner now, who gets it, its MRR and the
open tasks that follow it, and totals per receiving owner. Applying takes the
preview's moves back and refuses (``Stale``) when they no longer hold; otherwise
it writes everything in the caller's transaction: owners, owner history from the
day, the tasks that follow, a timeline entry per account, one notice to each
person who gains or loses accounts. An account going to its own owner is left
as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from tenure.auth.scope import Principal, owner_scope, require
from tenure.book import facts
from tenure.book.changes import OwnerMove, change_owners, tell
from tenure.book.facts import AccountFacts, Person
from tenure.book.matching import Loads, least_loaded
from tenure.book.schemas import (
    ApplySpec,
    BookError,
    Move,
    ReassignSpec,
    Stale,
    validated,
)
from tenure.book.selection import select_accounts, targets
from tenure.revenue.loading import today
from tenure.settings import service as settings

log = logging.getLogger(__name__)

Row = dict[str, Any]
# Tenure itself, as the command line acts: an admin who is nobody, so that the
# timeline names no author.
TENURE = Principal(
    user_id=0, email="tenure", name="Tenure", role="admin", team_id=None, locale=None
)


@dataclass
class ReassignPreview:
    """The moves of a reassignment and the accounts that already sit right."""

    day: dt.date
    currency: str
    moves: list[Row] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def totals(self) -> list[Row]:
        """Per receiving owner: how many accounts and how much MRR they gain."""
        found: dict[int, Row] = {}
        for move in self.moves:
            row = found.setdefault(
                move["to_id"],
                {
                    "owner_id": move["to_id"],
                    "owner": move["to"],
                    "name": move["to_name"],
                    "accounts": 0,
                    "mrr_minor": 0,
                },
            )
            row["accounts"] += 1
            row["mrr_minor"] += move["mrr_minor"]
        return sorted(found.values(), key=lambda row: (row["name"], row["owner_id"]))

    def details(self) -> dict[str, Any]:
        """The preview as JSON-ready data: moves, totals, unchanged accounts."""
        return {
            "day": self.day.isoformat(),
            "currency": self.currency,
            "count": len(self.moves),
            "mrr_minor": sum(move["mrr_minor"] for move in self.moves),
            "open_tasks": sum(move["open_tasks"] for move in self.moves),
            "moves": self.moves,
            "totals": self.totals(),
            "unchanged": self.unchanged,
        }


def _day(session: Session, spec: ReassignSpec) -> dt.date:
    now = today(session)
    if spec.day is not None and spec.day > now:
        raise BookError("day", spec.day, f"is after today ({now})")
    return spec.day or now


def _spread(
    session: Session, spec: ReassignSpec, accounts: list[AccountFacts], to: list[Person]
) -> list[tuple[AccountFacts, Person]]:
    """Who gets each account: the one target, or a team's least loaded (or evenly).

    Bigger accounts are shared out first, so that the MRR spreads as well. When
    the selection names the owner the accounts come from, that owner is not
    one of the team members they go to.
    """
    if spec.team is not None and spec.from_owner:
        leaving = spec.from_owner.strip().lower()
        to = [person for person in to if person.email.lower() != leaving]
        if not to:
            raise BookError("team", spec.team, "has nobody but the current owner")
    if len(to) == 1:
        return [(account, to[0]) for account in accounts]
    loads = Loads(facts.loads(session) if spec.spread == "least_loaded" else {})
    members = [(person.id, person.name) for person in to]
    by_id = {person.id: person for person in to}
    given: dict[int, Person] = {}
    for account in sorted(accounts, key=lambda a: (-a.mrr_minor, a.external_id)):
        chosen = least_loaded(members, loads)
        if spec.spread == "even":
            loads.give(chosen)
        elif chosen != account.owner_id:
            loads.give(chosen, account.owner_id)
        given[account.id] = by_id[chosen]
    return [(account, given[account.id]) for account in accounts]


def _preview(
    session: Session, principal: Principal, spec: ReassignSpec, lock: bool
) -> tuple[ReassignPreview, list[tuple[AccountFacts, Person]]]:
    require(principal, "manage_book")
    owners = owner_scope(session, principal)
    day = _day(session, spec)
    to = targets(session, principal, spec, owners)
    accounts = select_accounts(session, spec, owners, day, lock=lock)
    pairs = _spread(session, spec, accounts, to)
    preview = ReassignPreview(day, str(settings.get(session, "reporting_currency")))
    moving = [(a, p) for a, p in pairs if a.owner_id != p.id]
    preview.unchanged = [a.external_id for a, p in pairs if a.owner_id == p.id]
    holders = facts.people(session, [account.owner_id for account, _ in moving])
    tasks = facts.following_tasks(session, {a.id: a.owner_id for a, _ in moving})
    for account, person in moving:
        holder = holders.get(account.owner_id or 0)
        preview.moves.append(
            {
                "account_id": account.external_id,
                "account_name": account.name,
                **account.fields,
                "from_id": account.owner_id,
                "from": holder.email if holder else None,
                "from_name": holder.name if holder else None,
                "to_id": person.id,
                "to": person.email,
                "to_name": person.name,
                "mrr_minor": account.mrr_minor,
                "open_tasks": tasks.get(account.id, 0),
            }
        )
    return preview, moving


def preview_reassignment(
    session: Session, principal: Principal, spec: ReassignSpec | Mapping[str, Any]
) -> ReassignPreview:
    """What a reassignment would do; nothing is written."""
    checked = validated(ReassignSpec, spec, "reassignment")
    return _preview(session, principal, checked, lock=False)[0]


def _differences(now: list[Row], expected: list[Move]) -> list[str]:
    """What changed between the preview that was shown and the one of now."""
    current = {row["account_id"]: row for row in now}
    shown = {move.account_id: move for move in expected}
    changes = [
        f"account '{key}' is no longer in the selection"
        for key in shown
        if key not in current
    ]
    changes += [f"account '{key}' is now in the selection" for key in current
                if key not in shown]  # fmt: skip
    for key, move in shown.items():
        row = current.get(key)
        if row is None:
            continue
        if row["from_id"] != move.from_id:
            changes.append(f"account '{key}' is now owned by {row['from'] or 'nobody'}")
        elif row["to_id"] != move.to_id:
            changes.append(f"account '{key}' would now go to {row['to']}")
    return changes


@dataclass
class ReassignResult:
    """What a reassignment did: the preview it applied and who was told."""

    preview: ReassignPreview
    notified: int = 0

    def details(self) -> dict[str, Any]:
        """A JSON-ready summary: how many moved, totals, notices sent."""
        done = self.preview.details()
        return {
            "day": done["day"],
            "moved": done["count"],
            "mrr_minor": done["mrr_minor"],
            "open_tasks": done["open_tasks"],
            "currency": done["currency"],
            "totals": done["totals"],
            "unchanged": done["unchanged"],
            "notified": self.notified,
        }


def reassign(
    session: Session, principal: Principal, spec: ApplySpec | Mapping[str, Any]
) -> ReassignResult:
    """Apply a previewed reassignment, or raise Stale saying what changed since."""
    checked = validated(ApplySpec, spec, "reassignment")
    preview, moving = _preview(session, principal, checked, lock=True)
    changes = _differences(preview.moves, checked.expected)
    if changes:
        log.info("reassignment by %s refused: %s", principal.email, changes[0])
        raise Stale(changes)
    reason = (checked.reason or "").strip()
    holders = facts.people(session, [account.owner_id for account, _ in moving])
    moves = []
    for account, person in moving:
        holder = holders.get(account.owner_id or 0)
        subject = f"Reassigned from {holder.name if holder else 'nobody'} to "
        subject += person.name + (f": {reason}" if reason else "")
        moves.append(OwnerMove(account, person.id, subject, {"reason": reason}))
    change_owners(session, moves, preview.day, principal.user_id or None)
    result = ReassignResult(preview)
    result.notified = _tell(session, preview, holders, reason)
    log.info(
        "%s reassigned %d accounts from %s",
        principal.email,
        len(moves),
        preview.day,
        extra={"accounts": [move["account_id"] for move in preview.moves]},
    )
    return result


def _tell(
    session: Session, preview: ReassignPreview, holders: dict[int, Person], reason: str
) -> int:
    """One notice to each person who gains accounts and each who loses some."""
    gained = {row["owner_id"]: row["accounts"] for row in preview.totals()}
    lost: dict[int, int] = {}
    for move in preview.moves:
        if move["from_id"] is not None:
            lost[move["from_id"]] = lost.get(move["from_id"], 0) + 1
    people = {**holders, **facts.people(session, gained)}
    told = 0
    body = reason or None
    for person_id, count in gained.items():
        person = people[person_id]
        tell(
            session,
            person,
            "book.notice_received",
            link=f"/customers?{urlencode({'owner': person.email})}",
            body=body,
            details={"accounts": count, "day": preview.day.isoformat()},
            n=count,
        )
        told += int(person.active)
    for person_id, count in lost.items():
        person = people[person_id]
        tell(
            session,
            person,
            "book.notice_lost",
            link="/workbench",
            body=body,
            details={"accounts": count, "day": preview.day.isoformat()},
            n=count,
        )
        told += int(person.active)
    return told
