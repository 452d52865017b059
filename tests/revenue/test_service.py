"""Stored facts: rebuilds, per-customer recomputation and report intervals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.revenue.models import AccountMonthSnapshot, AccountRevenue, MrrMovement
from tests.revenue.conftest import Tenure

SUBS = "subscription_id,customer_id,start_date,end_date,currency,interval,amount"
TWO_CUSTOMERS = f"""
{SUBS}
s1,c1,2024-01-01,,USD,month,100
s2,c2,2024-02-01,2024-09-01,USD,month,250
"""


def _movement_ids(factory, external_id: str) -> list[int]:  # type: ignore[no-untyped-def]
    with factory() as session:
        account = session.scalar(
            select(Account.id).where(Account.external_id == external_id)
        )
        return list(
            session.scalars(
                select(MrrMovement.id).where(MrrMovement.account_id == account)
            )
        )


def test_import_recomputes_only_the_changed_customer(tenure: Tenure, factory) -> None:  # type: ignore[no-untyped-def]
    tenure.load("subscriptions", TWO_CUSTOMERS)
    untouched = _movement_ids(factory, "c2")
    before = _movement_ids(factory, "c1")
    tenure.load(
        "subscriptions",
        f"{SUBS}\ns1,c1,2024-01-01,2024-06-01,USD,month,100",
        name="change.csv",
    )
    assert _movement_ids(factory, "c2") == untouched
    assert _movement_ids(factory, "c1") != before
    moves = tenure.report("movements", "--start", "2024-06-01", "--end", "2024-06-30")
    assert [(m["customer"], m["kind"]) for m in moves] == [("c1", "churn")]


def test_month_snapshots_are_stored_per_span(tenure: Tenure, factory) -> None:  # type: ignore[no-untyped-def]
    tenure.load("subscriptions", TWO_CUSTOMERS)
    with factory() as session:
        rows = session.execute(
            select(
                AccountMonthSnapshot.month_from,
                AccountMonthSnapshot.month_to,
                AccountMonthSnapshot.mrr_minor,
            ).order_by(AccountMonthSnapshot.mrr_minor)
        ).all()
    assert [(r[0].isoformat(), r[1] and r[1].isoformat(), r[2]) for r in rows] == [
        ("2024-01-01", None, 10_000),
        ("2024-02-01", "2024-08-01", 25_000),
    ]


@pytest.mark.parametrize("interval", ["day", "week", "month", "quarter", "year"])
def test_every_interval_adds_up_to_the_same_year(tenure: Tenure, interval: str) -> None:
    tenure.load("subscriptions", TWO_CUSTOMERS)
    rows = tenure.report(
        "mrr", "--interval", interval, "--start", "2024-01-01", "--end", "2024-12-31"
    )
    total = {
        column: sum(Decimal(row[column]) for row in rows)
        for column in ("new", "churn", "new_customers", "churned_customers")
    }
    assert total == {
        "new": Decimal("350.00"),
        "churn": Decimal("-250.00"),
        "new_customers": 2,
        "churned_customers": 1,
    }
    assert rows[-1]["mrr"] == "100.00"


def test_breakdown_by_dimension_adds_up_to_the_total(tenure: Tenure) -> None:
    tenure.load(
        "accounts",
        "account_id,name,industry\nc1,One,Retail\nc2,Two,Education",
    )
    tenure.load("subscriptions", TWO_CUSTOMERS)
    rows = tenure.report(
        "mrr", "--start", "2024-03-01", "--end", "2024-03-31", "--by", "industry"
    )
    assert {row["industry"]: row["mrr"] for row in rows} == {
        "Education": "250.00",
        "Retail": "100.00",
    }
    only = tenure.report(
        "mrr", "--start", "2024-03-01", "--end", "2024-03-31", "--where",
        "industry=Retail",
    )  # fmt: skip
    assert only[0]["mrr"] == "100.00"


def test_changing_the_reporting_currency_rebuilds(tenure: Tenure) -> None:
    tenure.load("fx-rates", "date,base,quote,rate\n2024-01-01,USD,CNY,7.2")
    tenure.load("subscriptions", TWO_CUSTOMERS)
    tenure("config", "set", "reporting_currency", "CNY")
    march = tenure.months("2024-03-01", "2024-03-31")["2024-03"]
    assert march["mrr"] == "2520.00"


def test_missing_rate_rejects_the_import(tenure: Tenure) -> None:
    result = tenure.run("import", "subscriptions", str(_write(tenure, "GBP")))
    assert result.exit_code == 1
    assert "no FX rate converts GBP into USD" in result.stderr
    assert (
        tenure.report("movements", "--start", "2024-01-01", "--end", "2024-12-31") == []
    )


def test_unknown_dimension_is_a_clear_error(tenure: Tenure) -> None:
    result = tenure.run("report", "mrr", "--by", "colour")
    assert result.exit_code == 2
    assert "unknown dimension 'colour'" in result.stderr


def _write(tenure: Tenure, currency: str):  # type: ignore[no-untyped-def]
    path = tenure.tmp / "gbp.csv"
    path.write_text(
        f"{SUBS}\ns9,c9,2024-01-01,,{currency},month,10\n", encoding="utf-8"
    )
    return path


def test_renewal_forecast_adds_won_and_open_terms(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure.load(
        "contracts",
        """
        contract_id,customer_id,start_date,end_date,amount,currency,renews_contract_id,forecast_renewal_amount
        k1,c1,2099-01-01,2099-12-31,120000,CNY,,
        k2,c2,2099-01-01,2099-12-31,240000,CNY,,180000
        k3,c3,2099-01-01,2099-12-31,60000,CNY,,90000
        """,
    )
    rows = tenure.report(
        "renewals", "--start", "2099-12-01", "--end", "2099-12-31", "--forecast"
    )
    assert (rows[0]["open_count"], rows[0]["forecast_amount"]) == ("3", "360000.00")


def test_facts_written_in_bulk_read_back_through_the_orm(
    tenure: Tenure, factory
) -> None:  # type: ignore[no-untyped-def]
    tenure.load("subscriptions", TWO_CUSTOMERS)
    with factory() as session:
        rows = session.scalars(select(AccountRevenue)).all()
        assert {r.mrr_minor for r in rows} == {10_000, 0}
        assert all(r.computed_at.tzinfo is not None for r in rows)
        assert all(abs((utcnow() - r.computed_at).total_seconds()) < 600 for r in rows)
        movement = session.scalars(
            select(MrrMovement).order_by(MrrMovement.date)
        ).first()
        assert movement is not None and movement.date == dt.date(2024, 1, 1)


def test_unknown_movement_kind_is_a_clear_error(tenure: Tenure) -> None:
    result = tenure.run("report", "movements", "--kind", "upgrade")
    assert result.exit_code == 2
    assert "unknown movement kind 'upgrade'" in result.stderr


def test_reports_show_history_up_to_today_only(tenure: Tenure) -> None:
    tenure.load("subscriptions", f"{SUBS}\ns1,c1,2024-01-01,2099-01-01,USD,month,100")
    rows = tenure.report("mrr", "--interval", "year", "--start", "2098-01-01",
                         "--end", "2099-12-31")  # fmt: skip
    assert [(r["mrr"], r["churn"]) for r in rows] == [
        ("100.00", "0.00"),
        ("100.00", "0.00"),
    ]
