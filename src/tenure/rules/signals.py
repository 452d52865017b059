"""What each trigger kind sees on a day: the accounts showing its signal, and why.

Every kind is evaluated for all candidate accounts at once, in a few set-based
queries (never one per account). The result maps each account that shows the
signal to JSON-ready values explaining it: the ``SIGNAL_FIELDS`` of its kind.
Amounts are decimals in the major unit of ``currency``, as text; dates are
``YYYY-MM-DD``.

Candidates are the accounts that are customers at the end of the day (MRR above
zero), except for ``contract_ended`` (accounts that were customers and are no
longer) and ``new_customer`` (every account that ever had revenue).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.db.bulk import as_date
from tenure.health import metrics
from tenure.health.errors import HealthError
from tenure.health.measures import Metric
from tenure.health.models import HealthSnapshot, Scorecard
from tenure.health.population import fact_currency
from tenure.health.schemas import default_bands
from tenure.health.scorecards import definition_of
from tenure.money import format_major
from tenure.revenue.loading import load_policy
from tenure.revenue.models import MrrMovement, RenewalTerm
from tenure.revenue.renewals import CHURNED, OPEN
from tenure.rules.schemas import (
    ContractEndedTrigger,
    HealthBandTrigger,
    NewCustomerTrigger,
    RenewalDueTrigger,
    RuleError,
    SegmentEnteredTrigger,
    Trigger,
    UsageChangeTrigger,
    UsageThresholdTrigger,
)
from tenure.segments import service as segments
from tenure.segments.models import SavedSegment
from tenure.segments.schemas import SegmentError

log = logging.getLogger(__name__)

Signal = dict[str, Any]
Signals = dict[int, Signal]


@dataclass(frozen=True)
class Day:
    """What every rule evaluated on one day shares: the day, MRR and its currency."""

    session: Session
    as_of: dt.date
    mrr: dict[int, int]
    currency: str

    @classmethod
    def load(cls, session: Session, as_of: dt.date) -> Day:
        """Read each account's MRR at the end of ``as_of``."""
        return cls(
            session, as_of, metrics.mrr_on(session, as_of), fact_currency(session)
        )

    def money(self, minor: int) -> str:
        """Minor units of the fact currency as a decimal in its major unit."""
        return format_major(minor, self.currency)


def candidates(day: Day, trigger: Trigger) -> set[int]:
    """The accounts a rule with ``trigger`` looks at on ``day``."""
    if isinstance(trigger, ContractEndedTrigger):
        return {account for account, mrr in day.mrr.items() if mrr <= 0}
    if isinstance(trigger, NewCustomerTrigger):
        return set(day.mrr)
    return {account for account, mrr in day.mrr.items() if mrr > 0}


def in_segment(day: Day, segment_id: int, accounts: Collection[int]) -> set[int]:
    """The ``accounts`` that are members of the saved segment ``segment_id``."""
    try:
        return set(segments.member_ids(day.session, segment_id, day.as_of, accounts))
    except SegmentError as exc:
        raise RuleError(f"segment {segment_id}: {exc}") from None


def detect(day: Day, trigger: Trigger, accounts: Collection[int]) -> Signals:
    """The ``accounts`` showing ``trigger``'s signal on ``day``, with its values."""
    wanted = set(accounts)
    if not wanted:
        return {}
    detector: Callable[[Day, Any, set[int]], Signals] = _DETECTORS[trigger.kind]
    return detector(day, trigger, wanted)


def _band_orders(session: Session) -> dict[int | None, list[str]]:
    """Each scorecard's band names, lowest first; None: the built-in bands."""
    orders: dict[int | None, list[str]] = {None: [b.name for b in default_bands()]}
    for card in session.scalars(select(Scorecard)):
        try:
            orders[card.id] = definition_of(card).band_names()
        except HealthError:
            log.warning("scorecard %s is invalid; its bands are not ordered", card.id)
    return orders


def _health_band(day: Day, trigger: HealthBandTrigger, wanted: set[int]) -> Signals:
    """Latest snapshot on or before the day against the snapshot before it."""
    rank = func.row_number().over(
        partition_by=HealthSnapshot.account_id,
        order_by=HealthSnapshot.as_of.desc(),
    )
    ranked = (
        select(
            HealthSnapshot.account_id,
            HealthSnapshot.as_of,
            HealthSnapshot.band,
            HealthSnapshot.score,
            HealthSnapshot.scorecard_id,
            rank.label("rank"),
        )
        .where(HealthSnapshot.as_of <= day.as_of)
        .subquery()
    )
    statement = (
        select(ranked)
        .where(ranked.c.rank <= 2)
        .order_by(ranked.c.account_id, ranked.c.rank)
    )
    pairs: dict[int, list[Any]] = {}
    for row in day.session.execute(statement):
        if row.account_id in wanted:
            pairs.setdefault(row.account_id, []).append(row)
    orders = _band_orders(day.session)
    found: Signals = {}
    for account, (latest, *earlier) in pairs.items():
        if not earlier:
            continue
        before = earlier[0]
        order = orders.get(latest.scorecard_id) or orders[None]
        if latest.band not in order or before.band not in order:
            continue
        step = order.index(latest.band) - order.index(before.band)
        moved = step < 0 if trigger.direction == "falls" else step > 0
        if not moved or (trigger.to is not None and latest.band not in trigger.to):
            continue
        found[account] = {
            "from_band": before.band,
            "to_band": latest.band,
            "from_score": before.score,
            "to_score": latest.score,
            "from_date": as_date(before.as_of),
            "to_date": as_date(latest.as_of),
        }
    return _iso_dates(found)


def _usage_metric(field: str, aggregate: str, window_days: int) -> Metric:
    return Metric(
        source="usage", field=field, aggregate=aggregate, window_days=window_days
    )


def _usage_change(day: Day, trigger: UsageChangeTrigger, wanted: set[int]) -> Signals:
    """Average of the window ending on the day against that of the window before."""
    days = trigger.window_days
    change = _usage_metric(trigger.field, "change", days)
    average = _usage_metric(trigger.field, "avg", days)
    now = metrics.compute(
        day.session, [change, average], day.as_of, wanted, day.mrr, day.currency
    )
    # The average of the window ending `days` earlier is exactly the previous
    # window's, over the same tracked days that `change` compared with.
    earlier = day.as_of - dt.timedelta(days=days)
    before = metrics.compute(
        day.session, [average], earlier, wanted, day.mrr, day.currency
    )
    found: Signals = {}
    for account, share in now[change.id].items():
        previous = before[average.id].get(account)
        if previous is None or previous < trigger.min_previous_average:
            continue
        if trigger.change_at_most is not None and share > trigger.change_at_most:
            continue
        if trigger.change_at_least is not None and share < trigger.change_at_least:
            continue
        found[account] = {
            "field": trigger.field,
            "window_days": days,
            "average": round(now[average.id][account], 2),
            "previous_average": round(previous, 2),
            "change": round(share, 4),
            "change_pct": round(share * 100),
        }
    return found


def _usage_threshold(
    day: Day, trigger: UsageThresholdTrigger, wanted: set[int]
) -> Signals:
    """A usage aggregate over the window ending on the day, at least a threshold."""
    metric = _usage_metric(trigger.field, trigger.aggregate, trigger.window_days)
    values = metrics.compute(
        day.session, [metric], day.as_of, wanted, day.mrr, day.currency
    )
    return {
        account: {
            "field": trigger.field,
            "aggregate": trigger.aggregate,
            "window_days": trigger.window_days,
            "value": round(value, 2),
            "threshold": trigger.at_least,
        }
        for account, value in values[metric.id].items()
        if value >= trigger.at_least
    }


def _terms(day: Day, outcome: str, first: dt.date, last: dt.date) -> list[Any]:
    """Renewal terms with ``outcome`` due from ``first`` to ``last``, earliest first."""
    statement = (
        select(
            RenewalTerm.account_id,
            RenewalTerm.source,
            RenewalTerm.source_external_id,
            RenewalTerm.due_date,
            RenewalTerm.due_amount_minor,
        )
        .where(
            RenewalTerm.outcome == outcome,
            RenewalTerm.due_date >= first,
            RenewalTerm.due_date <= last,
        )
        .order_by(RenewalTerm.due_date, RenewalTerm.id)
    )
    return list(day.session.execute(statement))


def _renewal_due(day: Day, trigger: RenewalDueTrigger, wanted: set[int]) -> Signals:
    """Each account's earliest open term due within the window around the day."""
    first = day.as_of - dt.timedelta(days=trigger.overdue_days)
    last = day.as_of + dt.timedelta(days=trigger.within_days)
    found: Signals = {}
    for term in _terms(day, OPEN, first, last):
        if term.account_id not in wanted or term.account_id in found:
            continue
        due = as_date(term.due_date)
        assert due is not None
        found[term.account_id] = {
            "due_date": due,
            "days_left": (due - day.as_of).days,
            "amount": day.money(term.due_amount_minor),
            "currency": day.currency,
            "term": term.source_external_id,
        }
    return _iso_dates(found)


def _contract_ended(
    day: Day, trigger: ContractEndedTrigger, wanted: set[int]
) -> Signals:
    """Each account's latest churned term whose churn took effect in the window.

    A contract churns once its grace period after the due date has run out (the
    ``contract_grace_days`` setting); a subscription term on the day after it.
    """
    grace = dt.timedelta(days=load_policy(day.session).contract_grace_days)
    window_start = day.as_of - dt.timedelta(days=trigger.within_days)
    found: Signals = {}
    terms = _terms(day, CHURNED, window_start - grace, day.as_of)
    for term in terms:
        due = as_date(term.due_date)
        assert due is not None
        churned_on = due + dt.timedelta(days=1)
        if term.source == "contract":
            churned_on += grace
        if term.account_id not in wanted:
            continue
        if not window_start < churned_on <= day.as_of:
            continue
        found[term.account_id] = {
            "due_date": due,
            "churned_on": churned_on,
            "amount": day.money(term.due_amount_minor),
            "currency": day.currency,
            "term": term.source_external_id,
        }
    return _iso_dates(found)


def _new_customer(day: Day, trigger: NewCustomerTrigger, wanted: set[int]) -> Signals:
    """Accounts whose first 'new' MRR movement falls in the window ending the day."""
    statement = (
        select(MrrMovement.account_id, func.min(MrrMovement.date))
        .where(MrrMovement.kind == "new", MrrMovement.date <= day.as_of)
        .group_by(MrrMovement.account_id)
    )
    window_start = day.as_of - dt.timedelta(days=trigger.within_days)
    found: Signals = {}
    for account, first in day.session.execute(statement):
        start = as_date(first)
        if account not in wanted or start is None or start <= window_start:
            continue
        found[account] = {
            "start_date": start,
            "mrr": day.money(day.mrr.get(account, 0)),
            "currency": day.currency,
        }
    return _iso_dates(found)


def _segment_entered(
    day: Day, trigger: SegmentEnteredTrigger, wanted: set[int]
) -> Signals:
    """The accounts in the saved segment on the day."""
    segment = day.session.scalar(
        select(SavedSegment).where(SavedSegment.key == trigger.segment)
    )
    if segment is None:
        raise RuleError(f"trigger.segment '{trigger.segment}': no such saved segment")
    values = {"segment": segment.key, "segment_name": segment.name}
    return {account: dict(values) for account in in_segment(day, segment.id, wanted)}


def _iso_dates(found: Signals) -> Signals:
    """``found`` with its dates as ``YYYY-MM-DD`` text, as JSON keeps them."""
    for values in found.values():
        for key, value in values.items():
            if isinstance(value, dt.date):
                values[key] = value.isoformat()
    return found


_DETECTORS: dict[str, Callable[[Day, Any, set[int]], Signals]] = {
    "health_band": _health_band,
    "usage_change": _usage_change,
    "usage_threshold": _usage_threshold,
    "renewal_due": _renewal_due,
    "contract_ended": _contract_ended,
    "new_customer": _new_customer,
    "segment_entered": _segment_entered,
}
