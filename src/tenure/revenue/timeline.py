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
from tenure.revenue.normalise import Segment, divide_half_even
from tenure.revenue.policy import Policy

NEW = "new"
EXPANSION = "expansion"
REACTIVATION = "reactivation"
CONTRACTION = "contraction"
CHURN = "churn"
FX = "fx"


@dataclass(slots=True)
class Movement:
    """A change of one customer's MRR on one day, in reporting minor units."""

    date: dt.date
    kind: str
    amount: int
    mrr_after: int


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
    # The newest rate first applies to the period starting after it.
    stop = add_months(changes[-1], segment.fx_step_months + 1)
    if segment.end is not None:
        stop = min(stop, segment.end)
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


def mrr_on(segments: list[Segment], day: dt.date, fx: FxTable) -> tuple[int, bool]:
    """Return a customer's MRR and whether it is a paying customer on ``day``.

    Computed directly from the segments live that day; the sweep in
    :func:`movements` must always agree with it.
    """
    total, active = 0, False
    for seg in segments:
        if seg.start <= day and (seg.end is None or day < seg.end):
            if seg.currency == fx.reporting_currency:
                total += seg.mrr
            else:
                rate_day = service_period_start(seg, day)
                total += fx.convert(seg.mrr, seg.currency, rate_day)
            active = active or seg.paying
    return total, active


Step = tuple[dt.date, int, bool, int, bool, int]
"""One day of the sweep: day, MRR and paying state before and after, FX impact."""


def _add_change(
    changes: dict[dt.date, dict[str, list[int]]],
    day: dt.date,
    currency: str,
    native: int,
    converted: int,
    paying: int,
) -> None:
    """Add a change of native MRR, converted MRR and paying segments on ``day``."""
    change = changes[day].get(currency)
    if change is None:
        changes[day][currency] = [native, converted, paying]
    else:
        change[0] += native
        change[1] += converted
        change[2] += paying


def _currency_changes(
    segments: list[Segment], fx: FxTable
) -> dict[dt.date, dict[str, list[int]]]:
    """Net every segment's start, rate changes and end per day and currency."""
    reporting = fx.reporting_currency
    changes: dict[dt.date, dict[str, list[int]]] = defaultdict(dict)
    for seg in segments:
        currency = seg.currency
        paying = 1 if seg.paying else 0
        converted = seg.mrr
        if currency != reporting:
            first = service_period_start(seg, seg.start)
            converted = fx.convert(seg.mrr, currency, first)
        _add_change(changes, seg.start, currency, seg.mrr, converted, paying)
        if currency != reporting:
            for day in _fx_days(seg, fx):
                changed = fx.convert(seg.mrr, currency, day)
                _add_change(changes, day, currency, 0, changed - converted, 0)
                converted = changed
        if seg.end is not None:
            _add_change(changes, seg.end, currency, -seg.mrr, -converted, -paying)
    return changes


def _reporting_steps(segments: list[Segment], reporting: str) -> list[Step] | None:
    """Sweep segments that are all in the reporting currency; ``None`` if any is not.

    Without conversion each day nets to one change of MRR and of paying segments,
    and there is never an FX impact.
    """
    changes: dict[dt.date, list[int]] = {}
    for seg in segments:
        if seg.currency != reporting:
            return None
        paying = 1 if seg.paying else 0
        change = changes.get(seg.start)
        if change is None:
            changes[seg.start] = [seg.mrr, paying]
        else:
            change[0] += seg.mrr
            change[1] += paying
        if seg.end is not None:
            change = changes.get(seg.end)
            if change is None:
                changes[seg.end] = [-seg.mrr, -paying]
            else:
                change[0] -= seg.mrr
                change[1] -= paying
    steps: list[Step] = []
    total = paying = 0
    for day in sorted(changes):
        d_total, d_paying = changes[day]
        before_total, before_active = total, paying > 0
        total += d_total
        paying += d_paying
        steps.append((day, before_total, before_active, total, paying > 0, 0))
    return steps


def _foreign_steps(segments: list[Segment], fx: FxTable) -> list[Step]:
    """Sweep segments in any currencies, keeping running totals per currency.

    A day's FX impact is the change from applying new rates to unchanged amounts:
    per foreign currency, its converted MRR after the day less the native MRR after
    the day at the rate that held before it.
    """
    reporting = fx.reporting_currency
    native: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    total = paying = 0
    steps: list[Step] = []
    changes = _currency_changes(segments, fx)
    for day in sorted(changes):
        before_total, before_active = total, paying > 0
        impact = 0
        for cur, (d_native, d_converted, d_paying) in changes[day].items():
            old_native, old_converted = native[cur], converted[cur]
            new_native = native[cur] = old_native + d_native
            new_converted = converted[cur] = old_converted + d_converted
            total += d_converted
            paying += d_paying
            if cur != reporting and old_native and new_native:
                at_old_rate = (
                    divide_half_even(new_native * old_converted, old_native)
                    if old_native > 0
                    else 0
                )
                impact += new_converted - at_old_rate
        steps.append((day, before_total, before_active, total, paying > 0, impact))
    return steps


def movements(segments: list[Segment], fx: FxTable, policy: Policy) -> list[Movement]:
    """Return a customer's movements, in date order, from its segments.

    A sweep over the days on which a segment starts, ends or changes rate keeps
    running totals; each day's net change is then split into the movement and
    the FX impact (new rates applied to unchanged amounts).
    """
    steps = _reporting_steps(segments, fx.reporting_currency)
    if steps is None:
        steps = _foreign_steps(segments, fx)
    window = policy.reactivation_window_days
    ever_active = False
    last_churn: dt.date | None = None
    result: list[Movement] = []
    for day, before_total, before_active, total, active, impact in steps:
        delta = total - before_total
        if active and not before_active:
            returning = ever_active and not (
                window and last_churn is not None and (day - last_churn).days > window
            )
            kind = REACTIVATION if returning else NEW
            result.append(Movement(day, kind, delta, total))
            ever_active = True
        elif before_active and not active:
            result.append(Movement(day, CHURN, delta, total))
            last_churn = day
        elif delta:
            change = delta - impact
            if change:
                kind = EXPANSION if change > 0 else CONTRACTION
                result.append(Movement(day, kind, change, before_total + change))
            if impact:
                result.append(Movement(day, FX, impact, total))
    return result
