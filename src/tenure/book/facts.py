"""What assignment and reassignment read: accounts' fields, people, their books.

Reads only; nothing here writes. An account's "load" is how many active
customers (MRR above zero today) its owner has.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan
from tenure.revenue.models import AccountRevenue
from tenure.segments.facts import id_in
from tenure.staff.models import StaffUser, Team
from tenure.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

# The roles whose members a team strategy hands accounts to.
OWNER_ROLES = ("csm", "manager")


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """An account as the rules see it: its fields, owner, creation date and MRR."""

    id: int
    external_id: str
    name: str
    owner_id: int | None
    created: dt.date | None
    fields: Mapping[str, str | None]
    mrr_minor: int


@dataclass(frozen=True, slots=True)
class Person:
    """A staff user who may be given accounts, or who had them."""

    id: int
    email: str
    name: str
    locale: str | None
    active: bool


def load_accounts(
    session: Session,
    where: ColumnElement[bool] | None = None,
    ids: Collection[int] | None = None,
    lock: bool = False,
) -> list[AccountFacts]:
    """The accounts meeting ``where`` (and among ``ids``), by external id.

    ``lock`` holds the account rows until the transaction ends (PostgreSQL).
    """
    statement = (
        select(
            Account.id,
            Account.external_id,
            Account.name,
            Account.owner_id,
            Account.source_created_at,
            Account.region,
            Account.industry,
            Account.tier,
            Account.size,
            Plan.external_id,
            func.coalesce(AccountRevenue.mrr_minor, 0),
        )
        .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
        .outerjoin(Plan, Plan.id == AccountRevenue.plan_id)
        .where(true() if where is None else where)
        .order_by(Account.external_id)
    )
    if ids is not None:
        if not ids:
            return []
        statement = statement.where(id_in(Account.id, ids))
    if lock:
        statement = statement.with_for_update(of=Account)
    return [
        AccountFacts(
            id=row[0],
            external_id=row[1],
            name=row[2],
            owner_id=row[3],
            created=row[4],
            fields={
                "region": row[5],
                "industry": row[6],
                "tier": row[7],
                "size": row[8],
                "plan": row[9],
            },
            mrr_minor=int(row[10]),
        )
        for row in session.execute(statement)
    ]


def loads(session: Session) -> dict[int, int]:
    """How many active customers each owner has today, by staff id."""
    statement = (
        select(Account.owner_id, func.count())
        .join(AccountRevenue, AccountRevenue.account_id == Account.id)
        .where(Account.owner_id.is_not(None), AccountRevenue.active.is_(True))
        .group_by(Account.owner_id)
    )
    return {
        owner: int(count)
        for owner, count in session.execute(statement)
        if owner is not None
    }


def _person(user: StaffUser) -> Person:
    return Person(user.id, user.email, user.name, user.locale, user.is_active)


def people(session: Session, ids: Collection[int | None]) -> dict[int, Person]:
    """Staff users by id, active or not."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    found = session.scalars(select(StaffUser).where(StaffUser.id.in_(wanted)))
    return {user.id: _person(user) for user in found}


def team_members(session: Session, team_id: int) -> list[Person]:
    """The people a team's accounts are spread over: its active CSMs, by name.

    A team without active CSMs falls back on its managers (its lead too), so that
    its accounts still find an owner; leads are otherwise left out, as they would
    always look least loaded.
    """
    lead = select(Team.manager_id).where(Team.id == team_id).scalar_subquery()
    statement = (
        select(StaffUser)
        .where(
            or_(StaffUser.team_id == team_id, StaffUser.id == lead),
            StaffUser.is_active.is_(True),
            StaffUser.role.in_(OWNER_ROLES),
        )
        .order_by(StaffUser.name, StaffUser.id)
    )
    found = list(session.scalars(statement))
    csms = [user for user in found if user.role == "csm"]
    return [_person(user) for user in csms or found]


def person_by_email(session: Session, email: str) -> Person | None:
    """The staff user with ``email`` (case-insensitive), active or not."""
    found = session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    return None if found is None else _person(found)


def team_by_name(session: Session, name: str) -> tuple[int, str] | None:
    """The id and name of the team called ``name`` (case-insensitive)."""
    found = session.execute(
        select(Team.id, Team.name).where(func.lower(Team.name) == name.strip().lower())
    ).first()
    return None if found is None else (found[0], found[1])


def following_tasks(
    session: Session, owners: Mapping[int, int | None]
) -> dict[int, int]:
    """How many open tasks follow each account to its new owner.

    ``owners`` maps an account id to its current owner; the tasks that follow are
    the open, non-personal ones assigned to that owner or to nobody (as
    ``tenure.tasks.changes.follow_owner`` moves them).
    """
    if not owners:
        return {}
    statement = select(Task.account_id, Task.assignee_id).where(
        id_in(Task.account_id, owners),
        Task.status.in_(OPEN_STATUSES),
        Task.personal.is_(False),
    )
    counts: dict[int, int] = {}
    for account, assignee in session.execute(statement):
        if assignee is None or assignee == owners[account]:
            counts[account] = counts.get(account, 0) + 1
    return counts
