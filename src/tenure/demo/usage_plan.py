"""Each demo account's usage story: its users, features and daily engagement curve.

Stories, all read from the import rows:

* decline: usage falls over the 30-90 days before the account leaves. It leaves when
  a service span ends inside the window; or when a contract ends within 60 days
  after today (the demo never generates renewals after today, so the seed decides:
  about a third, and every account tagged at-risk, are not renewing); or, for an
  active subscriber tagged at-risk, 20-60 days after today.
* grow (a quarter of the rest): more active users and a little more intensity.
* dip (about one in eight of the rest): a quiet two to four weeks, then recovery.
* steady: everyone else.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import math
import random
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from tenure.demo.generator import DemoData
from tenure.demo.subscriptions import PLAN_NAMES
from tenure.demo.usage_events import ADVANCED, CORE, Feature, integration_properties
from tenure.demo.usage_people import Person, email_domain, people
from tenure.demo.usage_spans import OPEN, AccountSpans, Span, account_spans

log = logging.getLogger(__name__)

HORIZON_DAYS = 60  # a contract ending this soon after today may not be renewed
FUTURE_CHURN_SHARE = 0.35  # of those contracts: renewals after today are not in rows
GROWER_SHARE = 0.25
DIP_SHARE = 0.12
ONBOARDING_DAYS = 21
CITY_TIMEZONES = {
    "Singapore": "Asia/Singapore", "Hong Kong": "Asia/Hong_Kong",
    "Sydney": "Australia/Sydney", "Melbourne": "Australia/Melbourne",
    "London": "Europe/London", "New York": "America/New_York",
    "San Francisco": "America/Los_Angeles", "Toronto": "America/Toronto",
    "Kuala Lumpur": "Asia/Kuala_Lumpur", "Tokyo": "Asia/Tokyo",
    "Dubai": "Asia/Dubai", "Berlin": "Europe/Berlin", "Munich": "Europe/Berlin",
    "Paris": "Europe/Paris", "Amsterdam": "Europe/Amsterdam",
    "Dublin": "Europe/Dublin",
}  # fmt: skip
USERS = {"SMB": (2, 10), "Mid-market": (6, 30), "Enterprise": (20, 60)}
USERS_PER_SEAT = {"SMB": (1.5, 3.0), "Mid-market": (2.5, 5.0), "Enterprise": (3.0, 5.0)}
EMPLOYEES = {"SMB": (8, 199), "Mid-market": (200, 990), "Enterprise": (1000, 30000)}
ADOPTION = {"SMB": 0.45, "Mid-market": 0.7, "Enterprise": 0.85}


@dataclass(frozen=True)
class Decline:
    """Usage falling to ``floor`` over ``length`` days before the account leaves."""

    leave: dt.date
    length: int
    floor: float


@dataclass
class AccountPlan:
    """What one account does in the window, day by day (index 0 is the first day)."""

    account_id: str
    story: str  # "decline", "grow", "dip" or "steady"
    chinese: bool
    timezone: ZoneInfo
    group_traits: dict[str, Any]
    users: list[Person]
    features: tuple[Feature, ...]
    cum_weights: list[list[float]]  # by the number of features available
    declines: list[Decline]
    serving: list[bool] = field(default_factory=list)
    intensity: list[float] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)
    breadth: list[int] = field(default_factory=list)
    growth: float = 0.0  # extra share of active users by the end of the window
    sign_in: dict[str, str] = field(default_factory=dict)
    # What has been sent so far, while the messages are generated.
    grouped: bool = False
    identified: set[str] = field(default_factory=set)
    rng: random.Random = field(default_factory=random.Random)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _covers(row: dict[str, str], day: dt.date) -> bool:
    end = row["end_date"]
    return _day(row["start_date"]) <= day and (not end or day < _day(end))


def _plan_and_seats(sub_rows: list[dict[str, str]], first: dt.date) -> tuple[str, int]:
    """Return the plan name and most seats of the subscription rows from ``first``."""
    rows = [r for r in sub_rows if not r["end_date"] or _day(r["end_date"]) > first]
    if not rows:
        return "Enterprise", 0
    days = {max(first, _day(r["start_date"])) for r in rows}
    seats = max(sum(int(r["quantity"]) for r in rows if _covers(r, d)) for d in days)
    latest = max(rows, key=lambda r: r["start_date"])
    return latest["plan"].split()[0], seats


def _user_count(rng: random.Random, size: str, employees: int, seats: int) -> int:
    low, high = USERS[size]
    if seats:
        count = round(seats * rng.uniform(*USERS_PER_SEAT[size])) + 1
    else:
        few, many = EMPLOYEES[size]
        position = math.log(max(employees, few) / few) / math.log(many / few)
        share = 0.7 * min(position, 1.0) + 0.3 * rng.random()
        count = round(low + (high - low) * share)
    return min(high, max(low, count))


def _declines(
    rng: random.Random,
    account: dict[str, str],
    spans: AccountSpans,
    first: dt.date,
    today: dt.date,
) -> list[Decline]:
    """Return the leaves (past, or due soon) that usage declines before."""
    leaves = [d for d in spans.leaves() if first < d <= today]
    at_risk = "at-risk" in account["tags"].split(";")
    for leave in spans.leaves():
        due = today < leave <= today + dt.timedelta(days=HORIZON_DAYS)
        if due and (at_risk or rng.random() < FUTURE_CHURN_SHARE):
            leaves.append(leave)
            at_risk = False
    if at_risk and spans.serves(today):
        leaves.append(today + dt.timedelta(days=rng.randint(20, 60)))
    return [Decline(d, rng.randint(30, 90), rng.uniform(0.1, 0.3)) for d in leaves]


def _sign_in(account: dict[str, str], chinese: bool) -> str:
    tags = account["tags"].split(";")
    if "sso" in tags:
        return "sso"
    apps = [tag for tag in tags if tag in ("wechat-work", "dingtalk", "feishu")]
    return apps[0] if chinese and apps else "password"


def _features(rng: random.Random, size: str, plan: str, chinese: bool) -> list[Feature]:
    level = PLAN_NAMES.index(plan) if plan in PLAN_NAMES else 2
    adopted = [
        f for f in ADVANCED if f.min_plan <= level and rng.random() < ADOPTION[size]
    ]
    integration = integration_properties(chinese)
    return [
        replace(f, properties=integration) if f.event == "Integration Connected" else f
        for f in (*CORE, *adopted)
    ]


def _offsets(spans: tuple[Span, ...], first: dt.date) -> list[tuple[int, int]]:
    """Return spans as day offsets from ``first``; an open end becomes very large."""
    return [
        ((start - first).days, 10**6 if end == OPEN else (end - first).days)
        for start, end in spans
    ]


def _curves(plan: AccountPlan, spans: AccountSpans, first: dt.date, days: int) -> None:
    """Fill the daily serving flags, intensity, active seats and feature breadth."""
    rng, pool = plan.rng, len(plan.users)
    base = pool / (1 + plan.growth)
    dip_start = rng.randint(30, max(31, days - 40))
    dip = range(dip_start, dip_start + rng.randint(10, 25))
    service, paid = _offsets(spans.service, first), _offsets(spans.paid, first)
    first_paid = min(start for start, _ in paid)
    declines = [((d.leave - first).days, d.length, d.floor) for d in plan.declines]
    adopted = len(plan.features) - len(CORE)
    for offset in range(days):
        start = next((s for s, e in service if s <= offset < e), None)
        if start is None:
            plan.serving.append(False)
            plan.intensity.append(0.0)
            plan.seats.append(0)
            plan.breadth.append(len(CORE))
            continue
        ramp = min(1.0, 0.45 + 0.55 * (offset - start) / ONBOARDING_DAYS)
        left = 1.0
        for leave, length, floor in declines:
            if 0 < leave - offset <= length:
                done = 1 - (leave - offset - 1) / length
                left = min(left, 1 - (1 - floor) * done)
        trend = offset / days
        intensity = ramp * left * (0.92 + 0.16 * trend if plan.growth else 1.0)
        seats = base * (1 + plan.growth * trend) * (0.3 + 0.7 * left) * ramp
        breadth = adopted * left**1.5
        if plan.story == "dip" and offset in dip:
            intensity, seats, breadth = intensity * 0.45, seats * 0.75, breadth * 0.5
        if offset >= first_paid and not any(s <= offset < e for s, e in paid):
            intensity *= 0.75  # a late renewal is being negotiated
        plan.serving.append(True)
        plan.intensity.append(intensity)
        plan.seats.append(min(pool, max(1, round(seats))))
        plan.breadth.append(len(CORE) + round(breadth))


def plan_accounts(
    data: DemoData, today: dt.date, *, days: int, seed: int
) -> list[AccountPlan]:
    """Return the usage plan of every account that pays at some point in the window."""
    first = today - dt.timedelta(days=days - 1)
    spans_by_account = account_spans(data)
    sub_rows: dict[str, list[dict[str, str]]] = {}
    for row in data.subscriptions:
        sub_rows.setdefault(row["customer_id"], []).append(row)
    domains: set[str] = set()
    plans = []
    for account in data.accounts:
        account_id = account["account_id"]
        spans = spans_by_account[account_id]
        if not spans.pays_between(first, today):
            continue
        rng = random.Random(f"tenure-demo-usage:{seed}:{account_id}")
        chinese = account["country"] == "China"
        size, employees = account["size"], int(account["employees"])
        plan_name, seats = _plan_and_seats(sub_rows.get(account_id, []), first)
        declines = _declines(rng, account, spans, first, today)
        if declines:
            story = "decline"
        else:
            draw = rng.random()
            story = "grow" if draw < GROWER_SHARE else "steady"
            if GROWER_SHARE <= draw < GROWER_SHARE + DIP_SHARE:
                story = "dip"
        # A grower ends the window with all its users, having started with fewer.
        count = _user_count(rng, size, employees, seats)
        growth = rng.uniform(0.25, 0.6) if story == "grow" else 0.0
        features = _features(rng, size, plan_name, chinese)
        zone = "Asia/Shanghai" if chinese else CITY_TIMEZONES.get(account["city"])
        plan = AccountPlan(
            account_id=account_id,
            story=story,
            chinese=chinese,
            timezone=ZoneInfo(zone or "UTC"),
            group_traits={
                "name": account["name"],
                "industry": account["industry"],
                "plan": plan_name,
                "employees": employees,
                "size": size,
                "country": account["country"],
            },
            users=people(rng, account, email_domain(account, domains), count),
            features=tuple(features),
            cum_weights=[
                list(itertools.accumulate(f.weight for f in features[:n]))
                for n in range(len(features) + 1)
            ],
            declines=declines,
            growth=growth,
            sign_in={"method": _sign_in(account, chinese)},
            rng=rng,
        )
        _curves(plan, spans, first, days)
        plans.append(plan)
    log.debug("planned usage of %d accounts", len(plans))
    return plans
