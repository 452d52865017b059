"""Load what segment filters test about accounts, set-based.

``load`` reads only the sources the given filters use, each in one or two
set-based queries over every account (or over a few given ones), never one query
per account. Usage, MRR change and renewal values come from the health metrics, so
a segment sees exactly what a scorecard would. Matching is in
``tenure.segments.matching``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan
from tenure.health import metrics
from tenure.health.measures import Metric
from tenure.health.models import HealthSnapshot
from tenure.health.population import fact_currency
from tenure.money import to_major
from tenure.revenue.models import AccountRevenue, MrrMovement
from tenure.segments.matching import AccountFacts
from tenure.segments.schemas import SegmentFilter
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

# Up to this many given accounts are looked up by id; more are filtered in Python.
FEW = 500


def id_in(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids written into the SQL.

    Bound one by one, a large set would pass the drivers' limits on parameters
    (65,535 on PostgreSQL); integers are safe to inline.
    """
    values = sorted(set(ids))
    condition: ColumnElement[bool] = column.in_(
        bindparam("ids", values, expanding=True, literal_execute=True, unique=True)
    )
    return condition


def _accounts(
    session: Session,
    filters: list[SegmentFilter],
    few: list[int] | None,
    narrow: bool,
) -> dict[int, AccountFacts]:
    """Each account's record fields the filters read, by account id."""
    given = set().union(*(f.given() for f in filters))
    owners = "owner" in given
    plans = "plan" in given
    tags = bool(given & {"tags_any", "tags_all"})
    custom = "custom" in given
    columns: list[Any] = [
        Account.id,
        Account.industry,
        Account.region,
        Account.tier,
        Account.size,
    ]
    statement = select(*columns).select_from(Account)
    if owners:
        statement = statement.add_columns(func.lower(StaffUser.email)).outerjoin(
            StaffUser, StaffUser.id == Account.owner_id
        )
    if plans:
        statement = (
            statement.add_columns(Plan.external_id)
            .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
            .outerjoin(Plan, Plan.id == AccountRevenue.plan_id)
        )
    if tags:
        statement = statement.add_columns(Account.tags)
    if custom:
        # The whole JSON object is read: SQLite's json_extract turns true into 1.
        statement = statement.add_columns(Account.custom_attributes)
    if few is not None:
        statement = statement.where(id_in(Account.id, few))
    if narrow and len(filters) == 1:
        statement = statement.where(*_pushed_down(filters[0]))
    found: dict[int, AccountFacts] = {}
    for row in session.execute(statement):
        facts = AccountFacts(row[0], row[1], row[2], row[3], row[4])
        rest = iter(row[5:])
        if owners:
            facts.owner = next(rest)
        if plans:
            facts.plan = next(rest)
        if tags:
            facts.tags = frozenset(t for t in next(rest) or () if isinstance(t, str))
        if custom:
            attributes = next(rest)
            facts.custom = attributes if isinstance(attributes, dict) else {}
        found[facts.account_id] = facts
    return found


def _pushed_down(segment: SegmentFilter) -> list[ColumnElement[bool]]:
    """The filter's exact-match conditions on account columns, as SQL."""
    conditions: list[ColumnElement[bool]] = []
    for name, column in (
        ("industry", Account.industry),
        ("region", Account.region),
        ("tier", Account.tier),
        ("size", Account.size),
        ("owner", func.lower(StaffUser.email)),
        ("plan", Plan.external_id),
    ):
        wanted = getattr(segment, name)
        if wanted is not None:
            conditions.append(column.in_(sorted(set(wanted))))
    return conditions


def mrr_on(session: Session, day: dt.date, few: list[int] | None) -> dict[int, int]:
    """Each account's MRR (minor units) after its last movement on or before ``day``.

    Accounts without such a movement are absent: they never had revenue.
    """
    rank = func.row_number().over(
        partition_by=MrrMovement.account_id,
        order_by=(MrrMovement.date.desc(), MrrMovement.id.desc()),
    )
    ranked = select(
        MrrMovement.account_id, MrrMovement.mrr_after_minor, rank.label("rank")
    ).where(MrrMovement.date <= day)
    if few is not None:
        ranked = ranked.where(id_in(MrrMovement.account_id, few))
    inner = ranked.subquery()
    statement = select(inner.c.account_id, inner.c.mrr_after_minor).where(
        inner.c.rank == 1
    )
    return {account: int(mrr) for account, mrr in session.execute(statement)}


def status_of(minor: int | None) -> str:
    """Customer status from MRR on a day (None: never had revenue)."""
    if minor is None:
        return "prospect"
    return "active" if minor > 0 else "churned"


def latest_health(
    session: Session, day: dt.date, few: list[int] | None
) -> dict[int, tuple[str, float | None]]:
    """Each account's latest band and score on or before ``day``."""
    latest = select(
        HealthSnapshot.account_id, func.max(HealthSnapshot.as_of).label("as_of")
    ).where(HealthSnapshot.as_of <= day)
    if few is not None:
        latest = latest.where(id_in(HealthSnapshot.account_id, few))
    inner = latest.group_by(HealthSnapshot.account_id).subquery()
    statement = select(
        HealthSnapshot.account_id, HealthSnapshot.band, HealthSnapshot.score
    ).join(
        inner,
        and_(
            inner.c.account_id == HealthSnapshot.account_id,
            inner.c.as_of == HealthSnapshot.as_of,
        ),
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(statement)}


def _metrics(filters: list[SegmentFilter]) -> list[Metric]:
    """The health metrics the filters read: usage averages, MRR change, renewal."""
    wanted: list[Metric] = []
    for days in sorted({f.usage_days() for f in filters if f.uses_usage()}):
        wanted.append(
            Metric(
                source="usage",
                field="active_users",
                aggregate="avg",
                window_days=days,
            )
        )
    for days in sorted({f.change_days() for f in filters if f.uses_mrr_change()}):
        wanted.append(Metric(source="mrr_change", window_days=days))
    if any(f.renewal_within_days is not None for f in filters):
        wanted.append(Metric(source="renewal_days"))
    return wanted


def load(
    session: Session,
    filters: Collection[SegmentFilter],
    as_of: dt.date,
    accounts: Collection[int] | None = None,
    *,
    narrow: bool = False,
) -> dict[int, AccountFacts]:
    """What ``filters`` need to know about every account (or ``accounts``) on a day.

    ``narrow`` (for one filter only) leaves out the accounts its exact-match
    conditions on account fields exclude, when only the members are wanted.
    """
    chosen = list(filters)
    few = None if accounts is None or len(accounts) > FEW else sorted(set(accounts))
    found = _accounts(session, chosen, few, narrow)
    if accounts is not None and few is None:
        keep = set(accounts)
        found = {key: value for key, value in found.items() if key in keep}
    if not found:
        return found
    given = set().union(*(f.given() for f in chosen))
    mrr: dict[int, int] = {}
    if given & {"mrr_min", "mrr_max", "status", "mrr_change_min", "mrr_change_max"}:
        mrr = mrr_on(session, as_of, few)
        currency = fact_currency(session)
        for account, facts in found.items():
            minor = mrr.get(account)
            facts.status = status_of(minor)
            if minor is not None:
                facts.mrr = to_major(minor, currency)
    if any(f.uses_health() for f in chosen):
        for account, (band, score) in latest_health(session, as_of, few).items():
            if account in found:
                found[account].band = band
                found[account].score = score
    wanted = _metrics(chosen)
    if wanted:
        _add_metrics(session, wanted, as_of, found, mrr)
    return found


def _add_metrics(
    session: Session,
    wanted: list[Metric],
    as_of: dt.date,
    found: dict[int, AccountFacts],
    mrr: dict[int, int],
) -> None:
    """Compute the health metrics and put each value on its account's facts."""
    currency = fact_currency(session)
    values = metrics.compute(session, wanted, as_of, found.keys(), mrr, currency)
    usage: dict[int, dict[int, float]] = defaultdict(dict)
    changes: dict[int, dict[int, float]] = defaultdict(dict)
    for metric in wanted:
        days = metric.window_days or 0
        for account, value in values.get(metric.id, {}).items():
            if account not in found:
                continue
            # Rounded, so that 10,000 to 12,000 is a change of exactly 0.2.
            if metric.source == "usage":
                usage[account][days] = round(value, 6)
            elif metric.source == "mrr_change":
                changes[account][days] = round(value, 6)
            else:
                found[account].renewal_days = value
    for account, by_days in usage.items():
        found[account].active_users = by_days
    for account, by_days in changes.items():
        found[account].mrr_change = by_days
