"""The public mrr-playbook dataset, loaded as it is and checked month by month."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from tests.reference import SUBSCRIPTION_PERIODS, needs_reference_data
from tests.revenue.conftest import Tenure


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = dt.date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def expected_months() -> dict[str, dict[str, Decimal]]:
    """Month-level figures computed straight from the periods, independently."""
    with SUBSCRIPTION_PERIODS.open(encoding="utf-8") as handle:
        periods = list(csv.DictReader(handle))
    months = _months(dt.date(2017, 9, 1), dt.date(2020, 3, 1))
    mrr: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in periods:
        start = dt.date.fromisoformat(row["start_date"])
        end = dt.date.fromisoformat(row["end_date"])
        for month in months:
            if start <= month < end:
                mrr[row["customer_id"]][month] += Decimal(row["monthly_amount"])
    result: dict[str, dict[str, Decimal]] = {}
    seen: set[str] = set()
    for index, month in enumerate(months):
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for customer, series in mrr.items():
            now = series[month]
            before = series[months[index - 1]] if index else Decimal(0)
            totals["mrr"] += now
            totals["customers"] += now > 0
            if before == 0 and now > 0:
                kind = "reactivation" if customer in seen else "new"
                totals[kind] += now
                totals[f"{kind}_customers"] += 1
                seen.add(customer)
            elif before > 0 and now == 0:
                totals["churn"] -= before
                totals["churned_customers"] += 1
            elif now > before:
                totals["expansion"] += now - before
            elif now < before:
                totals["contraction"] += now - before
        result[month.isoformat()[:7]] = totals
    return result


@needs_reference_data
def test_reference_dataset_matches_month_by_month(tenure: Tenure) -> None:
    out = tenure("import", "subscriptions", str(SUBSCRIPTION_PERIODS))
    assert "121 created" in out
    report = tenure.months("2017-09-01", "2020-03-31")
    expected = expected_months()
    assert set(report) == set(expected)
    columns = (
        "mrr", "new", "expansion", "reactivation", "contraction", "churn",
        "customers", "new_customers", "churned_customers",
    )  # fmt: skip
    for month, totals in expected.items():
        got = {column: Decimal(report[month][column]) for column in columns}
        want = {column: Decimal(totals.get(column, 0)) for column in columns}
        assert got == want, month
    assert Decimal(report["2017-09"]["mrr"]) > 0
    assert sum(Decimal(row["churn"]) for row in report.values()) < 0
