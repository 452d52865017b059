"""One customer's MRR over time and its movements, from that customer's segments.

Movements are classified per customer per day, netting every change of that day. The
amounts are differences of the day-end MRR, so the bridge (opening + movements + FX
impact = closing) holds exactly, in integers, for every customer and every period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from tenure.revenue.calendar import add_months, whole_months_between
from tenure.revenue.fx import FxTable
from tenure.revenue.normalise import Segment
from tenure.revenue.policy import Policy

NEW = "new"
EXPANSION = "expansion"
REACTIVATION = "reactivation"
CONTRACTION = "contraction"
CHURN = "churn"
FX = "fx"
GROWTH_KINDS = (NEW, EXPANSION, REACTIVATION)
LOSS_KINDS = (CONTRACTION, CHURN)


@dataclass(frozen=True, slots=True)
class Movement:
    """A change of one customer's MRR on one day, in reporting minor units."""

    date: dt.date
    kind: str
    amount: int
    mrr_after: int


@dataclass(frozen=True, slots=True)
class _State:
    native: dict[str, int]
    converted: dict[str, int]
    total: int
    active: bool


_EMPTY = _State({}, {}, 0, False)


def service_period_start(segment: Segment, day: dt.date) -> dt.date:
    """Return the start of the billing period of ``segment`` that contains ``day``."""
    if segment.fx_step_months <= 0 or day <= segment.fx_anchor:
        return segment.fx_anchor
    months = whole_months_between(segment.fx_anchor, day)
    return add_months(segment.fx_anchor, months - months % segment.fx_step_months)


def _fx_days(segment: Segment, fx: FxTable) -> list[dt.date]:
    """Days inside a foreign-currency segment on which its converted amount changes."""
    if segment.currency == fx.reporting_currency or segment.fx_step_months <= 0:
        return []
    changes = fx.change_days(segment.currency)
    if not changes:
        return []
    last = changes[-1]
    stop = segment.end if segment.end is not None else add_months(last, 12)
    stop = min(stop, add_months(last, segment.fx_step_months + 1))
    days: list[dt.date] = []
    previous = fx.rate(segment.currency, service_period_start(segment, segment.start))
    k = whole_months_between(segment.fx_anchor, segment.start)
    k = k - k % segment.fx_step_months + segment.fx_step_months
    while True:
        boundary = add_months(segment.fx_anchor, k)
        if boundary >= stop:
            break
        rate = fx.rate(segment.currency, boundary)
        if rate != previous:
            days.append(boundary)
            previous = rate
        k += segment.fx_step_months
    return days


def _state_on(segments: list[Segment], day: dt.date, fx: FxTable) -> _State:
    native: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    active = False
    for seg in segments:
        if seg.start <= day and (seg.end is None or day < seg.end):
            native[seg.currency] += seg.mrr
            rate_day = service_period_start(seg, day)
            converted[seg.currency] += fx.convert(seg.mrr, seg.currency, rate_day)
            active = active or seg.paying
    return _State(dict(native), dict(converted), sum(converted.values()), active)


def mrr_on(segments: list[Segment], day: dt.date, fx: FxTable) -> tuple[int, bool]:
    """Return a customer's MRR and whether it is a paying customer on ``day``."""
    state = _state_on(segments, day, fx)
    return state.total, state.active


def _fx_impact(before: _State, after: _State, reporting: str) -> int:
    """The part of the day's change caused by new rates on unchanged amounts."""
    impact = 0
    for currency, amount in after.native.items():
        old_amount = before.native.get(currency, 0)
        if currency == reporting or amount == 0 or old_amount == 0:
            continue
        old_converted = before.converted[currency]
        at_old_rate = round(amount * old_converted / old_amount) if old_amount else 0
        impact += after.converted[currency] - at_old_rate
    return impact


def change_days(segments: list[Segment], fx: FxTable) -> list[dt.date]:
    """Return every day on which the customer's MRR may change."""
    days: set[dt.date] = set()
    for seg in segments:
        days.add(seg.start)
        if seg.end is not None:
            days.add(seg.end)
        days.update(_fx_days(seg, fx))
    return sorted(days)


def movements(segments: list[Segment], fx: FxTable, policy: Policy) -> list[Movement]:
    """Return a customer's movements, in date order, from its segments."""
    result: list[Movement] = []
    before = _EMPTY
    ever_active = False
    last_churn: dt.date | None = None
    window = policy.reactivation_window_days
    for day in change_days(segments, fx):
        after = _state_on(segments, day, fx)
        delta = after.total - before.total
        if after.active and not before.active:
            returning = ever_active and not (
                window and last_churn is not None and (day - last_churn).days > window
            )
            kind = REACTIVATION if returning else NEW
            result.append(Movement(day, kind, delta, after.total))
            ever_active = True
        elif before.active and not after.active:
            result.append(Movement(day, CHURN, delta, after.total))
            last_churn = day
        elif delta:
            impact = _fx_impact(before, after, fx.reporting_currency)
            change = delta - impact
            if change:
                kind = EXPANSION if change > 0 else CONTRACTION
                result.append(Movement(day, kind, change, before.total + change))
            if impact:
                result.append(Movement(day, FX, impact, after.total))
        before = after
    return result
