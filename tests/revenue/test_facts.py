"""Fact rows: the flat form in which the engine's results are stored."""

from __future__ import annotations

import datetime as dt

from tenure.revenue.engine import compute
from tenure.revenue.facts import compute_many, fact_rows
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import CustomerInput, ItemInput, SubscriptionInput
from tenure.revenue.policy import Policy


def _customers(count: int) -> list[CustomerInput]:
    start = dt.date(2023, 1, 1)
    return [
        CustomerInput(
            i,
            (
                SubscriptionInput(
                    f"s{i}",
                    "USD",
                    start + dt.timedelta(days=i % 400),
                    (ItemInput(1_000 + i),),
                    start + dt.timedelta(days=400 + i % 300) if i % 3 else None,
                    "year" if i % 4 == 0 else "month",
                ),
            ),
        )
        for i in range(count)
    ]


def test_bulk_compute_matches_one_by_one() -> None:
    customers = _customers(300)
    args = (FxTable("USD"), Policy(), dt.date(2025, 6, 1))
    rows = compute_many(customers, *args)
    assert rows == [fact_rows(compute(c, *args)) for c in customers]


def test_fact_rows_follow_the_table_columns() -> None:
    result = compute(_customers(1)[0], FxTable("USD"), Policy(), dt.date(2025, 6, 1))
    rows = fact_rows(result)
    assert rows.movements[0][1:] == (dt.date(2023, 1, 1), "new", 83, 83)  # 1,000/12
