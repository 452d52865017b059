"""What each person's book holds today and the work they did: reads for the team.

Counts are per current owner (accounts served, health bands) or per assignee
(tasks), within a view as ``tenure.team.reads`` defines it.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.health.models import HealthSnapshot
from tenure.revenue.models import AccountRevenue
from tenure.revenue.reports import NONE_LABEL
from tenure.settings import service as settings
from tenure.tasks.models import OPEN_STATUSES, Task
from tenure.team.reads import View

log = logging.getLogger(__name__)


def day_bounds(
    session: Session, first: dt.date, last: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where ``first`` starts and the day after ``last`` starts."""
    zone = zoneinfo.ZoneInfo(settings.get(session, "timezone"))
    begin = dt.datetime.combine(first, dt.time(), zone).astimezone(dt.UTC)
    finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
    return begin, finish.astimezone(dt.UTC)


def _people(view: View, column: Any) -> ColumnElement[bool]:
    if view.people is None:
        return true()
    return column.in_(sorted(view.people))


def task_counts(
    session: Session, view: View, first: dt.date, last: dt.date, today: dt.date
) -> dict[int | None, tuple[int, int]]:
    """Per assignee: tasks completed ``first..last`` and open tasks overdue today."""
    begin, finish = day_bounds(session, first, last)
    done = and_(
        Task.status == "done", Task.completed_at >= begin, Task.completed_at < finish
    )
    late = and_(Task.status.in_(OPEN_STATUSES), Task.due_on < today)
    query = (
        select(Task.assignee_id, func.count().filter(done), func.count().filter(late))
        .where(_people(view, Task.assignee_id), done | late)
        .group_by(Task.assignee_id)
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in session.execute(query)}


@dataclass
class Served:
    """One owner's current paying accounts by type/size and tier, and health bands."""

    accounts: int = 0
    by_size: Counter[str] = field(default_factory=Counter)
    by_tier: Counter[str] = field(default_factory=Counter)
    bands: Counter[str] = field(default_factory=Counter)

    def add(self, other: Served) -> None:
        """Add another owner's counts to these."""
        self.accounts += other.accounts
        self.by_size.update(other.by_size)
        self.by_tier.update(other.by_tier)
        self.bands.update(other.bands)


def served(session: Session, view: View) -> dict[int | None, Served]:
    """Per current owner: paying accounts by size and tier, and every account's band."""
    result: dict[int | None, Served] = defaultdict(Served)
    query = (
        select(Account.owner_id, Account.size, Account.tier, func.count())
        .join(AccountRevenue, AccountRevenue.account_id == Account.id)
        .where(AccountRevenue.active.is_(True), _people(view, Account.owner_id))
        .group_by(Account.owner_id, Account.size, Account.tier)
    )
    for owner, size, tier, count in session.execute(query):
        found = result[owner]
        found.accounts += int(count)
        found.by_size[size or NONE_LABEL] += int(count)
        found.by_tier[tier or NONE_LABEL] += int(count)
    for owner, band, count in _band_counts(session, view):
        result[owner].bands[band] += count
    return result


def latest_bands(session: Session, view: View) -> Any:
    """``(account id, owner id, band, as_of)`` of each account's latest snapshot."""
    latest = (
        select(
            HealthSnapshot.account_id.label("account_id"),
            func.max(HealthSnapshot.as_of).label("as_of"),
        )
        .group_by(HealthSnapshot.account_id)
        .subquery()
    )
    return (
        select(Account.id, Account.owner_id, HealthSnapshot.band, HealthSnapshot.as_of)
        .join(latest, latest.c.account_id == Account.id)
        .join(
            HealthSnapshot,
            and_(
                HealthSnapshot.account_id == Account.id,
                HealthSnapshot.as_of == latest.c.as_of,
            ),
        )
        .where(_people(view, Account.owner_id))
    )


def _band_counts(session: Session, view: View) -> list[tuple[int | None, str, int]]:
    rows = latest_bands(session, view).subquery()
    query = select(rows.c.owner_id, rows.c.band, func.count()).group_by(
        rows.c.owner_id, rows.c.band
    )
    return [(r[0], r[1], int(r[2])) for r in session.execute(query)]


def account_names(
    session: Session, accounts: Collection[int]
) -> dict[int, tuple[str, str]]:
    """External id and name of each of ``accounts``."""
    found: dict[int, tuple[str, str]] = {}
    ids = sorted(set(accounts))
    for index in range(0, len(ids), 500):
        query = select(Account.id, Account.external_id, Account.name).where(
            Account.id.in_(ids[index : index + 500])
        )
        found.update({r[0]: (r[1], r[2]) for r in session.execute(query)})
    return found
