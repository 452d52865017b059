"""Every worked case of METRICS.md, through the import and report commands."""

from __future__ import annotations

import pytest

from tests.revenue.conftest import Tenure

SUBS = "subscription_id,customer_id,start_date,end_date,currency,interval,amount"


def test_case_1_annual_subscription_is_spread_over_twelve_months(
    tenure: Tenure,
) -> None:
    tenure.load("subscriptions", f"{SUBS}\ns1,c1,2024-01-15,2025-01-15,USD,year,1200")
    months = tenure.months("2024-01-01", "2025-02-28")
    assert {months[f"2024-{m:02d}"]["mrr"] for m in range(1, 13)} == {"100.00"}
    assert months["2024-01"]["new"] == "100.00"
    assert months["2025-01"]["churn"] == "-100.00"
    assert months["2025-01"]["mrr"] == "0.00"
    assert months["2025-01"]["churned_customers"] == "1"


def test_case_2_quarterly_price_is_divided_by_three(tenure: Tenure) -> None:
    tenure.load("subscriptions", f"{SUBS}\ns1,c1,2024-01-01,,USD,quarter,90")
    assert tenure.months("2024-01-01", "2024-01-31")["2024-01"]["mrr"] == "30.00"


def test_case_3_monthly_and_annual_customers_add_up(tenure: Tenure) -> None:
    rows = [f"m{i},cm{i},2024-01-01,,USD,month,100" for i in range(100)]
    rows += [f"a{i},ca{i},2024-01-01,,USD,year,600" for i in range(50)]
    tenure.load("subscriptions", "\n".join([SUBS, *rows]))
    january = tenure.months("2024-01-01", "2024-01-31")["2024-01"]
    assert january["mrr"] == "12500.00"
    assert january["customers"] == "150"


def test_case_4_seat_added_mid_month_is_an_expansion(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        """
        subscription_id,customer_id,start_date,end_date,monthly_amount
        s1,c1,2016-01-01,,50
        s1,c1,2016-03-16,,50
        """,
    )
    months = tenure.months("2016-01-01", "2016-03-31")
    assert [months[m]["mrr"] for m in ("2016-01", "2016-02", "2016-03")] == [
        "50.00",
        "50.00",
        "100.00",
    ]
    moves = tenure.report("movements", "--start", "2016-03-01", "--end", "2016-03-31")
    assert [(m["date"], m["kind"], m["amount"]) for m in moves] == [
        ("2016-03-16", "expansion", "50.00")
    ]


def test_case_5_ending_one_of_two_subscriptions_is_contraction(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        f"{SUBS}\nA,c1,2024-01-01,2024-03-01,USD,month,30\n"
        "B,c1,2024-01-01,2024-05-01,USD,month,20",
    )
    months = tenure.months("2024-01-01", "2024-05-31")
    assert months["2024-03"]["contraction"] == "-30.00"
    assert months["2024-03"]["churn"] == "0.00"
    assert months["2024-05"]["churn"] == "-20.00"
    assert months["2024-05"]["churned_customers"] == "1"


def test_case_6_expiring_discount_ends_as_expansion(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        """
        subscription_id,customer_id,start_date,amount,discount_percent,discount_end_date
        s1,c1,2024-01-01,100,20,2024-04-01
        """,
    )
    months = tenure.months("2024-01-01", "2024-04-30")
    assert [months[f"2024-0{m}"]["mrr"] for m in range(1, 5)] == [
        "80.00",
        "80.00",
        "80.00",
        "100.00",
    ]
    assert months["2024-04"]["expansion"] == "20.00"

    tenure("config", "set", "discount_mode", "stripe")
    months = tenure.months("2024-01-01", "2024-04-30")
    assert {months[f"2024-0{m}"]["mrr"] for m in range(1, 5)} == {"100.00"}
    assert months["2024-04"]["expansion"] == "0.00"


def test_case_7_annual_price_with_discount(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        f"{SUBS},discount_percent\ns1,c1,2024-01-01,,USD,year,120,10",
    )
    assert tenure.months("2024-01-01", "2024-01-31")["2024-01"]["mrr"] == "9.00"


@pytest.mark.parametrize(("window", "kind"), [(0, "reactivation"), (90, "new")])
def test_case_8_returning_customer(tenure: Tenure, window: int, kind: str) -> None:
    tenure("config", "set", "reactivation_window_days", str(window))
    tenure.load(
        "subscriptions",
        f"{SUBS}\ns1,c1,2024-01-01,2024-03-01,USD,month,100\n"
        "s2,c1,2024-07-15,,USD,month,100",
    )
    july = tenure.months("2024-07-01", "2024-07-31")["2024-07"]
    assert july[kind] == "100.00"
    assert july["new_customers"] == ("1" if kind == "new" else "0")


def test_case_9_trial_is_not_mrr(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        f"{SUBS},trial_end_date\ns1,c1,2024-03-01,,USD,month,49,2024-03-15",
    )
    assert tenure.months("2024-03-01", "2024-03-31")["2024-03"]["mrr"] == "49.00"
    moves = tenure.report("movements", "--start", "2024-03-01", "--end", "2024-03-31")
    assert [(m["date"], m["kind"], m["amount"]) for m in moves] == [
        ("2024-03-15", "new", "49.00")
    ]


CONTRACTS = "contract_id,customer_id,start_date,end_date,amount,currency"


def test_case_10_contract_value_over_its_months(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure.load(
        "contracts",
        f"{CONTRACTS}\nk1,c1,2024-01-01,2024-12-31,120000,CNY\n"
        "k2,c2,2024-01-01,2026-12-31,360000,CNY",
    )
    months = tenure.months("2024-01-01", "2024-01-31", "--by", "customer")
    assert months["2024-01"]["mrr"] == "10000.00"
    rows = tenure.report(
        "mrr", "--start", "2024-06-01", "--end", "2024-06-30", "--by", "customer"
    )
    assert {row["customer"]: row["mrr"] for row in rows} == {
        "c1": "10000.00",
        "c2": "10000.00",
    }


RENEWAL = f"""
{CONTRACTS}
k1,c1,2024-01-01,2024-12-31,120000,CNY
k2,c1,2025-02-10,2026-02-09,132000,CNY
"""


def test_case_11_late_renewal_without_grace_churns_and_reactivates(
    tenure: Tenure,
) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure("config", "set", "contract_grace_days", "0")
    tenure.load("contracts", RENEWAL)
    months = tenure.months("2025-01-01", "2025-02-28")
    assert months["2025-01"]["churn"] == "-10000.00"
    assert months["2025-02"]["reactivation"] == "11000.00"


def test_case_11_late_renewal_within_grace_is_expansion(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure("config", "set", "contract_grace_days", "60")
    tenure.load("contracts", RENEWAL)
    months = tenure.months("2025-01-01", "2025-02-28")
    assert months["2025-01"]["mrr"] == "10000.00"
    assert months["2025-01"]["churn"] == "0.00"
    assert months["2025-02"]["expansion"] == "1000.00"
    due = tenure.report("renewals", "--start", "2024-12-01", "--end", "2024-12-31")
    assert due[0]["due_count"] == "1"
    assert due[0]["renewed_count"] == "1"
    assert due[0]["rate_by_count"] == "1.0000"
    assert due[0]["gross_rate_by_amount"] == "1.0000"
    assert due[0]["net_rate_by_amount"] == "1.1000"


def test_case_11_named_renewal_counts_even_after_grace(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure("config", "set", "contract_grace_days", "0")
    tenure.load("contracts", RENEWAL.replace(",CNY\nk2", ",CNY,\nk2").replace(
        f"{CONTRACTS}", f"{CONTRACTS},renews_contract_id").replace(
        "132000,CNY", "132000,CNY,k1"))  # fmt: skip
    due = tenure.report("renewals", "--start", "2024-12-01", "--end", "2024-12-31")
    assert (due[0]["rate_by_count"], due[0]["net_rate_by_amount"]) == (
        "1.0000",
        "1.1000",
    )


def test_case_12_early_renewal_counts_from_its_start(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure.load(
        "contracts",
        f"""
        {CONTRACTS},signed_date
        k1,c1,2024-01-01,2024-12-31,120000,CNY,2023-12-20
        k2,c1,2025-01-01,2025-12-31,144000,CNY,2024-10-15
        """,
    )
    months = tenure.months("2024-10-01", "2025-01-31")
    assert months["2024-12"]["mrr"] == "10000.00"
    assert months["2025-01"]["mrr"] == "12000.00"
    assert months["2025-01"]["expansion"] == "2000.00"
    due = tenure.report("renewals", "--start", "2024-10-01", "--end", "2024-12-31")
    assert [row["due_count"] for row in due] == ["0", "0", "1"]


def test_case_12_replacement_contract_never_adds_up(tenure: Tenure) -> None:
    tenure("config", "set", "reporting_currency", "CNY")
    tenure.load(
        "contracts",
        f"""
        {CONTRACTS},renews_contract_id
        k1,c1,2024-01-01,2024-12-31,120000,CNY,
        k2,c1,2024-11-01,2025-10-31,144000,CNY,k1
        """,
    )
    months = tenure.months("2024-10-01", "2025-01-31")
    assert months["2024-10"]["mrr"] == "10000.00"
    assert {months[m]["mrr"] for m in ("2024-11", "2024-12", "2025-01")} == {"12000.00"}


def test_case_13_currency_swings_are_fx_impact(tenure: Tenure) -> None:
    tenure.load(
        "fx-rates",
        """
        date,base,quote,rate
        2024-01-01,EUR,USD,1.10
        2024-02-01,EUR,USD,1.05
        2024-03-01,EUR,USD,1.08
        """,
    )
    tenure.load("subscriptions", f"{SUBS}\ns1,c1,2024-01-01,,EUR,month,100")
    months = tenure.months("2024-01-01", "2024-03-31")
    assert [months[m]["mrr"] for m in ("2024-01", "2024-02", "2024-03")] == [
        "110.00",
        "105.00",
        "108.00",
    ]
    assert [months[m]["fx_impact"] for m in ("2024-02", "2024-03")] == [
        "-5.00",
        "3.00",
    ]
    for month in ("2024-02", "2024-03"):
        assert {months[month][k] for k in ("expansion", "contraction")} == {"0.00"}


def test_case_14_revenue_churn_rates(tenure: Tenure) -> None:
    tenure.load(
        "subscriptions",
        """
        subscription_id,customer_id,start_date,end_date,monthly_amount
        a,ca,2024-01-01,2024-02-01,10
        b1,cb,2024-01-01,2024-02-01,40
        b2,cb,2024-02-01,,30
        c1,cc,2024-01-01,2024-02-01,50
        c2,cc,2024-02-01,,60
        """,
    )
    rows = tenure.report("retention", "--start", "2024-02-01", "--end", "2024-02-29")
    assert rows[0]["opening_mrr"] == "100.00"
    assert rows[0]["gross_revenue_churn"] == "0.2000"
    assert rows[0]["net_revenue_churn"] == "0.1000"


def test_case_14_ltv_is_arpa_over_logo_churn(tenure: Tenure) -> None:
    rows = [f"s{i},c{i},2024-01-01,,USD,month,100" for i in range(19)]
    rows.append("s19,c19,2024-01-01,2024-02-10,USD,month,100")
    tenure.load("subscriptions", "\n".join([SUBS, *rows]))
    february = tenure.report(
        "retention", "--start", "2024-02-01", "--end", "2024-02-29"
    )[0]
    assert february["arpa"] == "100.00"
    assert february["logo_churn_rate"] == "0.0500"
    assert february["ltv"] == "2000.00"
