"""Self-serve subscription lives: trials, discounts, plan changes, seats and churn."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from tenure.demo.dates import add_months

PLAN_NAMES = ("Starter", "Growth", "Business")
# Monthly list price per unit in minor units; annual prices are ~15% cheaper.
MONTHLY_PRICES = {
    "CNY": (29900, 99900, 299900),
    "USD": (4900, 19900, 49900),
    "EUR": (4500, 17900, 44900),
}
TRIAL_DAYS = 14
REACTIVATION_RATE = 0.3
MAX_LIVES = 3


def unit_price(currency: str, plan: int, interval: str) -> int:
    """Return the list price per unit and interval in minor units."""
    monthly = MONTHLY_PRICES[currency][plan]
    if interval == "month":
        return monthly
    # Twelve months less 15%, rounded to ten major units.
    return (monthly * 102 + 5000) // 10000 * 1000


def plan_label(currency: str, plan: int, interval: str) -> str:
    """Return the plan column value, e.g. "Growth Monthly CNY"."""
    period = "Monthly" if interval == "month" else "Annual"
    return f"{PLAN_NAMES[plan]} {period} {currency}"


@dataclass
class Item:
    """One priced row of a subscription; ``end`` is exclusive."""

    start: dt.date
    plan: int
    quantity: int
    end: dt.date | None = None
    discount_percent: int | None = None
    discount_end: dt.date | None = None


@dataclass
class Sub:
    """A subscription of one account; the id is assigned once all are generated."""

    account_id: str
    currency: str
    interval: str
    start: dt.date
    trial_end: dt.date | None
    items: list[Item] = field(default_factory=list)
    sub_id: str = ""

    def open_items(self) -> list[Item]:
        """Return the rows that are still running."""
        return [item for item in self.items if item.end is None]

    def close(self, day: dt.date) -> None:
        """End every running row on ``day`` (the first day without service)."""
        for item in self.open_items():
            item.end = day


@dataclass(frozen=True)
class Profile:
    """How a kind of customer buys: currency, billing interval, plans and seats."""

    currency: str
    annual_share: float
    plan_weights: tuple[float, float, float]
    seats: tuple[int, int]
    managed: bool = False


@dataclass
class _Outcome:
    kind: str  # "running", "churn", "switch" or "trial_lost"
    day: dt.date | None = None
    plan: int = 0
    quantity: int = 1


def _quantity(rng: random.Random, profile: Profile) -> int:
    low, high = profile.seats
    if profile.managed:
        return rng.randint(low, high)
    return rng.choices((1, 2, rng.randint(3, max(3, high))), (65, 20, 15))[0]


def _churn_probability(profile: Profile, interval: str, plan: int, k: int) -> float:
    if interval == "month":
        chance = (0.03, 0.022, 0.015)[plan] * (1.4 if k <= 3 else 1.0)
    else:
        chance = (0.22, 0.16, 0.12)[plan]
    return chance * (0.5 if profile.managed else 1.0)


def _consolidate(sub: Sub, day: dt.date, plan: int, quantity: int) -> None:
    """Replace every running row by one row on ``plan`` from ``day``."""
    sub.close(day)
    sub.items.append(Item(day, plan, quantity))


def _live(
    rng: random.Random,
    sub: Sub,
    profile: Profile,
    plan: int,
    today: dt.date,
) -> _Outcome:
    """Simulate one subscription month by month until it ends or ``today``."""
    monthly = sub.interval == "month"
    anchor = sub.trial_end or sub.start
    if sub.trial_end is not None:
        if sub.trial_end > today:
            return _Outcome("running")
        if rng.random() < 0.15:
            sub.close(sub.trial_end)
            return _Outcome("trial_lost", sub.trial_end)
    seat_chance = (0.03 if profile.managed else 0.008) * (1 if monthly else 1.5)
    k = 0
    while True:
        k += 1
        boundary = add_months(anchor, k)
        if boundary > today:
            return _Outcome("running")
        quantity = sum(item.quantity for item in sub.open_items())
        if monthly or k % 12 == 0:
            if rng.random() < _churn_probability(profile, sub.interval, plan, k):
                sub.close(boundary)
                return _Outcome("churn", boundary)
            if monthly and rng.random() < 0.004:
                sub.close(boundary)
                return _Outcome("switch", boundary, plan, quantity)
            change = rng.random()
            up, down = (0.015, 0.006) if monthly else (0.12, 0.06)
            if change < up and plan < 2:
                plan += 1
                _consolidate(sub, boundary, plan, quantity)
            elif up <= change < up + down and (plan > 0 or quantity > 1):
                if plan > 0 and (quantity == 1 or rng.random() < 0.6):
                    plan -= 1
                else:
                    quantity = max(1, quantity - rng.randint(1, max(1, quantity // 3)))
                _consolidate(sub, boundary, plan, quantity)
            elif len(sub.open_items()) > 1 and rng.random() < 0.1:
                sub.open_items()[-1].end = boundary
        if rng.random() < seat_chance:
            added = add_months(anchor, k) + dt.timedelta(days=rng.randint(1, 27))
            if added <= today and added < add_months(anchor, k + 1):
                extra = rng.randint(1, max(1, profile.seats[1] // 4))
                sub.items.append(Item(added, plan, extra))


def _start_sub(
    rng: random.Random,
    account_id: str,
    profile: Profile,
    start: dt.date,
    interval: str,
    plan: int,
    quantity: int,
    *,
    life: int,
    switched: bool,
) -> Sub:
    trial_end = None
    if life == 0 and not switched:
        trial_share = 0.25 if interval == "month" else 0.08
        if not profile.managed and rng.random() < trial_share:
            trial_end = start + dt.timedelta(days=TRIAL_DAYS)
    sub = Sub(account_id, profile.currency, interval, start, trial_end)
    item = Item(start, plan, quantity)
    anchor = trial_end or start
    if life > 0 and rng.random() < 0.3:
        item.discount_percent, item.discount_end = 30, add_months(anchor, 3)
    elif not switched and interval == "month" and rng.random() < 0.15:
        item.discount_percent = rng.choice((20, 30, 50))
        item.discount_end = add_months(anchor, 3)
    elif not switched and interval == "year" and rng.random() < 0.1:
        item.discount_percent = rng.choice((10, 15))
        item.discount_end = add_months(anchor, 12)
    sub.items.append(item)
    return sub


def simulate_subscriber(
    rng: random.Random,
    account_id: str,
    profile: Profile,
    first_start: dt.date,
    today: dt.date,
) -> list[Sub]:
    """Return every subscription of one customer from ``first_start`` to ``today``."""
    subs: list[Sub] = []
    start = first_start
    for life in range(MAX_LIVES):
        interval = "year" if rng.random() < profile.annual_share else "month"
        plan = rng.choices(range(3), profile.plan_weights)[0]
        quantity = _quantity(rng, profile)
        switched = False
        while True:
            sub = _start_sub(
                rng,
                account_id,
                profile,
                start,
                interval,
                plan,
                quantity,
                life=life,
                switched=switched,
            )
            subs.append(sub)
            outcome = _live(rng, sub, profile, plan, today)
            if outcome.kind != "switch" or outcome.day is None:
                break
            # Monthly customer moves to annual billing: a new subscription that day.
            start, interval, switched = outcome.day, "year", True
            plan, quantity = outcome.plan, outcome.quantity
        if outcome.kind != "churn" or outcome.day is None:
            break
        if rng.random() >= REACTIVATION_RATE:
            break
        start = outcome.day + dt.timedelta(days=rng.randint(45, 300))
        if start > today:
            break
    return subs
