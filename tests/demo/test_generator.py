"""Tests of the demo generator: determinism, structure, valid rows and stories."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from tenure.demo.generator import DemoData, generate
from tenure.demo.summary import summarize

TODAY = dt.date(2025, 6, 15)
ACCOUNT_COLUMNS = {
    "account_id", "name", "industry", "region", "size", "tier", "tags",
    "owner_email", "created_at", "employees", "city", "country",
}  # fmt: skip
SUBSCRIPTION_COLUMNS = {
    "subscription_id", "customer_id", "start_date", "end_date", "currency", "plan",
    "interval", "amount", "quantity", "discount_percent", "discount_end_date",
    "trial_end_date",
}  # fmt: skip
CONTRACT_COLUMNS = {
    "contract_id", "customer_id", "start_date", "end_date", "amount", "currency",
    "renews_contract_id", "one_time_amount", "signed_date",
}  # fmt: skip
AMOUNT = re.compile(r"\d+\.\d{2}")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def data() -> DemoData:
    """The default demo company as of a fixed day."""
    return generate(42, today=TODAY)


def day(text: str) -> dt.date:
    """Parse a YYYY-MM-DD cell."""
    return dt.date.fromisoformat(text)


def test_same_seed_gives_identical_data() -> None:
    assert generate(7, 300, TODAY) == generate(7, 300, TODAY)
    assert generate(7, 300, TODAY) != generate(8, 300, TODAY)


def test_default_today_is_the_current_date() -> None:
    small = generate(1, 30)
    latest = max(day(row["created_at"]) for row in small.accounts)
    assert latest <= dt.date.today()
    assert day(small.fx_rates[-1]["date"]) == dt.date.today().replace(day=1)


def test_sizes_and_staff_structure(data: DemoData) -> None:
    assert len(data.accounts) == 1000
    roles = Counter(person["role"] for person in data.staff)
    assert roles["admin"] == 1
    assert 1 <= roles["executive"] <= 2
    assert roles["viewer"] == 1
    assert roles["manager"] == len(data.teams) == 5
    emails = [person["email"] for person in data.staff]
    assert len(set(emails)) == len(emails)
    for email in emails:
        assert re.fullmatch(r"[a-z]+\.[a-z]+@demo\.tenure\.example", str(email))
    by_email = {person["email"]: person for person in data.staff}
    for team in data.teams:
        manager = by_email[team["manager_email"]]
        assert manager["role"] == "manager"
        assert manager["team"] == team["name"]
        csms = [
            p for p in data.staff if p["team"] == team["name"] and p["role"] == "csm"
        ]
        assert 3 <= len(csms) <= 5
    assert {person["locale"] for person in data.staff} == {"zh-CN", "en"}
    assert len({person["timezone"] for person in data.staff}) > 2


def test_accounts_are_valid(data: DemoData) -> None:
    staff = {person["email"]: person for person in data.staff}
    teams = {team["region"]: team["name"] for team in data.teams}
    names = [row["name"] for row in data.accounts]
    assert len(set(names)) == len(names)
    assert len({row["account_id"] for row in data.accounts}) == len(data.accounts)
    for row in data.accounts:
        assert set(row) == ACCOUNT_COLUMNS
        assert day(row["created_at"]) <= TODAY
        assert row["size"] in ("SMB", "Mid-market", "Enterprise")
        assert row["tier"] in ("Strategic", "Key", "Standard", "Long-tail")
        employees = int(row["employees"])
        assert (employees < 200) == (row["size"] == "SMB")
        owner = staff[row["owner_email"]]
        assert owner["team"] == teams[row["region"]]
        assert all(tag and tag.strip() == tag for tag in row["tags"].split(";") if tag)
    chinese = sum(bool(CJK.search(name)) for name in names)
    assert 600 <= chinese <= 800
    assert any(name.endswith("有限公司") for name in names)
    assert any(name.endswith(("Ltd", "Inc.", "GmbH")) for name in names)


def test_subscription_rows_are_valid(data: DemoData) -> None:
    accounts = {row["account_id"] for row in data.accounts}
    subs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.subscriptions:
        assert set(row) == SUBSCRIPTION_COLUMNS
        subs[row["subscription_id"]].append(row)
        assert row["customer_id"] in accounts
        assert row["currency"] in ("CNY", "USD", "EUR")
        assert row["interval"] in ("month", "year")
        assert AMOUNT.fullmatch(row["amount"]) and Decimal(row["amount"]) > 0
        assert int(row["quantity"]) >= 1
        start = day(row["start_date"])
        assert start <= TODAY
        if row["end_date"]:
            assert day(row["end_date"]) > start
        if row["discount_percent"]:
            assert 0 < Decimal(row["discount_percent"]) <= 100
            assert day(row["discount_end_date"]) > start
        else:
            assert not row["discount_end_date"]
    for rows in subs.values():
        for key in ("customer_id", "currency", "interval"):
            assert len({row[key] for row in rows}) == 1
        first = min(day(row["start_date"]) for row in rows)
        assert day(rows[0]["start_date"]) == first
        assert all(not row["trial_end_date"] for row in rows[1:])
        if rows[0]["trial_end_date"]:
            assert day(rows[0]["trial_end_date"]) == first + dt.timedelta(days=14)


def test_contract_rows_are_valid(data: DemoData) -> None:
    accounts = {row["account_id"] for row in data.accounts}
    by_id = {row["contract_id"]: row for row in data.contracts}
    assert len(by_id) == len(data.contracts)
    for row in data.contracts:
        assert set(row) == CONTRACT_COLUMNS
        assert row["customer_id"] in accounts
        assert row["currency"] == "CNY"
        start, end = day(row["start_date"]), day(row["end_date"])
        assert end >= start
        assert start <= TODAY and day(row["signed_date"]) <= TODAY
        assert day(row["signed_date"]) <= start
        assert AMOUNT.fullmatch(row["amount"])
        assert 50_000 <= Decimal(row["amount"]) <= 2_000_000
        if row["one_time_amount"]:
            assert AMOUNT.fullmatch(row["one_time_amount"])
        if row["renews_contract_id"]:
            old = by_id[row["renews_contract_id"]]
            assert old["customer_id"] == row["customer_id"]
            assert day(old["end_date"]) < start
            assert day(old["signed_date"]) < day(row["signed_date"])


def test_fx_rates_cover_every_month(data: DemoData) -> None:
    months = Counter(row["date"] for row in data.fx_rates)
    assert set(months.values()) == {2}
    dates = sorted(day(text) for text in months)
    assert all(date.day == 1 for date in dates)
    assert len(dates) == 37
    first_activity = min(day(row["created_at"]) for row in data.accounts)
    assert dates[0] <= first_activity
    for row in data.fx_rates:
        rate = Decimal(row["rate"])
        assert row["quote"] == "CNY"
        low, high = {"USD": (7.1, 7.3), "EUR": (7.6, 7.9)}[row["base"]]
        assert Decimal(str(low)) <= rate <= Decimal(str(high))


def test_the_data_tells_every_story(data: DemoData) -> None:
    counts = summarize(data, TODAY)
    for key in (
        "churned_customers",
        "currently_churned_customers",
        "reactivated_customers",
        "upsold_customers",
        "downsold_customers",
        "renewals_early",
        "renewals_on_time",
        "renewals_late",
        "late_renewals_unlinked",
        "trials",
        "discounts",
        "contracts_with_fee",
        "eur_customers",
        "usd_customers",
    ):
        assert counts[key] > 0, key
    assert counts["renewals_on_time"] > counts["renewals_early"]
    assert counts["renewals_on_time"] > counts["renewals_late"]
    assert counts["chinese_names"] + counts["english_names"] == 1000
    assert counts["eur_customers"] < counts["usd_customers"] < counts["cny_customers"]


def test_plan_changes_end_one_row_and_start_the_next_the_same_day(
    data: DemoData,
) -> None:
    subs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.subscriptions:
        subs[row["subscription_id"]].append(row)
    changed = added = 0
    for rows in subs.values():
        ends = {row["end_date"] for row in rows}
        changed += any(
            row["start_date"] in ends and row["plan"] != rows[0]["plan"]
            for row in rows[1:]
        )
        added += any(row["start_date"] not in ends for row in rows[1:])
    assert changed > 10
    assert added > 10


def test_nothing_starts_after_today_for_any_today() -> None:
    today = dt.date(2024, 2, 29)
    small = generate(3, 200, today)
    starts = [row["start_date"] for row in small.subscriptions + small.contracts]
    starts += [row["signed_date"] for row in small.contracts]
    starts += [row["created_at"] for row in small.accounts]
    assert max(day(text) for text in starts) <= today
    assert len(small.accounts) == 200
