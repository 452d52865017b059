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
GROWTH_KINDS = (NEW, EXPANSION, REACTIVATION)
LOSS_KINDS = (CONTRACTION, CHURN)


@dataclass(frozen=True, slots=True)
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


Event = tuple[str, int, int, int]
"""A change on one day: currency, native MRR, converted MRR, paying segments."""


def _events(segments: list[Segment], fx: FxTable) -> dict[dt.date, list[Event]]:
    """Group every segment's start, rate changes and end by day."""
    reporting = fx.reporting_currency
    events: dict[dt.date, list[Event]] = defaultdict(list)
    for seg in segments:
        paying = 1 if seg.paying else 0
        converted = seg.mrr
        if seg.currency != reporting:
            first = service_period_start(seg, seg.start)
            converted = fx.convert(seg.mrr, seg.currency, first)
        events[seg.start].append((seg.currency, seg.mrr, converted, paying))
        if seg.currency != reporting:
            for day in _fx_days(seg, fx):
                changed = fx.convert(seg.mrr, seg.currency, day)
                events[day].append((seg.currency, 0, changed - converted, 0))
                converted = changed
        if seg.end is not None:
            events[seg.end].append((seg.currency, -seg.mrr, -converted, -paying))
    return events


def movements(segments: list[Segment], fx: FxTable, policy: Policy) -> list[Movement]:
    """Return a customer's movements, in date order, from its segments.

    A sweep over the days on which a segment starts, ends or changes rate keeps
    running totals per currency; each day's net change is then split into the
    movement and the FX impact (new rates applied to unchanged amounts).
    """
    reporting = fx.reporting_currency
    window = policy.reactivation_window_days
    native: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    total = paying = 0
    ever_active = False
    last_churn: dt.date | None = None
    result: list[Movement] = []
    events = _events(segments, fx)
    foreign = any(seg.currency != reporting for seg in segments)
    for day in sorted(events):
        todays = events[day]
        before_total, before_active = total, paying > 0
        before = (
            {
                cur: (native[cur], converted[cur])
                for cur, *_ in todays
                if cur != reporting
            }
            if foreign
            else {}
        )
        for cur, d_native, d_converted, d_paying in todays:
            native[cur] += d_native
            converted[cur] += d_converted
            total += d_converted
            paying += d_paying
        active = paying > 0
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
            impact = 0
            for cur, (old_native, old_converted) in before.items():
                if old_native and native[cur]:
                    at_old_rate = (
                        divide_half_even(native[cur] * old_converted, old_native)
                        if old_native > 0
                        else 0
                    )
                    impact += converted[cur] - at_old_rate
            change = delta - impact
            if change:
                kind = EXPANSION if change > 0 else CONTRACTION
                result.append(Movement(day, kind, change, before_total + change))
            if impact:
                result.append(Movement(day, FX, impact, total))
    return result
