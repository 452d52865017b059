"""Describe generated demo data by reading its rows back (for people and tests)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from fractions import Fraction

from tenure.demo.dates import ONE_DAY, term_months
from tenure.demo.generator import DemoData

log = logging.getLogger(__name__)

GRACE_DAYS = 60  # a contract renewed within this many days is not a churn
EARLY_DAYS = 30  # signed more than this many days before the old end: early renewal
_OPEN = dt.date.max
COUNTS = (
    "accounts", "chinese_names", "english_names", "staff", "teams", "subscriptions",
    "subscription_rows", "contracts", "contracts_with_fee", "trials", "discounts",
    "cny_customers", "usd_customers", "eur_customers", "renewals", "renewals_early",
    "renewals_on_time", "renewals_late", "late_renewals_unlinked", "contracts_due",
    "contracts_not_renewed", "upsold_customers", "downsold_customers",
    "paying_customers", "active_customers", "pending_renewal_customers",
    "churned_customers", "currently_churned_customers", "reactivated_customers",
)  # fmt: skip


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _monthly(row: dict[str, str]) -> Fraction:
    value = Fraction(row["amount"]) * int(row["quantity"])
    return value / 12 if row["interval"] == "year" else value


def _coverage(data: DemoData) -> dict[str, list[tuple[dt.date, dt.date, bool]]]:
    """Return every account's paid periods as (start, exclusive end, is contract)."""
    by_sub: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.subscriptions:
        by_sub[row["subscription_id"]].append(row)
    periods: dict[str, list[tuple[dt.date, dt.date, bool]]] = defaultdict(list)
    for sub_rows in by_sub.values():
        start = min(_day(row["start_date"]) for row in sub_rows)
        trial = sub_rows[0]["trial_end_date"]
        paid = _day(trial) if trial else start
        end = max(
            _day(row["end_date"]) if row["end_date"] else _OPEN for row in sub_rows
        )
        if paid < end:
            periods[sub_rows[0]["customer_id"]].append((paid, end, False))
    for row in data.contracts:
        end = _day(row["end_date"]) + ONE_DAY
        periods[row["customer_id"]].append((_day(row["start_date"]), end, True))
    return periods


def _lives(
    periods: list[tuple[dt.date, dt.date, bool]],
) -> list[tuple[dt.date, dt.date, bool]]:
    """Merge periods into spells of being a customer (contracts bridge short gaps)."""
    spells: list[tuple[dt.date, dt.date, bool]] = []
    for start, end, contract in sorted(periods):
        if spells:
            first, last, last_contract = spells[-1]
            grace = dt.timedelta(days=GRACE_DAYS if last_contract else 0)
            if last == _OPEN or start <= last + grace:
                if end > last:
                    spells[-1] = (first, end, contract)
                continue
        spells.append((start, end, contract))
    return spells


def _value(
    spans: list[tuple[dt.date, dt.date, dict[str, str]]], on: dt.date
) -> Fraction:
    """Return a subscription's monthly list value on one day."""
    return sum(
        (_monthly(row) for start, end, row in spans if start <= on < end), Fraction(0)
    )


def _contract_monthly(row: dict[str, str]) -> Fraction:
    """Return a contract's recurring value per month."""
    months = term_months(_day(row["start_date"]), _day(row["end_date"]) + ONE_DAY)
    return Fraction(row["amount"]) / months


def _sub_changes(data: DemoData) -> tuple[set[str], set[str]]:
    """Return customers whose subscriptions were upgraded / downgraded in place."""
    by_sub: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.subscriptions:
        by_sub[row["subscription_id"]].append(row)
    up: set[str] = set()
    down: set[str] = set()
    for sub_rows in by_sub.values():
        spans = [
            (_day(r["start_date"]), _day(r["end_date"]) if r["end_date"] else _OPEN, r)
            for r in sub_rows
        ]
        first = min(start for start, _, _ in spans)
        last = max(end for _, end, _ in spans)
        days = {start for start, _, _ in spans} | {end for _, end, _ in spans}
        for day in sorted(days - {first, last}):
            before, after = _value(spans, day - ONE_DAY), _value(spans, day)
            customer = sub_rows[0]["customer_id"]
            if after > before:
                up.add(customer)
            elif after < before:
                down.add(customer)
    return up, down


def _contract_stats(
    data: DemoData, counts: dict[str, int], today: dt.date
) -> tuple[set[str], set[str]]:
    """Count renewals by timing; return customers upsold / downsold at renewal."""
    by_id = {row["contract_id"]: row for row in data.contracts}
    renewed = {row["renews_contract_id"] for row in data.contracts} - {""}
    by_customer: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in data.contracts:
        by_customer[row["customer_id"]].append(row)
    up: set[str] = set()
    down: set[str] = set()
    followed: set[str] = set(renewed)
    for row in data.contracts:
        start = _day(row["start_date"])
        old = by_id.get(row["renews_contract_id"])
        if old is None:
            earlier = [
                other
                for other in by_customer[row["customer_id"]]
                if _day(other["end_date"]) < start
                and other["contract_id"] not in renewed
            ]
            if earlier:
                previous = max(earlier, key=lambda other: other["end_date"])
                followed.add(previous["contract_id"])
                if (start - _day(previous["end_date"])).days - 1 <= GRACE_DAYS:
                    counts["late_renewals_unlinked"] += 1
            continue
        counts["renewals"] += 1
        old_end = _day(old["end_date"])
        if start > old_end + ONE_DAY:
            counts["renewals_late"] += 1
        elif _day(row["signed_date"]) < old_end - dt.timedelta(days=EARLY_DAYS):
            counts["renewals_early"] += 1
        else:
            counts["renewals_on_time"] += 1
        if _contract_monthly(row) > _contract_monthly(old):
            up.add(row["customer_id"])
        elif _contract_monthly(row) < _contract_monthly(old):
            down.add(row["customer_id"])
    for row in data.contracts:
        due = _day(row["end_date"]) + dt.timedelta(days=GRACE_DAYS) < today
        counts["contracts_due"] += due
        counts["contracts_not_renewed"] += due and row["contract_id"] not in followed
    return up, down


def summarize(data: DemoData, today: dt.date) -> dict[str, int]:
    """Return counts of accounts, rows, renewals, churn, reactivation and expansion."""
    counts: dict[str, int] = dict.fromkeys(COUNTS, 0)
    counts["accounts"] = len(data.accounts)
    counts["chinese_names"] = sum(
        any("\u4e00" <= ch <= "\u9fff" for ch in row["name"]) for row in data.accounts
    )
    counts["english_names"] = counts["accounts"] - counts["chinese_names"]
    counts["staff"] = len(data.staff)
    counts["teams"] = len(data.teams)
    counts["subscriptions"] = len(
        {row["subscription_id"] for row in data.subscriptions}
    )
    counts["subscription_rows"] = len(data.subscriptions)
    counts["contracts"] = len(data.contracts)
    counts["contracts_with_fee"] = sum(
        1 for r in data.contracts if r["one_time_amount"]
    )
    counts["trials"] = len(
        {r["subscription_id"] for r in data.subscriptions if r["trial_end_date"]}
    )
    counts["discounts"] = sum(1 for r in data.subscriptions if r["discount_percent"])
    for currency in ("CNY", "USD", "EUR"):
        counts[f"{currency.lower()}_customers"] = len(
            {
                r["customer_id"]
                for r in data.subscriptions + data.contracts
                if r["currency"] == currency
            }
        )
    contract_up, contract_down = _contract_stats(data, counts, today)
    sub_up, sub_down = _sub_changes(data)
    counts["upsold_customers"] = len(contract_up | sub_up)
    counts["downsold_customers"] = len(contract_down | sub_down)
    for spells in (_lives(periods) for periods in _coverage(data).values()):
        _, last_end, contract = spells[-1]
        grace = dt.timedelta(days=GRACE_DAYS if contract else 0)
        ended = last_end != _OPEN and last_end <= today
        gone = ended and last_end + grace <= today
        counts["paying_customers"] += 1
        counts["active_customers"] += not ended
        counts["pending_renewal_customers"] += ended and not gone
        counts["currently_churned_customers"] += gone
        counts["reactivated_customers"] += len(spells) > 1
        counts["churned_customers"] += len(spells) > 1 or gone
    return dict(counts)
