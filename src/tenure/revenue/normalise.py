"""Turn subscriptions and contracts into MRR segments: a monthly amount over dates.

A segment is one stretch of time during which one source earns a constant monthly
amount in its own currency. The timeline adds segments up per customer and day.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from tenure.revenue.calendar import (
    ONE_DAY,
    add_months,
    months_between,
    whole_months_between,
)
from tenure.revenue.inputs import (
    ContractInput,
    CustomerInput,
    ItemInput,
    SubscriptionInput,
)
from tenure.revenue.policy import Policy

# Billing interval lengths in months; a week is 12/52 of a month (x 52/12 monthly).
INTERVAL_MONTHS = {
    "week": Fraction(12, 52),
    "month": Fraction(1),
    "quarter": Fraction(3),
    "year": Fraction(12),
}


class Segment(NamedTuple):
    """A constant monthly amount earned by one source from ``start`` until ``end``."""

    source: str
    start: dt.date
    end: dt.date | None
    currency: str
    mrr: int
    paying: bool
    fx_anchor: dt.date
    fx_step_months: int
    plan_id: int | None = None
    pending_from: dt.date | None = None


def divide_half_even(numerator: int, denominator: int) -> int:
    """Divide two integers, rounding half to even (``denominator`` > 0)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def per_month(amount: int | Fraction, months: Fraction) -> int:
    """Return ``amount`` per ``months`` as a whole monthly amount, ties to even."""
    return _per_month(amount, months.numerator, months.denominator)


def _per_month(amount: int | Fraction, numerator: int, denominator: int) -> int:
    """:func:`per_month` with the months as ``numerator / denominator``."""
    if isinstance(amount, int):
        return divide_half_even(amount * denominator, numerator)
    return divide_half_even(
        amount.numerator * denominator, amount.denominator * numerator
    )


@functools.cache
def interval_months(interval: str, count: int = 1) -> Fraction:
    """Return the length of a billing interval in months."""
    try:
        return INTERVAL_MONTHS[interval] * count
    except KeyError:
        raise ValueError(f"unknown billing interval '{interval}'") from None


@functools.cache
def _billing_period(interval: str, count: int) -> tuple[int, int, int]:
    """A billing period's months as numerator and denominator, and its FX step.

    The FX step is the whole months (at least one) for which a period keeps its rate.
    """
    months = interval_months(interval, count)
    return months.numerator, months.denominator, max(int(months), 1)


def _min_end(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _item_price(item: ItemInput, discounted: bool) -> int | Fraction:
    list_price = item.unit_amount * item.quantity
    if not discounted:
        return list_price
    price: int | Fraction = list_price
    if item.discount_percent:
        price = price * (1 - Fraction(Decimal(item.discount_percent)) / 100)
    if item.discount_amount:
        price -= item.discount_amount
    return max(price, 0)


def _subtract(
    spans: list[tuple[dt.date, dt.date | None]], hole: tuple[dt.date, dt.date | None]
) -> list[tuple[dt.date, dt.date | None]]:
    """Remove the span ``hole`` from each span of ``spans``."""
    hole_start, hole_end = hole
    result: list[tuple[dt.date, dt.date | None]] = []
    for start, end in spans:
        if end is not None and end <= hole_start:
            result.append((start, end))
            continue
        if hole_end is not None and hole_end <= start:
            result.append((start, end))
            continue
        if start < hole_start:
            result.append((start, hole_start))
        if hole_end is not None and (end is None or hole_end < end):
            result.append((hole_end, end))
    return result


Piece = tuple[dt.date, dt.date | None, int | Fraction]
"""A stretch of an item's service and the price per billing period over it."""


def _discount_pieces(
    spans: list[tuple[dt.date, dt.date | None]], discount_end: dt.date, item: ItemInput
) -> list[Piece]:
    """Split spans into a discounted part before ``discount_end`` and the rest."""
    pieces: list[Piece] = []
    for span_start, span_end in spans:
        discounted_end = _min_end(span_end, discount_end)
        if discounted_end is None or span_start < discounted_end:
            pieces.append((span_start, discounted_end, _item_price(item, True)))
        full_start = max(span_start, discount_end)
        if span_end is None or full_start < span_end:
            pieces.append((full_start, span_end, _item_price(item, False)))
    return pieces


def subscription_window(
    sub: SubscriptionInput, policy: Policy
) -> tuple[dt.date, dt.date | None]:
    """Return the paid span of a subscription after trial, cancellation and dunning."""
    start = sub.start
    if sub.trial_end is not None and sub.trial_end > start:
        start = sub.trial_end
    end = sub.end
    if policy.churn_recognition == "at_request" and sub.canceled_at is not None:
        end = _min_end(end, max(sub.canceled_at, start))
    if policy.past_due_churn_days and sub.past_due_since is not None:
        cutoff = sub.past_due_since + dt.timedelta(days=policy.past_due_churn_days)
        end = _min_end(end, max(cutoff, start))
    return start, end


def _item_pieces(
    item: ItemInput,
    sub: SubscriptionInput,
    start: dt.date,
    end: dt.date | None,
    policy: Policy,
) -> list[Piece]:
    """Split an item's service inside the paid window by pauses and discounts."""
    list_price = item.unit_amount * item.quantity
    if (
        item.start is None
        and item.end is None
        and not sub.pauses
        and not (item.discount_percent or item.discount_amount)
    ):
        # The common case: one undiscounted piece over the whole window.
        return [(start, end, list_price)] if end is None or start < end else []
    # The window lies inside the subscription's own span, so an item without
    # dates of its own spans the window.
    item_start = start if item.start is None else max(item.start, start)
    item_end = end if item.end is None else _min_end(item.end, end)
    if item_end is not None and item_end <= item_start:
        return []
    spans: list[tuple[dt.date, dt.date | None]] = [(item_start, item_end)]
    for pause in sub.pauses:
        spans = _subtract(spans, pause)
    if not spans:
        return []
    has_discount = bool(item.discount_percent or item.discount_amount)
    expiring = has_discount and item.discount_end is not None
    deduct = has_discount and (policy.discount_mode == "deduct" or not expiring)
    if deduct and expiring:
        assert item.discount_end is not None
        return _discount_pieces(spans, item.discount_end, item)
    price = _item_price(item, True) if deduct else list_price
    return [(span_start, span_end, price) for span_start, span_end in spans]


def subscription_segments(sub: SubscriptionInput, policy: Policy) -> list[Segment]:
    """Return the MRR segments of one subscription."""
    start, end = subscription_window(sub, policy)
    numerator, denominator, step = _billing_period(sub.interval, sub.interval_count)
    source = f"subscription:{sub.external_id}"
    segments: list[Segment] = []
    for item in sub.items:
        paying = item.unit_amount * item.quantity > 0
        plan_id = item.plan_id or sub.plan_id
        for piece_start, piece_end, price in _item_pieces(
            item, sub, start, end, policy
        ):
            segments.append(
                Segment(
                    source,
                    piece_start,
                    piece_end,
                    sub.currency,
                    _per_month(price, numerator, denominator),
                    paying,
                    start,
                    step,
                    plan_id,
                )
            )
    return segments


def contract_mrr(contract: ContractInput) -> int:
    """Return a contract's MRR: its recurring value over its length in months."""
    end_exclusive = contract.end + ONE_DAY
    whole = whole_months_between(contract.start, end_exclusive)
    if add_months(contract.start, whole) >= end_exclusive:
        # A whole number of months: no fraction needed.
        return divide_half_even(contract.recurring_amount, whole) if whole else 0
    return per_month(
        contract.recurring_amount, months_between(contract.start, end_exclusive)
    )


def contract_successors(
    contracts: tuple[ContractInput, ...], grace_days: int
) -> dict[str, tuple[ContractInput, bool]]:
    """Map each contract's external id to its renewal and whether the renewal names it.

    A contract that names the one it renews is that contract's renewal. Failing that,
    the customer's next contract that starts after it and no later than the end of
    its grace period, and runs beyond it, renews it.
    """
    result: dict[str, tuple[ContractInput, bool]] = {}
    if not contracts:
        return result
    grace = dt.timedelta(days=grace_days)
    claimed: set[str] = set()
    for contract in sorted(contracts, key=lambda c: (c.start, c.external_id)):
        if contract.renews is not None and contract.renews not in result:
            result[contract.renews] = (contract, True)
            claimed.add(contract.external_id)
    for contract in sorted(contracts, key=lambda c: (c.end, c.external_id)):
        if contract.external_id in result:
            continue
        limit = contract.end + ONE_DAY + grace
        candidates = [
            other
            for other in contracts
            if other.renews is None
            and other.external_id not in claimed
            and other.external_id != contract.external_id
            and contract.start < other.start <= limit
            and other.end > contract.end
        ]
        if candidates:
            chosen = min(candidates, key=lambda c: (c.start, c.external_id))
            result[contract.external_id] = (chosen, False)
            claimed.add(chosen.external_id)
    return result


def contract_segments(
    contracts: tuple[ContractInput, ...],
    policy: Policy,
    successors: dict[str, tuple[ContractInput, bool]] | None = None,
) -> list[Segment]:
    """Return the MRR segments of a customer's contracts, renewals and grace periods.

    ``successors`` is :func:`contract_successors` of the contracts, if known.
    """
    segments: list[Segment] = []
    if not contracts:
        return segments
    grace = dt.timedelta(days=policy.contract_grace_days)
    if successors is None:
        successors = contract_successors(contracts, policy.contract_grace_days)
    for contract in contracts:
        end_exclusive = contract.end + ONE_DAY
        grace_end = end_exclusive + grace
        successor = successors.get(contract.external_id)
        if successor is None:
            end = grace_end
        else:
            follower, named = successor
            if follower.start <= end_exclusive:
                end = follower.start if named else end_exclusive
            else:
                end = min(follower.start, grace_end)
        end = max(end, contract.start)
        if end == contract.start:
            continue
        segments.append(
            Segment(
                source=f"contract:{contract.external_id}",
                start=contract.start,
                end=end,
                currency=contract.currency,
                mrr=contract_mrr(contract),
                paying=contract.recurring_amount > 0,
                fx_anchor=contract.start,
                fx_step_months=0,
                plan_id=contract.plan_id,
                pending_from=end_exclusive if end > end_exclusive else None,
            )
        )
    return segments


def customer_segments(customer: CustomerInput, policy: Policy) -> list[Segment]:
    """Return every MRR segment of one customer."""
    segments: list[Segment] = []
    for sub in customer.subscriptions:
        segments.extend(subscription_segments(sub, policy))
    segments.extend(contract_segments(customer.contracts, policy))
    return segments
