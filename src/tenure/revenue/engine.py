"""The revenue engine's entry point: one customer's inputs in, all its facts out.

Pure domain code: no I/O. The service layer loads inputs, calls :func:`compute`
per customer and stores the result, so that a change to one customer recomputes
that customer only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenure.revenue.calendar import ONE_DAY, add_months, month_start
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import CustomerInput
from tenure.revenue.normalise import Segment, customer_segments
from tenure.revenue.policy import Policy
from tenure.revenue.renewals import Term, customer_terms
from tenure.revenue.timeline import CHURN, NEW, REACTIVATION, Movement, movements


@dataclass(slots=True)
class MonthSnapshot:
    """A customer's month-end MRR, the same for every month of a span.

    ``month_to`` is the last month of the span (inclusive), ``None`` while it runs
    on. Months in which the customer has no MRR and is not a customer are omitted.
    """

    month_from: dt.date
    month_to: dt.date | None
    mrr: int
    active: bool
    pending_renewal: bool


@dataclass(frozen=True, slots=True)
class CustomerRevenue:
    """Every revenue fact of one customer."""

    account_id: int
    movements: list[Movement]
    months: list[MonthSnapshot]
    terms: list[Term]
    mrr: int
    active: bool
    first_revenue_date: dt.date | None
    plan_id: int | None
    currency: str | None


def state_at(moves: list[Movement], day: dt.date) -> tuple[int, bool]:
    """Return the MRR and paying state at the end of ``day``."""
    mrr, active = 0, False
    for move in moves:
        if move.date > day:
            break
        mrr = move.mrr_after
        if move.kind in (NEW, REACTIVATION):
            active = True
        elif move.kind == CHURN:
            active = False
    return mrr, active


def _month_snapshots(
    moves: list[Movement], segments: list[Segment]
) -> list[MonthSnapshot]:
    """Run-length encode a customer's month-end state into spans of months."""
    pending = [
        (seg.pending_from, seg.end) for seg in segments if seg.pending_from is not None
    ]
    months = {month_start(move.date) for move in moves}
    for start, end in pending:
        months.add(month_start(start))
        if end is not None:
            months.add(month_start(end))
    ordered = sorted(months)
    snapshots: list[MonthSnapshot] = []
    index, mrr, active = 0, 0, False
    for position, month in enumerate(ordered):
        following = add_months(month, 1)
        while index < len(moves) and moves[index].date < following:
            move = moves[index]
            mrr = move.mrr_after
            if move.kind in (NEW, REACTIVATION):
                active = True
            elif move.kind == CHURN:
                active = False
            index += 1
        if not (active or mrr):
            continue
        month_end = following - ONE_DAY
        is_pending = any(
            start <= month_end and (end is None or month_end < end)
            for start, end in pending
        )
        last = (
            add_months(ordered[position + 1], -1)
            if position + 1 < len(ordered)
            else None
        )
        previous = snapshots[-1] if snapshots else None
        if (
            previous is not None
            and previous.month_to == add_months(month, -1)
            and (previous.mrr, previous.active, previous.pending_renewal)
            == (mrr, active, is_pending)
        ):
            previous.month_to = last
        else:
            snapshots.append(MonthSnapshot(month, last, mrr, active, is_pending))
    return snapshots


def _main_segment(segments: list[Segment], moves: list[Movement]) -> Segment | None:
    """The largest segment live on the customer's last paying day."""
    if not moves:
        return None
    last_day = moves[-1].date
    if moves[-1].kind == CHURN:
        last_day -= ONE_DAY
    live = [
        seg
        for seg in segments
        if seg.start <= last_day and (seg.end is None or last_day < seg.end)
    ]
    return max(live, key=lambda seg: (seg.mrr, seg.source), default=None)


def compute(
    customer: CustomerInput, fx: FxTable, policy: Policy, as_of: dt.date
) -> CustomerRevenue:
    """Compute every revenue fact of one customer as known on ``as_of``."""
    segments = customer_segments(customer, policy)
    moves = movements(segments, fx, policy)
    mrr, active = state_at(moves, as_of)
    main = _main_segment(segments, moves)
    first = next((m.date for m in moves if m.kind == NEW), None)
    return CustomerRevenue(
        account_id=customer.account_id,
        movements=moves,
        months=_month_snapshots(moves, segments),
        terms=customer_terms(customer, fx, policy, as_of),
        mrr=mrr,
        active=active,
        first_revenue_date=first,
        plan_id=main.plan_id if main else None,
        currency=main.currency if main else None,
    )
