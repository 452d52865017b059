"""Renewal terms: each contract or long subscription term that falls due, and its fate.

Amounts are annualised (MRR x 12) in reporting minor units, so that a three-year
contract renewed for one year compares like for like.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tenure.revenue.calendar import ONE_DAY, add_months
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import ContractInput, CustomerInput, SubscriptionInput
from tenure.revenue.normalise import (
    contract_mrr,
    contract_successors,
    interval_months,
    subscription_segments,
    subscription_window,
)
from tenure.revenue.policy import Policy
from tenure.revenue.timeline import mrr_on

RENEWED = "renewed"
UPSELL = "upsell"
DOWNSELL = "downsell"
CHURNED = "churned"
OPEN = "open"
WON = (RENEWED, UPSELL, DOWNSELL)
OUTCOMES = (RENEWED, UPSELL, DOWNSELL, CHURNED, OPEN)


@dataclass(frozen=True, slots=True)
class Term:
    """A term that falls due on ``due_date`` (its last day) and its outcome."""

    source: str
    source_external_id: str
    term_start: dt.date
    due_date: dt.date
    due_amount: int
    outcome: str
    renewal_external_id: str | None = None
    renewed_amount: int = 0
    forecast_amount: int | None = None


def _outcome(due: int, renewed: int) -> str:
    if renewed > due:
        return UPSELL
    if renewed < due:
        return DOWNSELL
    return RENEWED


def contract_terms(
    contracts: tuple[ContractInput, ...], fx: FxTable, policy: Policy, as_of: dt.date
) -> list[Term]:
    """Return one term per contract, matched with its renewal."""
    grace = dt.timedelta(days=policy.contract_grace_days)
    successors = contract_successors(contracts, policy.contract_grace_days)
    terms: list[Term] = []
    for contract in contracts:
        due = fx.convert(contract_mrr(contract) * 12, contract.currency, contract.start)
        successor = successors.get(contract.external_id)
        if successor is not None:
            follower = successor[0]
            renewed = fx.convert(
                contract_mrr(follower) * 12, follower.currency, follower.start
            )
            terms.append(
                Term(
                    "contract",
                    contract.external_id,
                    contract.start,
                    contract.end,
                    due,
                    _outcome(due, renewed),
                    follower.external_id,
                    renewed,
                    renewed,
                )
            )
            continue
        decided = as_of > contract.end + grace
        forecast: int | None = None
        if not decided:
            forecast = due
        if not decided and contract.forecast_renewal is not None:
            forecast = min(
                fx.convert(contract.forecast_renewal, contract.currency, contract.end),
                due,
            )
        terms.append(
            Term(
                "contract",
                contract.external_id,
                contract.start,
                contract.end,
                due,
                CHURNED if decided else OPEN,
                forecast_amount=0 if decided else forecast,
            )
        )
    return terms


def subscription_terms(
    sub: SubscriptionInput,
    others: tuple[SubscriptionInput, ...],
    fx: FxTable,
    policy: Policy,
    as_of: dt.date,
) -> list[Term]:
    """Return the terms of a subscription billed yearly or less often."""
    if sub.interval in ("week", "month") and sub.interval_count < 12:
        return []
    months = interval_months(sub.interval, sub.interval_count)
    if months < policy.renewal_min_interval_months:
        return []
    step = int(months)
    start, end = subscription_window(sub, policy)
    segments = subscription_segments(sub, policy)
    horizon = add_months(as_of, 12)
    terms: list[Term] = []
    k = 1
    while True:
        term_start = add_months(start, (k - 1) * step)
        term_end = add_months(start, k * step)
        if term_start > horizon or (end is not None and term_start >= end):
            break
        due_date = term_end - ONE_DAY
        due = mrr_on(segments, due_date, fx)[0] * 12
        if end is not None and end <= term_end:
            follower = _next_subscription(sub, others, end, policy)
            if follower is not None:
                follower_segments = subscription_segments(follower, policy)
                renewed = mrr_on(follower_segments, end, fx)[0] * 12
                terms.append(
                    Term(
                        "subscription",
                        sub.external_id,
                        term_start,
                        due_date,
                        due,
                        _outcome(due, renewed),
                        follower.external_id,
                        renewed,
                        renewed,
                    )
                )
            else:
                decided = end <= as_of
                terms.append(
                    Term(
                        "subscription",
                        sub.external_id,
                        term_start,
                        due_date,
                        due,
                        CHURNED if decided else OPEN,
                        forecast_amount=0 if decided else due,
                    )
                )
            break
        if term_end <= as_of:
            renewed = mrr_on(segments, term_end, fx)[0] * 12
            outcome = _outcome(due, renewed)
            terms.append(
                Term(
                    "subscription",
                    sub.external_id,
                    term_start,
                    due_date,
                    due,
                    outcome,
                    sub.external_id,
                    renewed,
                    renewed,
                )
            )
        else:
            terms.append(
                Term(
                    "subscription",
                    sub.external_id,
                    term_start,
                    due_date,
                    due,
                    OPEN,
                    forecast_amount=due,
                )
            )
        k += 1
    return terms


def _next_subscription(
    sub: SubscriptionInput,
    others: tuple[SubscriptionInput, ...],
    end: dt.date,
    policy: Policy,
) -> SubscriptionInput | None:
    """The customer's subscription that starts within the grace period after ``end``."""
    limit = end + dt.timedelta(days=policy.contract_grace_days)
    candidates = [
        other
        for other in others
        if other.external_id != sub.external_id
        and sub.start < subscription_window(other, policy)[0]
        and end - ONE_DAY <= subscription_window(other, policy)[0] <= limit
    ]
    return min(candidates, key=lambda s: (s.start, s.external_id), default=None)


def customer_terms(
    customer: CustomerInput, fx: FxTable, policy: Policy, as_of: dt.date
) -> list[Term]:
    """Return every renewal term of one customer, ordered by due date."""
    terms = contract_terms(customer.contracts, fx, policy, as_of)
    for sub in customer.subscriptions:
        terms.extend(subscription_terms(sub, customer.subscriptions, fx, policy, as_of))
    return sorted(terms, key=lambda t: (t.due_date, t.source, t.source_external_id))
