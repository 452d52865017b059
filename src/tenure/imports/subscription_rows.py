"""Validate subscription rows and group the rows of one subscription into items."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from tenure.billing.models import INTERVALS
from tenure.imports.cells import Row
from tenure.imports.columns import Columns

log = logging.getLogger(__name__)

COLUMNS = Columns(
    required=("subscription_id", "customer_id", "start_date"),
    one_of=(("monthly_amount", "amount"),),
    optional=(
        "end_date",
        "currency",
        "interval",
        "interval_count",
        "plan",
        "quantity",
        "discount_percent",
        "discount_amount",
        "discount_end_date",
        "trial_end_date",
        "canceled_at",
        "past_due_since",
        "pause_start",
        "pause_end",
    ),
)


@dataclass(frozen=True)
class ItemRecord:
    """One row of a subscription: a price per interval and unit, for a period."""

    plan: str | None
    unit_amount_minor: int
    quantity: int
    start_date: dt.date
    end_date: dt.date | None
    discount_percent: Decimal | None
    discount_amount_minor: int | None
    discount_end_date: dt.date | None


@dataclass
class SubscriptionRecord:
    """A subscription made of one or more rows with the same subscription_id."""

    number: int
    external_id: str
    customer: str
    currency: str
    interval: str
    interval_count: int
    plan: str | None
    trial_end_date: dt.date | None
    canceled_at: dt.date | None
    past_due_since: dt.date | None
    pause: tuple[dt.date, dt.date | None] | None
    items: list[ItemRecord] = field(default_factory=list)

    @property
    def start_date(self) -> dt.date:
        """Return the earliest start of the items."""
        return min(item.start_date for item in self.items)

    @property
    def end_date(self) -> dt.date | None:
        """Return the latest end of the items, or None while any item runs on."""
        ends = [item.end_date for item in self.items]
        return None if None in ends else max(end for end in ends if end is not None)


def _amount(row: Row, currency: str | None) -> int | None:
    """Return the unit amount per interval from ``amount`` or ``monthly_amount``."""
    monthly = "monthly_amount" in row.values
    if monthly and "amount" in row.values:
        row.problem("amount", "give monthly_amount or amount, not both")
        return None
    if not monthly and "amount" not in row.values:
        row.problem("amount", "a value is required (amount or monthly_amount)")
        return None
    if monthly:
        if row.values.get("interval", "month").lower() != "month":
            row.problem(
                "interval", "must be month with monthly_amount; use amount instead"
            )
        if row.values.get("interval_count", "1") != "1":
            row.problem(
                "interval_count", "must be 1 with monthly_amount; use amount instead"
            )
        return row.money("monthly_amount", currency)
    return row.money("amount", currency)


def _item(row: Row, currency: str | None, start: dt.date | None) -> ItemRecord | None:
    """Validate the per-row parts of a subscription row."""
    end = row.date("end_date")
    row.after("end_date", end, start, "start_date")
    unit = _amount(row, currency)
    plan = row.text("plan")
    quantity = row.integer("quantity", default=1, low=0)
    percent = row.decimal(
        "discount_percent",
        low=Decimal(0),
        high=Decimal(100),
        max_places=4,
        percent=True,
    )
    discount = row.money("discount_amount", currency)
    if percent is not None and discount is not None:
        row.problem(
            "discount_amount", "give discount_percent or discount_amount, not both"
        )
    discount_end = row.date("discount_end_date")
    if discount_end is not None and percent is None and discount is None:
        row.problem("discount_end_date", "is given without a discount")
    row.after("discount_end_date", discount_end, start, "start_date")
    if start is None or unit is None or quantity is None:
        return None
    return ItemRecord(plan, unit, quantity, start, end, percent, discount, discount_end)


def _record(
    row: Row,
    external_id: str | None,
    customer: str | None,
    currency: str | None,
    start: dt.date | None,
) -> SubscriptionRecord | None:
    """Validate the subscription-wide parts of the first row of a subscription."""
    interval = row.choice("interval", INTERVALS, "month")
    count = row.integer("interval_count", default=1, low=1)
    trial_end = row.date("trial_end_date")
    if trial_end is not None and start is not None and trial_end < start:
        row.problem("trial_end_date", "must not be before start_date")
    canceled_at = row.date("canceled_at")
    past_due = row.date("past_due_since")
    pause_start = row.date("pause_start")
    pause_end = row.date("pause_end")
    pause = None
    if pause_end is not None and pause_start is None:
        row.problem("pause_end", "is given without pause_start")
    row.after("pause_end", pause_end, pause_start, "pause_start")
    if pause_start is not None:
        pause = (pause_start, pause_end)
    if (
        external_id is None
        or customer is None
        or currency is None
        or interval is None
        or count is None
    ):
        return None
    return SubscriptionRecord(
        row.number,
        external_id,
        customer,
        currency,
        interval,
        count,
        row.values.get("plan"),
        trial_end,
        canceled_at,
        past_due,
        pause,
    )


def _agrees(row: Row, column: str, value: object, first: object, number: int) -> None:
    """Record a problem when a later row of a subscription disagrees with its first."""
    if value is not None and value != first:
        row.problem(
            column, f"differs from row {number} ('{first}') of the same subscription_id"
        )


def parse(rows: Iterable[Row], default_currency: str) -> list[SubscriptionRecord]:
    """Validate every row and group rows by subscription_id, in order of appearance.

    Subscription-wide values (trial, cancellation, pause...) come from the first row
    of a subscription; later rows must agree on customer, currency and interval.
    """
    records: dict[str, SubscriptionRecord] = {}
    for row in rows:
        external_id = row.text("subscription_id", required=True)
        customer = row.text("customer_id", required=True)
        currency = row.currency("currency", default=default_currency)
        start = row.date("start_date", required=True)
        item = _item(row, currency, start)
        candidate = _record(row, external_id, customer, currency, start)
        if external_id is None or candidate is None:
            continue
        record = records.setdefault(external_id, candidate)
        if record is not candidate:
            number = record.number
            _agrees(row, "customer_id", customer, record.customer, number)
            _agrees(row, "currency", currency, record.currency, number)
            _agrees(row, "interval", candidate.interval, record.interval, number)
            _agrees(
                row,
                "interval_count",
                candidate.interval_count,
                record.interval_count,
                number,
            )
        if item is not None:
            record.items.append(item)
    return [record for record in records.values() if record.items]
