"""Which accounts a reassignment moves and to whom, within the caller's scope.

A manager moves only the accounts owned by people in their scope, and only to
people in it (``tenure.auth.scope.owner_scope``); an admin moves any account to
anyone. An explicit account outside the scope is reported as not found.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts_service
from tenure.accounts.models import Account
from tenure.auth.scope import Forbidden, Principal
from tenure.book import facts
from tenure.book.facts import AccountFacts, Person
from tenure.book.schemas import NotFound, ReassignSpec, Selection
from tenure.segments import service as segments
from tenure.segments.schemas import SegmentError
from tenure.staff.models import StaffUser, Team

log = logging.getLogger(__name__)

Owners = frozenset[int] | None
_CHUNK = 500


def _in(column: ColumnElement[str | None], values: list[str]) -> ColumnElement[bool]:
    """The column is one of ``values``, compared without regard to case."""
    return func.lower(column).in_(sorted({value.lower() for value in values}))


def _explicit(
    session: Session, wanted: list[str], scope: ColumnElement[bool]
) -> set[int]:
    """The ids of the accounts with these external ids; NotFound for the first not
    in scope."""
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        statement = select(Account.external_id, Account.id).where(
            Account.external_id.in_(wanted[start : start + _CHUNK]), scope
        )
        found.update((key, id_) for key, id_ in session.execute(statement))
    for external_id in wanted:
        if external_id not in found:
            raise NotFound("account_ids", external_id, "no such account in your scope")
    return set(found.values())


def select_accounts(
    session: Session,
    selection: Selection,
    owners: Owners,
    day: dt.date,
    lock: bool = False,
) -> list[AccountFacts]:
    """The accounts in scope that every given part of ``selection`` keeps."""
    scope: ColumnElement[bool] = true()
    if owners is not None:
        scope = Account.owner_id.in_(sorted(owners))
    parts = [scope]
    if selection.from_owner:
        person = facts.person_by_email(session, selection.from_owner)
        if person is None:
            raise NotFound("from_owner", selection.from_owner, "no such staff user")
        parts.append(Account.owner_id == person.id)
    for name in ("region", "industry", "tier"):
        values: list[str] = getattr(selection, name)
        if values:
            parts.append(_in(getattr(Account, name), values))
    ids: Collection[int] | None = None
    if selection.account_ids:
        ids = _explicit(session, selection.account_ids, scope)
    if selection.segment:
        try:
            ids = segments.member_ids(session, selection.segment, day, ids)
        except SegmentError:
            raise NotFound("segment", selection.segment, "no such segment") from None
    return facts.load_accounts(session, and_(*parts), ids, lock=lock)


def _in_scope(person: Person, owners: Owners, field: str) -> None:
    if owners is not None and person.id not in owners:
        raise Forbidden(f"{field} {person.email!r} is outside your team")


def targets(
    session: Session, principal: Principal, spec: ReassignSpec, owners: Owners
) -> list[Person]:
    """The people a reassignment may give to: one user, or a team's active members.

    A manager's team target keeps only the members in their scope.
    """
    if spec.to is not None:
        person = facts.person_by_email(session, spec.to)
        if person is None or not person.active:
            raise NotFound("to", spec.to, "is not an active staff user")
        _in_scope(person, owners, "to")
        return [person]
    assert spec.team is not None
    team = facts.team_by_name(session, spec.team)
    if team is None:
        raise NotFound("team", spec.team, "no such team")
    members = facts.team_members(session, team[0])
    if owners is not None:
        members = [member for member in members if member.id in owners]
        if not members:
            log.info("%s may not give to team %s", principal.email, team[1])
            raise Forbidden(f"team {spec.team!r} is outside your team")
    if not members:
        raise NotFound("team", spec.team, "has no active CSM or manager")
    return members


def choices(session: Session, principal: Principal, owners: Owners) -> dict[str, Any]:
    """What a reassignment or rule form offers: people, teams, field values, segments.

    ``people`` are the active CSMs and managers in scope, by name (id, email,
    name); ``teams`` those with such a member (id, name).
    """
    statement = (
        select(StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.team_id)
        .where(StaffUser.is_active.is_(True), StaffUser.role.in_(facts.OWNER_ROLES))
        .order_by(StaffUser.name, StaffUser.id)
    )
    people: list[dict[str, Any]] = []
    team_ids: set[int] = set()
    for user_id, email, name, team_id in session.execute(statement):
        if owners is None or user_id in owners:
            people.append({"id": user_id, "email": email, "name": name})
            if team_id is not None:
                team_ids.add(team_id)
    teams = [
        {"id": team_id, "name": name}
        for team_id, name in session.execute(
            select(Team.id, Team.name).order_by(Team.name)
        )
        if team_id in team_ids
    ]
    log.debug("form choices for %s: %d people", principal.email, len(people))
    return {
        "people": people,
        "teams": teams,
        "values": accounts_service.filter_options(session, owners),
        "segments": segments.segment_choices(session),
    }
