"""Read what the workbench shows: tasks due, the book by health, renewals, changes.

A view is either a person's own ("me": the accounts they own and the tasks assigned
to them) or their team's ("team": every account and task in their data scope; for an
admin or executive that is the whole company). A CSM's team view is their own.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session, aliased

from tenure.accounts.models import Account
from tenure.auth.scope import Principal, owner_scope
from tenure.health.models import HealthSnapshot
from tenure.money import to_major
from tenure.revenue.models import AccountRevenue, MrrMovement, RenewalTerm
from tenure.revenue.renewals import OPEN
from tenure.revenue.service import fact_currency
from tenure.staff.models import StaffUser
from tenure.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

Row = dict[str, Any]
VIEWS = ("me", "team")
RENEWAL_DAYS = 90
CHANGE_DAYS = 7
MOVEMENT_DAYS = 14
LIST_LIMIT = 50


@dataclass(frozen=True)
class Book:
    """Whose accounts and tasks a view covers; ``None`` means everyone's."""

    view: str
    people: frozenset[int] | None

    def accounts(self) -> ColumnElement[bool]:
        """A condition on ``Account`` keeping the book's accounts."""
        if self.people is None:
            return true()
        return Account.owner_id.in_(sorted(self.people))

    def tasks(self) -> ColumnElement[bool]:
        """A condition on ``Task`` keeping the tasks of the book's people."""
        if self.people is None:
            return true()
        return Task.assignee_id.in_(sorted(self.people))


def book_for(session: Session, principal: Principal, view: str) -> Book:
    """The book a principal sees in ``view`` ("me" or "team")."""
    if view not in VIEWS:
        raise ValueError(f"view {view!r} must be one of {', '.join(VIEWS)}")
    if view == "me":
        return Book("me", frozenset({principal.user_id}))
    return Book("team", owner_scope(session, principal))


def figures(session: Session, book: Book, today: dt.date) -> Row:
    """Headline counts: open, due today and overdue tasks; accounts, MRR, renewals."""
    open_tasks = and_(book.tasks(), Task.status.in_(OPEN_STATUSES))
    counts = session.execute(
        select(
            func.count(),
            func.count().filter(Task.due_on == today),
            func.count().filter(Task.due_on < today),
        ).where(open_tasks)
    ).one()
    accounts = session.execute(
        select(func.count(), func.coalesce(func.sum(AccountRevenue.mrr_minor), 0))
        .select_from(Account)
        .join(AccountRevenue, AccountRevenue.account_id == Account.id)
        .where(book.accounts(), AccountRevenue.active.is_(True))
    ).one()
    renewals = session.execute(
        select(func.count(), func.coalesce(func.sum(RenewalTerm.due_amount_minor), 0))
        .join(Account, Account.id == RenewalTerm.account_id)
        .where(book.accounts(), *_renewal_window(today))
    ).one()
    currency = fact_currency(session)
    return {
        "open_tasks": int(counts[0]),
        "due_today": int(counts[1]),
        "overdue": int(counts[2]),
        "customers": int(accounts[0]),
        "mrr": to_major(int(accounts[1]), currency),
        "renewals": int(renewals[0]),
        "renewal_amount": to_major(int(renewals[1]), currency),
        "currency": currency,
    }


def _renewal_window(today: dt.date) -> list[ColumnElement[bool]]:
    end = today + dt.timedelta(days=RENEWAL_DAYS)
    return [
        RenewalTerm.outcome == OPEN,
        RenewalTerm.due_date >= today,
        RenewalTerm.due_date <= end,
    ]


def bands(session: Session, book: Book) -> list[Row]:
    """The book's customers per health band on the latest scored day."""
    latest = session.scalar(select(func.max(HealthSnapshot.as_of)))
    if latest is None:
        return []
    query = (
        select(HealthSnapshot.band, func.count())
        .join(Account, Account.id == HealthSnapshot.account_id)
        .where(HealthSnapshot.as_of == latest, book.accounts())
        .group_by(HealthSnapshot.band)
    )
    return [
        {"band": band, "accounts": int(count), "as_of": latest}
        for band, count in session.execute(query)
    ]


def renewals(session: Session, book: Book, today: dt.date) -> list[Row]:
    """Open renewal terms of the book due in the next RENEWAL_DAYS, soonest first."""
    currency = fact_currency(session)
    query = (
        select(
            Account.external_id,
            Account.name,
            RenewalTerm.due_date,
            RenewalTerm.due_amount_minor,
            RenewalTerm.source,
            StaffUser.name,
        )
        .join(Account, Account.id == RenewalTerm.account_id)
        .outerjoin(StaffUser, StaffUser.id == Account.owner_id)
        .where(book.accounts(), *_renewal_window(today))
        .order_by(RenewalTerm.due_date, RenewalTerm.due_amount_minor.desc())
        .limit(LIST_LIMIT)
    )
    return [
        {
            "account_id": external,
            "account_name": name,
            "due": due,
            "days_left": (due - today).days,
            "amount": to_major(amount, currency),
            "currency": currency,
            "source": source,
            "owner": owner,
        }
        for external, name, due, amount, source, owner in session.execute(query)
    ]


def health_changes(session: Session, book: Book, today: dt.date) -> list[Row]:
    """Accounts whose band changed since the scored day CHANGE_DAYS or more before."""
    latest = session.scalar(
        select(func.max(HealthSnapshot.as_of)).where(HealthSnapshot.as_of <= today)
    )
    if latest is None:
        return []
    cutoff = latest - dt.timedelta(days=CHANGE_DAYS)
    earlier = session.scalar(
        select(func.max(HealthSnapshot.as_of)).where(HealthSnapshot.as_of <= cutoff)
    )
    if earlier is None:
        return []
    now, before = aliased(HealthSnapshot), aliased(HealthSnapshot)
    query = (
        select(
            Account.external_id,
            Account.name,
            before.band,
            now.band,
            before.score,
            now.score,
        )
        .join(now, now.account_id == Account.id)
        .join(before, before.account_id == Account.id)
        .where(
            book.accounts(),
            now.as_of == latest,
            before.as_of == earlier,
            now.band != before.band,
        )
        .order_by(Account.name)
        .limit(LIST_LIMIT)
    )
    return [
        {
            "account_id": external,
            "account_name": name,
            "change": "health",
            "from": old_band,
            "to": new_band,
            "from_score": old_score,
            "to_score": new_score,
            "since": earlier,
            "on": latest,
        }
        for external, name, old_band, new_band, old_score, new_score in (
            session.execute(query)
        )
    ]


def mrr_changes(session: Session, book: Book, today: dt.date) -> list[Row]:
    """The book's MRR movements of the last MOVEMENT_DAYS, newest first."""
    currency = fact_currency(session)
    since = today - dt.timedelta(days=MOVEMENT_DAYS)
    query = (
        select(
            Account.external_id,
            Account.name,
            MrrMovement.date,
            MrrMovement.kind,
            MrrMovement.amount_minor,
        )
        .join(Account, Account.id == MrrMovement.account_id)
        .where(
            book.accounts(),
            MrrMovement.date > since,
            MrrMovement.date <= today,
            MrrMovement.kind != "fx",
        )
        .order_by(MrrMovement.date.desc(), MrrMovement.id.desc())
        .limit(LIST_LIMIT)
    )
    return [
        {
            "account_id": external,
            "account_name": name,
            "change": kind,
            "on": day,
            "amount": to_major(amount, currency),
            "currency": currency,
        }
        for external, name, day, kind, amount in session.execute(query)
    ]


def team(session: Session, book: Book, today: dt.date) -> list[Row]:
    """Per person of the book: open, overdue and last-7-days completed tasks."""
    if book.people is not None and len(book.people) <= 1:
        return []
    week = dt.datetime.combine(today - dt.timedelta(days=6), dt.time(), dt.UTC)
    people = select(StaffUser.id, StaffUser.name, StaffUser.email).where(
        StaffUser.is_active.is_(True), StaffUser.role.in_(("csm", "manager"))
    )
    if book.people is not None:
        people = people.where(StaffUser.id.in_(sorted(book.people)))
    counts = {
        assignee: (int(open_), int(late), int(done))
        for assignee, open_, late, done in session.execute(
            select(
                Task.assignee_id,
                func.count().filter(Task.status.in_(OPEN_STATUSES)),
                func.count().filter(
                    Task.status.in_(OPEN_STATUSES), Task.due_on < today
                ),
                func.count().filter(Task.status == "done", Task.completed_at >= week),
            )
            .where(book.tasks())
            .group_by(Task.assignee_id)
        )
    }
    rows = []
    for user_id, name, email in session.execute(people.order_by(StaffUser.name)):
        open_, late, done = counts.get(user_id, (0, 0, 0))
        rows.append(
            {
                "user_id": user_id,
                "name": name,
                "email": email,
                "open": open_,
                "overdue": late,
                "done_7d": done,
            }
        )
    return rows
