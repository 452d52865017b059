"""Turn generated subscriptions, contracts and FX walks into import rows."""

from __future__ import annotations

import datetime as dt
import random

from tenure.demo.contracts import Contract
from tenure.demo.dates import iso, month_starts
from tenure.demo.subscriptions import Sub, plan_label, unit_price
from tenure.money import format_major

SUBSCRIPTION_COLUMNS = (
    "subscription_id", "customer_id", "start_date", "end_date", "currency", "plan",
    "interval", "amount", "quantity", "discount_percent", "discount_end_date",
    "trial_end_date",
)  # fmt: skip
CONTRACT_COLUMNS = (
    "contract_id", "customer_id", "start_date", "end_date", "amount", "currency",
    "renews_contract_id", "one_time_amount", "signed_date",
)  # fmt: skip
FX_COLUMNS = ("date", "base", "quote", "rate")
# (base, starting point, lowest, highest, monthly volatility) of each walk into CNY.
FX_WALKS = (("USD", 7.20, 7.10, 7.30, 0.025), ("EUR", 7.75, 7.60, 7.90, 0.04))


def subscription_rows(subs: list[Sub]) -> list[dict[str, str]]:
    """Number subscriptions by start date and return one row per item."""
    ordered = sorted(subs, key=lambda sub: (sub.start, sub.account_id))
    width = max(5, len(str(len(ordered))))
    result = []
    for number, sub in enumerate(ordered, start=1):
        sub.sub_id = f"SUB-{number:0{width}d}"
        items = sorted(sub.items, key=lambda item: item.start)
        for index, item in enumerate(items):
            result.append(
                {
                    "subscription_id": sub.sub_id,
                    "customer_id": sub.account_id,
                    "start_date": iso(item.start),
                    "end_date": iso(item.end),
                    "currency": sub.currency,
                    "plan": plan_label(sub.currency, item.plan, sub.interval),
                    "interval": sub.interval,
                    "amount": format_major(
                        unit_price(sub.currency, item.plan, sub.interval), sub.currency
                    ),
                    "quantity": str(item.quantity),
                    "discount_percent": (
                        ""
                        if item.discount_percent is None
                        else str(item.discount_percent)
                    ),
                    "discount_end_date": iso(item.discount_end),
                    # Subscription-wide: only the first row of a subscription has it.
                    "trial_end_date": iso(sub.trial_end) if index == 0 else "",
                }
            )
    return result


def contract_rows(contracts: list[Contract]) -> list[dict[str, str]]:
    """Number contracts by signing date and return one row per contract."""
    ordered = sorted(contracts, key=lambda c: (c.signed, c.start, c.account_id))
    width = max(5, len(str(len(ordered))))
    for number, contract in enumerate(ordered, start=1):
        contract.contract_id = f"CTR-{number:0{width}d}"
    return [
        {
            "contract_id": contract.contract_id,
            "customer_id": contract.account_id,
            "start_date": iso(contract.start),
            "end_date": iso(contract.end),
            "amount": format_major(contract.amount * 100, "CNY"),
            "currency": "CNY",
            "renews_contract_id": contract.renews.contract_id
            if contract.renews
            else "",
            "one_time_amount": (
                format_major(contract.one_time * 100, "CNY")
                if contract.one_time
                else ""
            ),
            "signed_date": iso(contract.signed),
        }
        for contract in ordered
    ]


def fx_rows(rng: random.Random, start: dt.date, today: dt.date) -> list[dict[str, str]]:
    """Return monthly USD and EUR rates into CNY, a gentle mean-reverting walk."""
    result = []
    for base, centre, low, high, step in FX_WALKS:
        rate = centre + rng.uniform(-0.3, 0.3) * (high - low)
        for month in month_starts(start, today):
            rate += 0.15 * (centre - rate) + rng.gauss(0, step)
            rate = min(high, max(low, rate))
            result.append(
                {
                    "date": iso(month),
                    "base": base,
                    "quote": "CNY",
                    "rate": f"{rate:.4f}",
                }
            )
    return result
