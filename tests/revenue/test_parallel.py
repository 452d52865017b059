"""A full rebuild computed in several processes gives exactly the serial result."""

from __future__ import annotations

import datetime as dt
import pickle

from tenure.revenue.engine import compute
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import CustomerInput, ItemInput, SubscriptionInput
from tenure.revenue.parallel import compute_many, fact_rows
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


def test_parallel_rebuild_matches_serial() -> None:
    customers = _customers(300)
    args = (FxTable("USD"), Policy(), dt.date(2025, 6, 1))
    serial = compute_many(customers, *args, workers=1)
    parallel = compute_many(customers, *args, workers=2)
    assert parallel == serial
    assert len({rows.account_id for rows in parallel}) == 300


def test_fact_rows_survive_pickling() -> None:
    result = compute(_customers(1)[0], FxTable("USD"), Policy(), dt.date(2025, 6, 1))
    rows = fact_rows(result)
    assert pickle.loads(pickle.dumps(rows)) == rows
    assert rows.movements[0][1:] == (dt.date(2023, 1, 1), "new", 83, 83)  # 1,000/12
