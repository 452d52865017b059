"""What the team figures read: whose figures a caller sees, and the stored facts.

A view is a set of people (``None``: everyone, accounts without an owner
included). The accounts read for a view are those any of its people ever owned:
currently or in a row of the owner history, so that an account reassigned away
still shows what happened while they held it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, true, union
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.accounts.ownership import OwnerTimeline, Span
from tenure.auth.scope import Forbidden, Principal, owner_scope, require
from tenure.revenue.bridge import MoveRow
from tenure.revenue.models import MrrMovement, RenewalTerm
from tenure.staff.models import StaffUser, Team
from tenure.team.attribution import Opening

log = logging.getLogger(__name__)

# Roles listed as people of a view even when they own nothing.
PEOPLE_ROLES = ("csm", "manager")
COMPARING_ROLES = frozenset({"admin", "executive"})


class TeamError(ValueError):
    """A team figure was asked for with a parameter that cannot work."""


@dataclass(frozen=True)
class View:
    """Whose figures a caller sees: ``people`` (None: everyone and nobody)."""

    people: frozenset[int] | None
    team_id: int | None = None

    def shows(self, owner: int | None) -> bool:
        """Tell whether an owner's (None: nobody's) figures are in the view."""
        if self.people is None:
            return True
        return owner is not None and owner in self.people


@dataclass(frozen=True)
class Person:
    """A staff user as the team figures name them."""

    id: int
    name: str
    email: str
    role: str
    team_id: int | None
    is_active: bool


@dataclass(frozen=True)
class Directory:
    """Every staff user and team, by id."""

    people: dict[int, Person]
    teams: dict[int, str]

    def team_of(self, owner: int | None) -> int | None:
        """The current team of an owner (None: no team, or no owner)."""
        person = self.people.get(owner) if owner is not None else None
        return person.team_id if person is not None else None


def directory(session: Session) -> Directory:
    """Read every staff user and team."""
    people = {
        row[0]: Person(*row)
        for row in session.execute(
            select(
                StaffUser.id, StaffUser.name, StaffUser.email, StaffUser.role,
                StaffUser.team_id, StaffUser.is_active,
            )
        )
    }  # fmt: skip
    teams = {row[0]: row[1] for row in session.execute(select(Team.id, Team.name))}
    return Directory(people, teams)


def view_for(session: Session, principal: Principal, team_id: int | None) -> View:
    """The people ``principal`` sees, within team ``team_id`` if given.

    Raises Forbidden without the "view_team" permission or for a team outside
    the caller's scope, TeamError for an unknown team.
    """
    require(principal, "view_team")
    scope = owner_scope(session, principal)
    if team_id is None:
        return View(scope)
    team = session.get(Team, team_id)
    if team is None:
        raise TeamError(f"team {team_id}: no such team")
    in_team = select(StaffUser.id).where(StaffUser.team_id == team_id)
    members = set(session.scalars(in_team))
    if team.manager_id is not None:
        members.add(team.manager_id)
    if scope is not None:
        members &= scope
        if not members:
            raise Forbidden(f"team {team_id} ({team.name}) is outside your scope")
    return View(frozenset(members), team_id)


def require_comparison(principal: Principal) -> None:
    """Raise Forbidden unless the caller may compare teams (admins, executives)."""
    require(principal, "view_team")
    if principal.role not in COMPARING_ROLES:
        raise Forbidden(f"the {principal.role} role may not compare teams")


def _ever_owned(people: frozenset[int]) -> Any:
    """The ids of accounts any of ``people`` owns or ever owned, as a subquery."""
    ids = sorted(people)
    return union(
        select(Account.id).where(Account.owner_id.in_(ids)),
        select(AccountOwnerHistory.account_id).where(
            AccountOwnerHistory.owner_id.in_(ids)
        ),
    ).subquery()


def _accounts(view: View, column: Any) -> ColumnElement[bool]:
    """A condition keeping rows whose account ``column`` the view reads."""
    if view.people is None:
        return true()
    if not view.people:
        return column.in_([])
    owned = _ever_owned(view.people)
    return column.in_(select(owned.c[0]))


def timeline(session: Session, view: View) -> OwnerTimeline:
    """The owner history of the accounts the view reads.

    An account whose history is one open row had that owner on every day, which
    is what the timeline says of an account without history; it is kept that way
    (a lookup instead of a search per question asked).
    """
    rows = session.execute(
        select(
            AccountOwnerHistory.account_id, AccountOwnerHistory.owner_id,
            AccountOwnerHistory.start_date, AccountOwnerHistory.end_date,
        ).where(_accounts(view, AccountOwnerHistory.account_id))
    )  # fmt: skip
    grouped: dict[int, list[Span]] = defaultdict(list)
    for account, owner, start, end in rows:
        grouped[account].append((account, owner, start, end))
    current = {
        r[0]: r[1]
        for r in session.execute(
            select(Account.id, Account.owner_id).where(_accounts(view, Account.id))
        )
    }
    spans: list[Span] = []
    for account, found in grouped.items():
        if len(found) == 1 and found[0][3] is None:
            current[account] = found[0][1]
        else:
            spans.extend(found)
    return OwnerTimeline(spans, current)


def opening(session: Session, view: View, day: dt.date) -> Opening:
    """Each account's MRR and paying state at the start of ``day``, from movements."""
    joined = case((MrrMovement.kind.in_(("new", "reactivation")), 1), else_=0)
    left = case((MrrMovement.kind == "churn", 1), else_=0)
    query = (
        select(
            MrrMovement.account_id,
            func.sum(MrrMovement.amount_minor),
            func.sum(joined) - func.sum(left),
        )
        .where(MrrMovement.date < day, _accounts(view, MrrMovement.account_id))
        .group_by(MrrMovement.account_id)
    )
    state: dict[int, tuple[int, bool]] = {}
    for account, mrr, paying in session.execute(query):
        if mrr or paying > 0:
            state[account] = (int(mrr), paying > 0)
    return state


def moves(session: Session, view: View, first: dt.date, last: dt.date) -> list[MoveRow]:
    """The movements dated ``first..last`` (inclusive) of the accounts read."""
    query = (
        select(
            MrrMovement.account_id, MrrMovement.date, MrrMovement.kind,
            MrrMovement.amount_minor,
        )
        .where(
            MrrMovement.date >= first, MrrMovement.date <= last,
            _accounts(view, MrrMovement.account_id),
        )
        .order_by(MrrMovement.date, MrrMovement.id)
    )  # fmt: skip
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]


@dataclass(frozen=True, slots=True)
class TermRow:
    """A renewal term as the team figures need it, amounts in minor units."""

    account: int
    due_date: dt.date
    outcome: str
    due: int
    renewed: int
    forecast: int


def terms(session: Session, view: View, first: dt.date, last: dt.date) -> list[TermRow]:
    """The renewal terms due ``first..last`` (inclusive) of the accounts read."""
    query = select(
        RenewalTerm.account_id, RenewalTerm.due_date, RenewalTerm.outcome,
        RenewalTerm.due_amount_minor, RenewalTerm.renewed_amount_minor,
        RenewalTerm.forecast_amount_minor,
    ).where(
        RenewalTerm.due_date >= first, RenewalTerm.due_date <= last,
        _accounts(view, RenewalTerm.account_id),
    )  # fmt: skip
    return [
        TermRow(r[0], r[1], r[2], r[3], r[4], r[5] or 0) for r in session.execute(query)
    ]
