"""Renewal terms: each contract or long subscription term that falls due, and its fate.

Amounts are annualised (MRR x 12) in reporting minor units, so that a three-year
contract renewed for one year compares like for like.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from tenure.revenue.calendar import ONE_DAY, add_months
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import ContractInput, CustomerInput, SubscriptionInput
from tenure.revenue.normalise import (
    Segment,
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
OUTCOMES = (*WON, CHURNED, OPEN)


@dataclass(slots=True)
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


def _renewed(
    source: str,
    external_id: str,
    start: dt.date,
    due_date: dt.date,
    due: int,
    renewal_id: str,
    renewed: int,
) -> Term:
    """A term that was renewed, with or without upsell or downsell."""
    return Term(
        source, external_id, start, due_date, due, _outcome(due, renewed),
        renewal_id, renewed, renewed,
    )  # fmt: skip


def _not_renewed(
    source: str,
    external_id: str,
    start: dt.date,
    due_date: dt.date,
    due: int,
    decided: bool,
    forecast: int,
) -> Term:
    """A term nothing renewed: churned once decided, open (at its forecast) before."""
    if decided:
        return Term(source, external_id, start, due_date, due, CHURNED, None, 0, 0)
    return Term(source, external_id, start, due_date, due, OPEN, None, 0, forecast)


def _outcome(due: int, renewed: int) -> str:
    if renewed > due:
        return UPSELL
    if renewed < due:
        return DOWNSELL
    return RENEWED


def contract_terms(
    contracts: tuple[ContractInput, ...],
    fx: FxTable,
    policy: Policy,
    as_of: dt.date,
    successors: dict[str, tuple[ContractInput, bool]] | None = None,
) -> list[Term]:
    """Return one term per contract, matched with its renewal.

    ``successors`` is :func:`contract_successors` of the contracts, if known.
    """
    terms: list[Term] = []
    if not contracts:
        return terms
    grace = dt.timedelta(days=policy.contract_grace_days)
    if successors is None:
        successors = contract_successors(contracts, policy.contract_grace_days)
    for contract in contracts:
        due = fx.convert(contract_mrr(contract) * 12, contract.currency, contract.start)
        successor = successors.get(contract.external_id)
        if successor is not None:
            follower = successor[0]
            renewed = fx.convert(
                contract_mrr(follower) * 12, follower.currency, follower.start
            )
            terms.append(
                _renewed(
                    "contract", contract.external_id, contract.start, contract.end,
                    due, follower.external_id, renewed,
                )
            )  # fmt: skip
            continue
        decided = as_of > contract.end + grace
        forecast = due
        if not decided and contract.forecast_renewal is not None:
            forecast = min(
                fx.convert(contract.forecast_renewal, contract.currency, contract.end),
                due,
            )
        terms.append(
            _not_renewed(
                "contract", contract.external_id, contract.start, contract.end,
                due, decided, forecast,
            )
        )  # fmt: skip
    return terms


def _term_months(sub: SubscriptionInput, policy: Policy) -> int | None:
    """Return the length of a subscription's renewal terms; ``None`` if it has none."""
    if sub.interval in ("week", "month") and sub.interval_count < 12:
        return None
    return _renewal_term_months(
        sub.interval, sub.interval_count, policy.renewal_min_interval_months
    )


@functools.cache
def _renewal_term_months(interval: str, count: int, minimum: int) -> int | None:
    """Whole months of a renewal term; ``None`` below ``minimum`` months."""
    months = interval_months(interval, count)
    if months < minimum:
        return None
    return int(months)


class _Subscriptions:
    """A customer's subscriptions with their paid windows and segments, found once."""

    def __init__(
        self,
        subs: tuple[SubscriptionInput, ...],
        policy: Policy,
        segments: Sequence[list[Segment]] | None = None,
    ) -> None:
        self.subs = subs
        self.policy = policy
        self.windows = [subscription_window(sub, policy) for sub in subs]
        self._segments: list[list[Segment] | None] = (
            list(segments) if segments is not None else [None] * len(subs)
        )

    def segments(self, index: int) -> list[Segment]:
        """Return the MRR segments of the subscription at ``index``."""
        found = self._segments[index]
        if found is None:
            found = self._segments[index] = subscription_segments(
                self.subs[index], self.policy
            )
        return found

    def next_after(self, index: int, end: dt.date) -> int | None:
        """The subscription that starts within the grace period after ``end``."""
        sub = self.subs[index]
        limit = end + dt.timedelta(days=self.policy.contract_grace_days)
        earliest = end - ONE_DAY
        candidates = [
            other
            for other, (other_start, _) in enumerate(self.windows)
            if self.subs[other].external_id != sub.external_id
            and sub.start < other_start
            and earliest <= other_start <= limit
        ]
        return min(
            candidates,
            key=lambda other: (self.subs[other].start, self.subs[other].external_id),
            default=None,
        )


def subscription_terms(
    sub: SubscriptionInput,
    others: tuple[SubscriptionInput, ...],
    fx: FxTable,
    policy: Policy,
    as_of: dt.date,
) -> list[Term]:
    """Return the terms of a subscription billed yearly or less often."""
    step = _term_months(sub, policy)
    if step is None:
        return []
    subs = _Subscriptions((sub, *others), policy)
    return _subscription_terms(subs, 0, step, fx, as_of, add_months(as_of, 12))


def _subscription_terms(
    subs: _Subscriptions,
    index: int,
    step: int,
    fx: FxTable,
    as_of: dt.date,
    horizon: dt.date,
) -> list[Term]:
    """Return the terms, ``step`` months each, of the subscription at ``index``."""
    sub = subs.subs[index]
    start, end = subs.windows[index]
    segments = subs.segments(index)
    terms: list[Term] = []
    term_start = start
    k = 1
    while term_start <= horizon and (end is None or term_start < end):
        term_end = add_months(start, k * step)
        due_date = term_end - ONE_DAY
        due = mrr_on(segments, due_date, fx)[0] * 12
        if end is not None and end <= term_end:
            follower = subs.next_after(index, end)
            if follower is not None:
                renewed = mrr_on(subs.segments(follower), end, fx)[0] * 12
                terms.append(
                    _renewed(
                        "subscription", sub.external_id, term_start, due_date, due,
                        subs.subs[follower].external_id, renewed,
                    )
                )  # fmt: skip
            else:
                terms.append(
                    _not_renewed(
                        "subscription", sub.external_id, term_start, due_date, due,
                        end <= as_of, due,
                    )
                )  # fmt: skip
            break
        if term_end <= as_of:
            renewed = mrr_on(segments, term_end, fx)[0] * 12
            terms.append(
                _renewed(
                    "subscription", sub.external_id, term_start, due_date, due,
                    sub.external_id, renewed,
                )
            )  # fmt: skip
        else:
            terms.append(
                _not_renewed(
                    "subscription", sub.external_id, term_start, due_date, due,
                    False, due,
                )
            )  # fmt: skip
        term_start = term_end
        k += 1
    return terms


def customer_terms(
    customer: CustomerInput,
    fx: FxTable,
    policy: Policy,
    as_of: dt.date,
    segments: Sequence[list[Segment]] | None = None,
    successors: dict[str, tuple[ContractInput, bool]] | None = None,
) -> list[Term]:
    """Return every renewal term of one customer, ordered by due date.

    ``segments`` (per subscription) and ``successors`` (of the contracts) save
    recomputing what the caller already has.
    """
    terms = contract_terms(customer.contracts, fx, policy, as_of, successors)
    steps = {
        index: step
        for index, sub in enumerate(customer.subscriptions)
        if (step := _term_months(sub, policy)) is not None
    }
    if steps:
        subs = _Subscriptions(customer.subscriptions, policy, segments)
        horizon = add_months(as_of, 12)
        for index, step in steps.items():
            terms.extend(_subscription_terms(subs, index, step, fx, as_of, horizon))
    terms.sort(key=lambda t: (t.due_date, t.source, t.source_external_id))
    return terms
