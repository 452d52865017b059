"""Fixed-term CNY contracts: multi-year deals, fees, early and late renewals, churn."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from tenure.demo.dates import ONE_DAY, add_months

MIN_ANNUAL_VALUE = 50_000  # CNY
MAX_TERM_AMOUNT = 2_000_000  # CNY
RENEWAL_OUTCOMES = ("on_time", "early", "late", "churn")
RENEWAL_WEIGHTS = (58, 14, 16, 12)
CONTRACT_REACTIVATION_RATE = 0.2


@dataclass
class Contract:
    """A contract of one account; dates inclusive, amounts in whole CNY."""

    account_id: str
    start: dt.date
    end: dt.date
    amount: int
    signed: dt.date
    one_time: int = 0
    renews: Contract | None = None
    contract_id: str = ""

    @property
    def years(self) -> int:
        """Return the term length in whole years."""
        return round((self.end - self.start).days / 365.25)

    @property
    def annual_value(self) -> int:
        """Return the recurring value per year."""
        return self.amount // max(self.years, 1)


def _round_thousands(value: float) -> int:
    return max(1000, round(value / 1000) * 1000)


def _annual_value(rng: random.Random, size: str) -> int:
    low, high = (50_000, 200_000) if size == "Mid-market" else (200_000, 650_000)
    return _round_thousands(math.exp(rng.uniform(math.log(low), math.log(high))))


def _term_years(rng: random.Random, size: str, renewal: bool) -> int:
    weights = (75, 15, 10) if renewal else (70, 18, 12)
    if size == "Enterprise" and not renewal:
        weights = (55, 25, 20)
    return rng.choices((1, 2, 3), weights)[0]


def _make(
    account_id: str,
    start: dt.date,
    years: int,
    annual: int,
    signed: dt.date,
    one_time: int = 0,
    renews: Contract | None = None,
) -> Contract:
    amount = min(max(annual, MIN_ANNUAL_VALUE) * years, MAX_TERM_AMOUNT)
    end = add_months(start, 12 * years) - ONE_DAY
    return Contract(account_id, start, end, amount, signed, one_time, renews)


def _fee(rng: random.Random, annual: int, chance: float) -> int:
    if rng.random() >= chance:
        return 0
    return min(200_000, _round_thousands(annual * rng.uniform(0.1, 0.3)))


def first_contract(
    rng: random.Random,
    account_id: str,
    size: str,
    start: dt.date,
    earliest_signing: dt.date,
) -> Contract:
    """Return a new customer's first contract, signed shortly before it starts."""
    annual = _annual_value(rng, size)
    lead = min(30, (start - earliest_signing).days)
    signed = start - dt.timedelta(days=rng.randint(0, max(lead, 0)))
    years = _term_years(rng, size, renewal=False)
    return _make(account_id, start, years, annual, signed, _fee(rng, annual, 0.4))


def _renewal_value(rng: random.Random, annual: int) -> int:
    change = rng.random()
    if change < 0.25:
        return _round_thousands(annual * rng.uniform(1.05, 1.4))
    if change < 0.37:
        return _round_thousands(annual * rng.uniform(0.7, 0.95))
    return annual


def simulate_contracts(
    rng: random.Random,
    account_id: str,
    size: str,
    start: dt.date,
    earliest_signing: dt.date,
    today: dt.date,
) -> list[Contract]:
    """Return a customer's contracts up to ``today``; later renewals are left out."""
    current = first_contract(rng, account_id, size, start, earliest_signing)
    contracts = [current]
    returned = False
    while True:
        day_after = current.end + ONE_DAY
        if day_after > today:
            return contracts
        outcome = rng.choices(RENEWAL_OUTCOMES, RENEWAL_WEIGHTS)[0]
        annual = _renewal_value(rng, current.annual_value)
        years = _term_years(rng, size, renewal=True)
        renews: Contract | None = current
        if outcome == "on_time":
            begin = day_after
            signed = current.end - dt.timedelta(days=rng.randint(0, 25))
        elif outcome == "early":
            begin = day_after
            signed = current.end - dt.timedelta(days=rng.randint(31, 90))
        elif outcome == "late":
            begin = day_after + dt.timedelta(days=rng.randint(10, 50))
            signed = begin - dt.timedelta(days=rng.randint(0, 7))
            signed = max(signed, day_after)
            if rng.random() < 0.3:
                renews = None
        else:
            if returned or rng.random() >= CONTRACT_REACTIVATION_RATE:
                return contracts
            # A churned customer signs a fresh contract months later.
            returned, renews = True, None
            begin = day_after + dt.timedelta(days=rng.randint(90, 360))
            signed = begin - dt.timedelta(days=rng.randint(0, 20))
            annual = _round_thousands(current.annual_value * rng.uniform(0.6, 1.1))
        if begin > today:
            return contracts
        one_time = _fee(rng, annual, 0.4 if renews is None else 0.05)
        current = _make(account_id, begin, years, annual, signed, one_time, renews)
        contracts.append(current)
