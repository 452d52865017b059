"""Run the engine over many customers on every core of the machine.

Customers are independent, so a full rebuild splits them into one slice per worker
process. Workers are forked: they inherit the inputs instead of receiving them, and
send back only the results. They never touch the database.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tenure.revenue.engine import CustomerRevenue, compute
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import CustomerInput
from tenure.revenue.policy import Policy

log = logging.getLogger(__name__)

# Below this many customers, starting workers costs more than it saves.
MIN_PARALLEL = 20_000

_job: tuple[Sequence[CustomerInput], FxTable, Policy, dt.date] | None = None

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class FactRows:
    """One customer's facts as plain tuples, in the column order of their tables.

    Plain tuples cross process boundaries several times faster than objects.
    """

    account_id: int
    movements: list[Row]
    months: list[Row]
    terms: list[Row]
    revenue: Row

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as a tuple of tuples."""
        return (
            FactRows,
            (self.account_id, self.movements, self.months, self.terms, self.revenue),
        )


def fact_rows(result: CustomerRevenue) -> FactRows:
    """Flatten one customer's engine result into rows for storage."""
    account = result.account_id
    return FactRows(
        account,
        [(account, m.date, m.kind, m.amount, m.mrr_after) for m in result.movements],
        [
            (account, s.month_from, s.month_to, s.mrr, s.active, s.pending_renewal)
            for s in result.months
        ],
        [
            (
                account,
                t.source,
                t.source_external_id,
                t.term_start,
                t.due_date,
                t.due_amount,
                t.outcome,
                t.renewal_external_id,
                t.renewed_amount,
                t.forecast_amount,
            )
            for t in result.terms
        ],
        (
            account,
            result.mrr,
            result.active,
            result.first_revenue_date,
            result.plan_id,
            result.currency,
        ),
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: the engine creates no reference cycles,
    and millions of long-lived result objects make its passes cost seconds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _slice(bounds: tuple[int, int]) -> list[FactRows]:
    assert _job is not None, "worker started without inherited inputs"
    customers, fx, policy, as_of = _job
    start, stop = bounds
    with _collector_paused():
        return [fact_rows(compute(c, fx, policy, as_of)) for c in customers[start:stop]]


def workers_available() -> int:
    """Return how many worker processes a full rebuild may use."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, len(os.sched_getaffinity(0)))


def compute_many(
    customers: Sequence[CustomerInput],
    fx: FxTable,
    policy: Policy,
    as_of: dt.date,
    workers: int | None = None,
) -> list[FactRows]:
    """Compute every customer's fact rows, in parallel when there are many."""
    global _job
    count = workers if workers is not None else workers_available()
    if count <= 1 or (workers is None and len(customers) < MIN_PARALLEL):
        with _collector_paused():
            return [fact_rows(compute(c, fx, policy, as_of)) for c in customers]
    size = -(-len(customers) // count)
    bounds = [
        (i, min(i + size, len(customers))) for i in range(0, len(customers), size)
    ]
    _job = (customers, fx, policy, as_of)
    try:
        with (
            multiprocessing.get_context("fork").Pool(count) as pool,
            _collector_paused(),
        ):
            parts = pool.map(_slice, bounds)
    finally:
        _job = None
    log.info("computed %d customers in %d processes", len(customers), count)
    return [result for part in parts for result in part]
