"""Compute and store revenue facts: a full rebuild, or a few customers at a time."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, delete, select, text
from sqlalchemy.orm import Session

from tenure.db.base import utcnow
from tenure.db.bulk import insert_rows
from tenure.revenue.engine import compute
from tenure.revenue.facts import FactRows, collector_paused, compute_many, fact_rows
from tenure.revenue.loading import load_customers, load_fx, load_policy, today
from tenure.revenue.models import (
    AccountMonthSnapshot,
    AccountRevenue,
    MrrMovement,
    RenewalTerm,
    RevenueFactState,
)
from tenure.revenue.policy import Policy

log = logging.getLogger(__name__)

FACT_TABLES = (MrrMovement, AccountMonthSnapshot, RenewalTerm, AccountRevenue)


class StaleFactsError(RuntimeError):
    """The stored facts were computed for another reporting currency; rebuild."""


@dataclass(frozen=True)
class RebuildStats:
    """What a rebuild did and how long its steps took, in seconds."""

    customers: int
    movements: int
    load_seconds: float
    compute_seconds: float
    store_seconds: float


def rebuild(session: Session, as_of: dt.date | None = None) -> RebuildStats:
    """Recompute every customer's facts and replace all stored facts.

    The cyclic garbage collector is paused throughout: loading, computing and
    storing a large company keeps millions of objects alive, none in cycles, and
    the collector's passes over them would cost more than the work itself.
    """
    with collector_paused():
        started = time.perf_counter()
        session.flush()
        policy = load_policy(session)
        as_of = as_of or today(session)
        fx = load_fx(session, policy.reporting_currency)
        customers = load_customers(session)
        loaded = time.perf_counter()
        results = compute_many(list(customers.values()), fx, policy, as_of)
        computed = time.perf_counter()
        _replace_facts(session, results)
        _record_state(session, policy, as_of)
        session.flush()
        stored = time.perf_counter()
    stats = RebuildStats(
        customers=len(results),
        movements=sum(len(r.movements) for r in results),
        load_seconds=loaded - started,
        compute_seconds=computed - loaded,
        store_seconds=stored - computed,
    )
    log.info("revenue rebuilt: %s", stats)
    return stats


def _replace_facts(session: Session, results: list[FactRows]) -> None:
    """Replace every stored fact with ``results``."""
    for table in FACT_TABLES:
        session.execute(delete(table))
    # Filling emptied tables and indexing afterwards beats updating the indexes
    # row by row (several times faster on SQLite for a large company).
    connection = session.connection()
    indexes = [
        index for table in FACT_TABLES for index in cast(Table, table.__table__).indexes
    ]
    for index in indexes:
        index.drop(bind=connection)
    store(session, results)
    for index in indexes:
        index.create(bind=connection)
    if connection.dialect.name == "postgresql":
        # Fresh statistics, so that per-customer reads and reports use the indexes.
        for table in FACT_TABLES:
            connection.execute(text(f"ANALYZE {table.__tablename__}"))


def recompute(
    session: Session, account_ids: Collection[int], as_of: dt.date | None = None
) -> list[FactRows]:
    """Recompute and store the facts of ``account_ids`` only."""
    if not account_ids:
        return []
    session.flush()
    policy = load_policy(session)
    state = session.get(RevenueFactState, 1)
    if state is not None and state.reporting_currency != policy.reporting_currency:
        log.warning(
            "facts are in %s but reporting currency is %s: rebuilding all",
            state.reporting_currency,
            policy.reporting_currency,
        )
        rebuild(session, as_of)
        return []
    as_of = as_of or today(session)
    fx = load_fx(session, policy.reporting_currency)
    customers = load_customers(session, account_ids)
    results = [
        fact_rows(compute(customers[a], fx, policy, as_of))
        for a in account_ids
        if a in customers
    ]
    ids = list(account_ids)
    for table in FACT_TABLES:
        session.execute(delete(table).where(table.account_id.in_(ids)))
    store(session, results)
    if state is None:
        _record_state(session, policy, as_of)
    session.flush()
    return results


def _record_state(session: Session, policy: Policy, as_of: dt.date) -> None:
    state = session.get(RevenueFactState, 1)
    if state is None:
        session.add(
            RevenueFactState(
                id=1, reporting_currency=policy.reporting_currency, as_of=as_of
            )
        )
    else:
        state.reporting_currency = policy.reporting_currency
        state.as_of = as_of


def fact_currency(session: Session) -> str:
    """Return the currency of the stored facts, checking it is still configured."""
    policy = load_policy(session)
    state = session.get(RevenueFactState, 1)
    if state is not None and state.reporting_currency != policy.reporting_currency:
        raise StaleFactsError(
            f"revenue facts are in {state.reporting_currency} but the reporting "
            f"currency is {policy.reporting_currency}; run 'tenure rebuild'"
        )
    return policy.reporting_currency


def store(session: Session, results: list[FactRows]) -> None:
    """Insert the facts of customers whose old facts were already deleted."""
    insert_rows(
        session,
        MrrMovement.__tablename__,
        ("account_id", "date", "kind", "amount_minor", "mrr_after_minor"),
        (row for r in results for row in r.movements),
    )
    insert_rows(
        session,
        AccountMonthSnapshot.__tablename__,
        ("account_id", "month_from", "month_to", "mrr_minor", "active",
         "pending_renewal"),
        (row for r in results for row in r.months),
    )  # fmt: skip
    insert_rows(
        session,
        RenewalTerm.__tablename__,
        ("account_id", "source", "source_external_id", "term_start", "due_date",
         "due_amount_minor", "outcome", "renewal_external_id",
         "renewed_amount_minor", "forecast_amount_minor"),
        (row for r in results for row in r.terms),
    )  # fmt: skip
    now = utcnow()
    insert_rows(
        session,
        AccountRevenue.__tablename__,
        ("account_id", "mrr_minor", "active", "first_revenue_date", "plan_id",
         "currency", "computed_at"),
        ((*r.revenue, now) for r in results),
    )  # fmt: skip


def stored_movements(session: Session) -> list[tuple[int, dt.date, str, int]]:
    """Return every stored movement as ``(account_id, date, kind, amount)``."""
    query = select(
        MrrMovement.account_id,
        MrrMovement.date,
        MrrMovement.kind,
        MrrMovement.amount_minor,
    ).order_by(MrrMovement.date, MrrMovement.id)
    return [(row[0], row[1], row[2], row[3]) for row in session.execute(query)]
