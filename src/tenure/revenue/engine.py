"""The revenue engine's entry point: one customer's inputs in, all its facts out.

Pure domain code: no I/O. The service layer loads inputs, calls :func:`compute`
per customer and stores the result, so that a change to one customer recomputes
that customer only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenure.revenue.calendar import ONE_DAY, month_first, month_index
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import CustomerInput
from tenure.revenue.normalise import (
    Segment,
    contract_segments,
    contract_successors,
    subscription_segments,
)
from tenure.revenue.policy import Policy
from tenure.revenue.renewals import Term, customer_terms
from tenure.revenue.timeline import CHURN, NEW, REACTIVATION, Movement, movements

_STARTS = frozenset((NEW, REACTIVATION))


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


@dataclass(slots=True)
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
        if move.kind in _STARTS:
            active = True
        elif move.kind == CHURN:
            active = False
    return mrr, active


def _month_snapshots(
    moves: list[Movement], segments: list[Segment]
) -> list[MonthSnapshot]:
    """Run-length encode a customer's month-end state into spans of months.

    Months are handled as :func:`month_index` numbers; only the snapshots get dates.
    """
    # A segment's pending renewal counts at the end of month ``m`` when it starts no
    # later than that month and ends after it: ``start <= m < end``.
    pending = [
        (
            month_index(seg.pending_from),
            None if seg.end is None else month_index(seg.end),
        )
        for seg in segments
        if seg.pending_from is not None
    ]
    move_months = [month_index(move.date) for move in moves]
    if pending:
        months = set(move_months)
        for start, end in pending:
            months.add(start)
            if end is not None:
                months.add(end)
        ordered = sorted(months)
    else:
        ordered = list(dict.fromkeys(move_months))  # moves are in date order
    snapshots: list[MonthSnapshot] = []
    run_last: int | None = None  # the last month of the latest snapshot
    index, count, mrr, active = 0, len(moves), 0, False
    final = len(ordered) - 1
    for position, month in enumerate(ordered):
        while index < count and move_months[index] <= month:
            move = moves[index]
            mrr = move.mrr_after
            if move.kind in _STARTS:
                active = True
            elif move.kind == CHURN:
                active = False
            index += 1
        if not (active or mrr):
            continue
        is_pending = bool(pending) and any(
            start <= month and (end is None or month < end) for start, end in pending
        )
        last = ordered[position + 1] - 1 if position < final else None
        month_to = None if last is None else month_first(last)
        previous = snapshots[-1] if snapshots else None
        if (
            previous is not None
            and run_last == month - 1
            and (previous.mrr, previous.active, previous.pending_renewal)
            == (mrr, active, is_pending)
        ):
            previous.month_to = month_to
        else:
            snapshots.append(
                MonthSnapshot(month_first(month), month_to, mrr, active, is_pending)
            )
        run_last = last
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
    by_subscription = [
        subscription_segments(sub, policy) for sub in customer.subscriptions
    ]
    successors = contract_successors(customer.contracts, policy.contract_grace_days)
    segments = [seg for segs in by_subscription for seg in segs]
    segments.extend(contract_segments(customer.contracts, policy, successors))
    moves = movements(segments, fx, policy)
    mrr, active = state_at(moves, as_of)
    main = _main_segment(segments, moves)
    first = next((m.date for m in moves if m.kind == NEW), None)
    return CustomerRevenue(
        account_id=customer.account_id,
        movements=moves,
        months=_month_snapshots(moves, segments),
        terms=customer_terms(customer, fx, policy, as_of, by_subscription, successors),
        mrr=mrr,
        active=active,
        first_revenue_date=first,
        plan_id=main.plan_id if main else None,
        currency=main.currency if main else None,
    )
