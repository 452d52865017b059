"""What a briefing reports, read set-based for one scope and one day.

A scope is the set of staff whose accounts someone sees (``None``: everyone's); an
account is in scope when it is currently owned by one of them, as everywhere else in
Tenure. Every read filters by date first (movements of one day, terms due in a
window, tasks due by a day) so that a large company is never read in full; health
falls are read in ``tenure.briefing.falls``.
The mobile pages read through the same functions, so a page shows what the
briefing counted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.scope import Principal, owner_scope
from tenure.revenue.models import AccountRevenue, MrrMovement, RenewalTerm
from tenure.revenue.renewals import OPEN
from tenure.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

AnySelect = Select[*tuple[Any, ...]]
Query = TypeVar("Query", bound=AnySelect)

RENEWAL_DAYS = 30
WEEK_DAYS = 7


@dataclass(frozen=True)
class Scope:
    """Whose accounts a reader sees: ``people`` None means the whole company."""

    name: str
    people: frozenset[int] | None

    def accounts(self) -> ColumnElement[bool]:
        """A condition on ``Account`` keeping the accounts in scope."""
        if self.people is None:
            return true()
        return Account.owner_id.in_(sorted(self.people))


def scope_of(session: Session, principal: Principal) -> Scope:
    """The scope of ``principal``: company, their team(s) or their own book."""
    people = owner_scope(session, principal)
    if people is None:
        return Scope("company", None)
    if principal.role == "manager":
        return Scope("team", people)
    return Scope("book", people)


def scoped(statement: Query, scope: Scope) -> Query:
    """Restrict a statement that joins ``Account`` to the scope (a no-op for all)."""
    return statement if scope.people is None else statement.where(scope.accounts())


@dataclass(frozen=True)
class Movement:
    """One customer's MRR movement on a day."""

    external_id: str
    name: str
    kind: str
    amount: int
    mrr_after: int


def movements_on(
    session: Session, scope: Scope, day: dt.date, kinds: tuple[str, ...] = ()
) -> list[Movement]:
    """The movements dated ``day`` in scope, biggest change first."""
    statement = (
        select(
            Account.external_id,
            Account.name,
            MrrMovement.kind,
            MrrMovement.amount_minor,
            MrrMovement.mrr_after_minor,
        )
        .join(Account, Account.id == MrrMovement.account_id)
        .where(MrrMovement.date == day)
    )
    if kinds:
        statement = statement.where(MrrMovement.kind.in_(kinds))
    statement = statement.order_by(
        func.abs(MrrMovement.amount_minor).desc(), Account.name, Account.id
    )
    return [
        Movement(row[0], row[1], row[2], int(row[3]), int(row[4]))
        for row in session.execute(scoped(statement, scope))
    ]


def mrr_now(session: Session, scope: Scope) -> int:
    """Today's MRR of the accounts in scope, in reporting minor units."""
    statement = select(func.coalesce(func.sum(AccountRevenue.mrr_minor), 0)).where(
        AccountRevenue.active.is_(True)
    )
    if scope.people is not None:
        statement = statement.join(
            Account, Account.id == AccountRevenue.account_id
        ).where(scope.accounts())
    return int(session.scalar(statement) or 0)


@dataclass(frozen=True)
class Renewal:
    """An open renewal term and whether it is already past due."""

    external_id: str
    name: str
    due_date: dt.date
    amount: int
    overdue: bool


@dataclass(frozen=True)
class RenewalCounts:
    """How many open terms are due, and for how much, in the window."""

    total: int
    amount: int
    overdue: int
    this_week: int


def _renewal_window(day: dt.date) -> ColumnElement[bool]:
    """Open terms due by ``day`` + RENEWAL_DAYS, including overdue ones."""
    end = day + dt.timedelta(days=RENEWAL_DAYS)
    return and_(RenewalTerm.outcome == OPEN, RenewalTerm.due_date <= end)


def renewal_counts(session: Session, scope: Scope, day: dt.date) -> RenewalCounts:
    """Count the open terms due in the window, overdue ones and this week's."""
    week_end = day + dt.timedelta(days=WEEK_DAYS)
    due = RenewalTerm.due_date
    statement = (
        select(
            func.count(),
            func.coalesce(func.sum(RenewalTerm.due_amount_minor), 0),
            func.count().filter(due < day),
            func.count().filter(due >= day, due < week_end),
        )
        .select_from(RenewalTerm)
        .join(Account, Account.id == RenewalTerm.account_id)
        .where(_renewal_window(day))
    )
    row = session.execute(scoped(statement, scope)).one()
    return RenewalCounts(int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def renewals_due(
    session: Session, scope: Scope, day: dt.date, limit: int | None = None
) -> list[Renewal]:
    """Open terms due in the window (overdue ones too), biggest amount first."""
    statement = (
        select(
            Account.external_id,
            Account.name,
            RenewalTerm.due_date,
            RenewalTerm.due_amount_minor,
        )
        .join(Account, Account.id == RenewalTerm.account_id)
        .where(_renewal_window(day))
        .order_by(
            RenewalTerm.due_amount_minor.desc(), RenewalTerm.due_date, RenewalTerm.id
        )
        .limit(limit)
    )
    return [
        Renewal(row[0], row[1], row[2], int(row[3]), row[2] < day)
        for row in session.execute(scoped(statement, scope))
    ]


@dataclass(frozen=True)
class TaskDue:
    """An open task due on or before the day."""

    id: int
    title: str
    account: str
    external_id: str
    due_on: dt.date
    priority: str


def _own_open_due(user_id: int, day: dt.date) -> list[ColumnElement[bool]]:
    """Conditions on ``Task``: the user's open tasks due on or before ``day``."""
    return [
        Task.assignee_id == user_id,
        Task.status.in_(OPEN_STATUSES),
        Task.due_on <= day,
    ]


def tasks_due(
    session: Session, user_id: int, day: dt.date, limit: int | None = None
) -> tuple[list[TaskDue], int]:
    """The user's own open tasks due on or before ``day``, oldest first, and count."""
    statement = (
        select(
            Task.id,
            Task.title,
            Account.name,
            Account.external_id,
            Task.due_on,
            Task.priority,
        )
        .join(Account, Account.id == Task.account_id)
        .where(*_own_open_due(user_id, day))
        .order_by(Task.due_on, Task.id)
        .limit(limit)
    )
    rows = [
        TaskDue(row[0], row[1], row[2], row[3], row[4] or day, row[5])
        for row in session.execute(statement)
    ]
    total = session.scalar(select(func.count()).where(*_own_open_due(user_id, day)))
    return rows, int(total or 0)


def team_overdue(session: Session, scope: Scope, day: dt.date) -> int:
    """How many open tasks of the people in scope were due before ``day``."""
    statement = select(func.count()).where(
        Task.status.in_(OPEN_STATUSES), Task.due_on < day
    )
    if scope.people is not None:
        statement = statement.where(Task.assignee_id.in_(sorted(scope.people)))
    return int(session.scalar(statement) or 0)
