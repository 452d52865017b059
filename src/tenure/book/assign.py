"""Give unowned accounts an owner by the assignment rules, or show who would get them.

Rules are tried by position; the first active rule whose every condition matches
and that has someone to give to decides. "user" gives to that user while they
are active; "least_loaded" to the team member with the fewest active customers
(ties by name); "round_robin" to the member after the rule's last pick, which is
stored so that the turn carries over from one run to the next. An owned account
is never touched, so a rerun assigns nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.book import facts, rules
from tenure.book.changes import OwnerMove, change_owners, tell
from tenure.book.facts import AccountFacts, Person
from tenure.book.matching import Loads, least_loaded, matches, next_in_turn
from tenure.book.models import AssignmentRule
from tenure.book.schemas import NotFound
from tenure.revenue.loading import today

log = logging.getLogger(__name__)

Row = dict[str, Any]
# How many unmatched accounts a summary names; the count covers them all.
UNMATCHED_SHOWN = 100
_CHUNK = 500


@dataclass
class Pick:
    """Who an account goes to and by which rule (both None: no rule matched)."""

    account: AccountFacts
    rule: AssignmentRule | None = None
    person: Person | None = None


@dataclass
class AssignResult:
    """What an assignment run did (or, for a preview, would do)."""

    day: dt.date
    picks: list[Pick] = field(default_factory=list)

    @property
    def assigned(self) -> int:
        """How many accounts got (or would get) an owner."""
        return sum(1 for pick in self.picks if pick.person is not None)

    @property
    def unmatched(self) -> list[str]:
        """The external ids of the accounts no rule matched."""
        return [p.account.external_id for p in self.picks if p.person is None]

    def per_owner(self) -> dict[str, int]:
        """How many accounts each new owner got, by email."""
        counts = Counter(p.person.email for p in self.picks if p.person is not None)
        return dict(sorted(counts.items()))

    def rows(self) -> list[Row]:
        """One row per account: its fields, the rule and the person (or none)."""
        return [
            {
                "account_id": pick.account.external_id,
                "account_name": pick.account.name,
                **pick.account.fields,
                "rule_id": pick.rule.id if pick.rule else None,
                "rule": pick.rule.name if pick.rule else None,
                "to_id": pick.person.id if pick.person else None,
                "to": pick.person.email if pick.person else None,
                "to_name": pick.person.name if pick.person else None,
            }
            for pick in self.picks
        ]

    def details(self) -> dict[str, Any]:
        """A JSON-ready summary for a job run or the API (without the rows)."""
        return {
            "day": self.day.isoformat(),
            "accounts": len(self.picks),
            "assigned": self.assigned,
            "per_owner": self.per_owner(),
            "unmatched": len(self.unmatched),
            "unmatched_ids": self.unmatched[:UNMATCHED_SHOWN],
        }


class _Chooser:
    """Picks a person per rule, keeping loads and turns across one run."""

    def __init__(self, session: Session, active: list[AssignmentRule]) -> None:
        self.rules = active
        self.loads = Loads(facts.loads(session))
        self.turns = {rule.id: rule.last_user_id for rule in active}
        users = facts.people(session, [r.user_id for r in active])
        self.candidates: dict[int, list[Person]] = {}
        for rule in active:
            if rule.strategy == "user":
                user = users.get(rule.user_id or 0)
                found = [user] if user is not None and user.active else []
            else:
                found = facts.team_members(session, rule.team_id or 0)
            if not found:
                log.info("assignment rule %s has nobody active to give to", rule.name)
            self.candidates[rule.id] = found

    def pick(self, account: AccountFacts) -> Pick:
        for rule in self.rules:
            members = self.candidates[rule.id]
            if not members or not matches(rule.conditions or {}, account.fields):
                continue
            if rule.strategy == "round_robin":
                chosen = next_in_turn([m.id for m in members], self.turns[rule.id])
                self.turns[rule.id] = chosen
            else:
                chosen = least_loaded([(m.id, m.name) for m in members], self.loads)
            self.loads.give(chosen)
            return Pick(account, rule, next(m for m in members if m.id == chosen))
        return Pick(account)


def _plan(
    session: Session, account_ids: Collection[int] | None, day: dt.date
) -> tuple[AssignResult, _Chooser]:
    unowned = Account.owner_id.is_(None)
    accounts = facts.load_accounts(session, unowned, account_ids)
    chooser = _Chooser(session, rules.ordered(session, active_only=True))
    result = AssignResult(day, [chooser.pick(account) for account in accounts])
    return result, chooser


def account_ids_of(session: Session, external_ids: Collection[str]) -> list[int]:
    """The ids of accounts given by external id; NotFound names the first unknown."""
    wanted = list(dict.fromkeys(external_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        statement = select(Account.external_id, Account.id).where(
            Account.external_id.in_(wanted[start : start + _CHUNK])
        )
        found.update((key, id_) for key, id_ in session.execute(statement))
    for external_id in wanted:
        if external_id not in found:
            raise NotFound("account_ids", external_id, "no such account")
    return [found[external_id] for external_id in wanted]


def preview_assignment(
    session: Session,
    account_ids: Collection[int] | None = None,
    day: dt.date | None = None,
) -> AssignResult:
    """Who each unowned account (of ``account_ids``, or all) would go to; no writes."""
    result, _ = _plan(session, account_ids, day or today(session))
    return result


def assign_new_accounts(
    session: Session,
    account_ids: Collection[int] | None = None,
    day: dt.date | None = None,
) -> AssignResult:
    """Give the unowned accounts (of ``account_ids``, or all) their owners by rule.

    Owner history starts the first owner at the account's creation date when
    known; each new owner is notified once, with the count; each account gets a
    timeline entry naming the rule.
    """
    day = day or today(session)
    result, chooser = _plan(session, account_ids, day)
    moves = [
        OwnerMove(
            pick.account,
            pick.person.id,
            f"Assigned to {pick.person.name} by rule {pick.rule.name}",
            {"rule_id": pick.rule.id, "rule": pick.rule.name},
        )
        for pick in result.picks
        if pick.person is not None and pick.rule is not None
    ]
    change_owners(session, moves, day, None)
    for rule in chooser.rules:
        if (
            rule.strategy == "round_robin"
            and chooser.turns[rule.id] != rule.last_user_id
        ):
            rule.last_user_id = chooser.turns[rule.id]
    got: dict[int, tuple[Person, int]] = {}
    for pick in result.picks:
        if pick.person is not None:
            count = got.get(pick.person.id, (pick.person, 0))[1]
            got[pick.person.id] = (pick.person, count + 1)
    for person, count in got.values():
        tell(
            session,
            person,
            "book.notice_assigned",
            link=f"/customers?{urlencode({'owner': person.email})}",
            details={"accounts": count, "day": day.isoformat()},
            n=count,
        )
    session.flush()
    log.info(
        "assignment on %s: %d accounts assigned, %d matched no rule",
        day,
        result.assigned,
        len(result.unmatched),
    )
    return result
