"""Metric values for all accounts at once: usage windows, MRR, renewals, sentiment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tenure.health import metrics
from tenure.health.measures import Metric
from tenure.health.models import SentimentEntry
from tenure.usage.models import UsageDaily

from .conftest import AS_OF, Company, days_before


def usage(field: str, aggregate: str, window: int) -> Metric:
    """A usage metric."""
    return Metric(source="usage", field=field, aggregate=aggregate, window_days=window)


def values_of(
    session: Session, wanted: list[Metric], accounts: list[int], as_of: dt.date = AS_OF
) -> dict[str, dict[int, float]]:
    """Compute ``wanted`` for ``accounts`` on ``as_of``."""
    mrr = metrics.mrr_on(session, as_of)
    return metrics.compute(session, wanted, as_of, accounts, mrr, "USD")


def test_mrr_on_takes_the_last_movement_up_to_the_day(
    session: Session, company: Company
) -> None:
    a = company.customer("A", mrr=10_000, since=dt.date(2026, 1, 1))
    company.movement(a, dt.date(2026, 3, 1), "expansion", 5_000, 15_000)
    company.movement(a, dt.date(2026, 3, 1), "fx", -100, 14_900)
    company.movement(a, dt.date(2026, 9, 1), "churn", -14_900, 0)
    b = company.customer("B", since=dt.date(2026, 7, 1))
    assert metrics.mrr_on(session, dt.date(2026, 2, 28)) == {a: 10_000}
    assert metrics.mrr_on(session, AS_OF) == {a: 14_900}
    assert metrics.mrr_on(session, dt.date(2026, 9, 1)) == {a: 0, b: 10_000}


def test_usage_sum_avg_max_over_the_window(session: Session, company: Company) -> None:
    a = company.customer("A")
    company.daily(a, days_before(59), AS_OF, active_users=2)
    for day, users in ((days_before(3), 0), (days_before(1), 10)):
        session.execute(
            update(UsageDaily)
            .where(UsageDaily.account_id == a, UsageDaily.day == day)
            .values(active_users=users)
        )
    wanted = [
        usage("active_users", "sum", 7),
        usage("active_users", "avg", 7),
        usage("active_users", "max", 7),
    ]
    got = values_of(session, wanted, [a])
    assert got["usage:sum:7:active_users"] == {a: 5 * 2 + 0 + 10}
    assert got["usage:avg:7:active_users"] == {a: pytest.approx(20 / 7)}
    assert got["usage:max:7:active_users"] == {a: 10}


def test_days_without_rows_count_as_no_usage_once_tracked(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    company.usage(a, days_before(40), active_users=4)
    company.usage(a, AS_OF, active_users=7)
    company.session.flush()
    got = values_of(session, [usage("active_users", "avg", 10)], [a])
    assert got["usage:avg:10:active_users"] == {a: pytest.approx(0.7)}


def test_a_newly_tracked_account_averages_over_its_tracked_days(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    company.daily(a, days_before(4), AS_OF, active_users=3)
    got = values_of(session, [usage("active_users", "avg", 30)], [a])
    assert got["usage:avg:30:active_users"] == {a: 3.0}


def test_gone_quiet_is_zero_but_never_tracked_is_missing(
    session: Session, company: Company
) -> None:
    quiet = company.customer("Q")
    company.usage(quiet, days_before(200), active_users=9)
    untracked = company.customer("U")
    company.session.flush()
    wanted = [usage("active_users", "avg", 30), usage("events", "sum", 30)]
    got = values_of(session, wanted, [quiet, untracked])
    assert got["usage:avg:30:active_users"] == {quiet: 0.0}
    assert got["usage:sum:30:events"] == {quiet: 0.0}


def test_change_compares_window_with_the_one_before(
    session: Session, company: Company
) -> None:
    falling = company.customer("F")
    company.daily(falling, days_before(19), days_before(10), active_users=10)
    company.daily(falling, days_before(9), AS_OF, active_users=6)
    level = company.customer("L")
    company.daily(level, days_before(40), AS_OF, active_users=0)
    young = company.customer("Y")
    company.daily(young, days_before(5), AS_OF, active_users=3)
    growing_from_zero = company.customer("G")
    company.daily(growing_from_zero, days_before(19), days_before(10), 0)
    company.daily(growing_from_zero, days_before(9), AS_OF, 5)
    accounts = [falling, level, young, growing_from_zero]
    got = values_of(session, [usage("active_users", "change", 10)], accounts)
    # The young account has no window before; from zero, a share is meaningless.
    assert got["usage:change:10:active_users"] == {
        falling: pytest.approx(-0.4),
        level: 0.0,
    }


def test_days_active_and_named_events(session: Session, company: Company) -> None:
    a = company.customer("A")
    company.usage(a, days_before(1), 3, event_counts={"report.run": 4, "login": 2})
    company.usage(a, days_before(2), 0, events=0)
    company.usage(a, days_before(3), 0, events=5, event_counts={"report.run": 1})
    company.usage(a, days_before(20), 2, event_counts={"report.run": 100})
    company.session.flush()
    wanted = [
        usage("days_active", "sum", 7),
        usage("days_active", "avg", 7),
        usage("event:report.run", "sum", 7),
        usage("event:never", "sum", 7),
    ]
    got = values_of(session, wanted, [a])
    assert got["usage:sum:7:days_active"] == {a: 2}
    assert got["usage:avg:7:days_active"] == {a: pytest.approx(2 / 7)}
    assert got["usage:sum:7:event:report.run"] == {a: 5}
    assert got["usage:sum:7:event:never"] == {a: 0}


def test_usage_is_read_in_one_aggregate_query(
    session: Session, company: Company
) -> None:
    accounts = [company.customer(f"A{n}") for n in range(5)]
    for account in accounts:
        company.daily(account, days_before(70), AS_OF, active_users=1)
    wanted = [
        usage(field, aggregate, window)
        for field in ("active_users", "events", "features_used")
        for aggregate in ("avg", "sum", "max", "change")
        for window in (7, 30)
    ]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    mrr = metrics.mrr_on(session, AS_OF)
    event.listen(engine, "before_cursor_execute", count)
    try:
        got = metrics.compute(session, wanted, AS_OF, accounts, mrr, "USD")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # The aggregate and the tracked-before probe; SQLite also reads the day span.
    assert len(statements) <= 4
    assert got["usage:change:30:events"] == dict.fromkeys(accounts, 0.0)


def test_mrr_change_over_the_window(session: Session, company: Company) -> None:
    grew = company.customer("G", mrr=10_000)
    company.movement(grew, days_before(10), "expansion", 5_000, 15_000)
    churned = company.customer("C", mrr=10_000)
    company.movement(churned, days_before(10), "churn", -10_000, 0)
    new = company.customer("N", since=days_before(30))
    flat = company.customer("F")
    metric = Metric(source="mrr_change", window_days=90)
    got = values_of(session, [metric], [grew, churned, new, flat])
    assert got["mrr_change:90"] == {grew: 0.5, churned: -1.0, flat: 0.0}


def test_renewal_days_to_the_earliest_open_term(
    session: Session, company: Company
) -> None:
    soon = company.customer("S")
    company.renewal(soon, dt.date(2026, 7, 15))
    company.renewal(soon, dt.date(2027, 7, 15))
    overdue = company.customer("O")
    company.renewal(overdue, dt.date(2026, 6, 20))
    closed = company.customer("D")
    company.renewal(closed, dt.date(2026, 5, 1), outcome="renewed")
    got = values_of(session, [Metric(source="renewal_days")], [soon, overdue, closed])
    assert got["renewal_days"] == {soon: 15.0, overdue: -10.0}


def test_latest_sentiment_within_each_window(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    b = company.customer("B")
    c = company.customer("C")
    for account, value, day in (
        (a, 2, days_before(40)),
        (a, 4, days_before(5)),
        (a, 1, days_before(5)),
        (b, 5, days_before(60)),
        (c, 3, days_before(-1)),
    ):
        session.add(SentimentEntry(account_id=account, value=value, recorded_on=day))
    session.flush()
    wanted = [
        Metric(source="sentiment", window_days=30),
        Metric(source="sentiment", window_days=90),
    ]
    got = values_of(session, wanted, [a, b, c])
    # Two entries on one day: the later one (higher id) counts.
    assert got["sentiment:30"] == {a: 1.0}
    assert got["sentiment:90"] == {a: 1.0, b: 5.0}


def test_numeric_custom_and_built_in_attributes(
    session: Session, company: Company
) -> None:
    a = company.customer(
        "A",
        mrr=12_345,
        since=dt.date(2026, 6, 20),
        custom_attributes={"seats": 40, "nps": " 7.5 ", "region_code": "EU"},
    )
    b = company.customer("B", custom_attributes={"seats": True})
    wanted = [
        Metric(source="attribute", field=name)
        for name in ("seats", "nps", "region_code", "mrr", "tenure_days")
    ]
    got = values_of(session, wanted, [a, b])
    assert got["attribute:seats"] == {a: 40.0}
    assert got["attribute:nps"] == {a: 7.5}
    assert got["attribute:region_code"] == {}
    assert got["attribute:mrr"] == {a: 123.45, b: 100.0}
    assert got["attribute:tenure_days"][a] == 10.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, 3.0), (2.5, 2.5), ("12", 12.0), (" 1e3 ", 1000.0), ("x", None),
     (True, None), (None, None), ("nan", None), ([1], None)],
)  # fmt: skip
def test_number(raw: object, expected: float | None) -> None:
    assert metrics.number(raw) == expected
