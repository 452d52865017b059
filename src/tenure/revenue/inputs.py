"""Plain values the revenue engine computes from; built from the database or tests.

They are named tuples: immutable, and several times cheaper to build than frozen
dataclasses when a full rebuild loads hundreds of thousands of them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple


class ItemInput(NamedTuple):
    """A priced line of a subscription (amounts per billing interval, minor units)."""

    unit_amount: int
    quantity: int = 1
    start: dt.date | None = None
    end: dt.date | None = None
    discount_percent: Decimal | None = None
    discount_amount: int | None = None
    discount_end: dt.date | None = None
    plan_id: int | None = None


class SubscriptionInput(NamedTuple):
    """A subscription; ``end`` is exclusive (the first day without service)."""

    external_id: str
    currency: str
    start: dt.date
    items: tuple[ItemInput, ...]
    end: dt.date | None = None
    interval: str = "month"
    interval_count: int = 1
    trial_end: dt.date | None = None
    canceled_at: dt.date | None = None
    past_due_since: dt.date | None = None
    pauses: tuple[tuple[dt.date, dt.date | None], ...] = ()
    plan_id: int | None = None


class ContractInput(NamedTuple):
    """A fixed-term contract; ``end`` is inclusive, as written on the contract."""

    external_id: str
    currency: str
    start: dt.date
    end: dt.date
    recurring_amount: int
    renews: str | None = None
    plan_id: int | None = None
    forecast_renewal: int | None = None


class CustomerInput(NamedTuple):
    """Everything that makes up one customer's recurring revenue."""

    account_id: int
    subscriptions: tuple[SubscriptionInput, ...] = ()
    contracts: tuple[ContractInput, ...] = ()
