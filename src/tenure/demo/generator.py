"""Seeded generator of a realistic demo company; pure and deterministic for a seed.

Value sets used in the generated data:

* industry: Retail, Manufacturing, Financial services, Education, Healthcare,
  Internet, Logistics, Professional services
* region: East China, North China, South China, West China, International
* size (by employees): SMB (< 200), Mid-market (200-999), Enterprise (1,000+)
* tier: Strategic (enterprise), Key (mid-market), Standard (SMB paying annually, on
  Business or with 3+ seats), Long-tail (other SMB)
* custom attributes: employees, city (English name), country

Only end dates (contract and subscription ends, trial and discount ends) can lie
after ``today``; every start, signing and creation date is on or before it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import random
from dataclasses import dataclass, field

from tenure.demo import rows
from tenure.demo.contracts import Contract, simulate_contracts
from tenure.demo.dates import add_months, iso
from tenure.demo.names import (
    CHINA_CITIES,
    INDUSTRIES,
    INDUSTRY_WEIGHTS,
    INTERNATIONAL_PLACES,
    chinese_company,
    english_company,
)
from tenure.demo.org import Org, build_org, pick_owner
from tenure.demo.subscriptions import Profile, Sub, simulate_subscriber

log = logging.getLogger(__name__)

HISTORY_MONTHS = 36
CHINESE_SHARE = 0.7
GROWTH = 2.0  # acquisitions per day at the end are 1 + GROWTH times the first ones
SIZES = ("SMB", "Mid-market", "Enterprise")
SIZE_WEIGHTS = (65, 25, 10)
CHINA_REGIONS = ("East China", "North China", "South China", "West China")
CHINA_REGION_WEIGHTS = (38, 25, 24, 13)


@dataclass
class DemoData:
    """Staff, teams and import rows of one generated demo company."""

    # {"name": "华东 East China", "region": "East China", "manager_email": ...}
    teams: list[dict[str, str]] = field(default_factory=list)
    # {"email", "name", "role", "team" (a team name or None), "timezone", "locale"}
    staff: list[dict[str, str | None]] = field(default_factory=list)
    # Rows of the accounts, subscriptions, contracts and fx-rates import formats.
    accounts: list[dict[str, str]] = field(default_factory=list)
    subscriptions: list[dict[str, str]] = field(default_factory=list)
    contracts: list[dict[str, str]] = field(default_factory=list)
    fx_rates: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Account:
    chinese: bool
    region: str
    city: str
    country: str
    currency: str
    size: str
    employees: int
    industry: str
    first_start: dt.date
    created: dt.date
    on_contract: bool
    name: str
    account_id: str = ""


def _acquisition_day(rng: random.Random, first: dt.date, today: dt.date) -> dt.date:
    """Draw a first revenue day; the acquisition rate grows linearly over time."""
    u = rng.random()
    t = (-1 + math.sqrt(1 + 2 * GROWTH * u * (1 + GROWTH / 2))) / GROWTH
    return first + dt.timedelta(days=int(t * (today - first).days))


def _employees(rng: random.Random, size: str) -> int:
    if size == "SMB":
        return rng.randint(8, 199)
    if size == "Mid-market":
        return rng.randint(20, 99) * 10
    return int(math.exp(rng.uniform(math.log(1000), math.log(30000)))) // 100 * 100


def _skeleton(
    rng: random.Random, start: dt.date, today: dt.date, taken: set[str]
) -> _Account:
    chinese = rng.random() < CHINESE_SHARE
    size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
    industry = rng.choices(INDUSTRIES, INDUSTRY_WEIGHTS)[0]
    first_start = _acquisition_day(rng, start, today)
    if chinese:
        region = rng.choices(CHINA_REGIONS, CHINA_REGION_WEIGHTS)[0]
        city_cn, city = rng.choice(CHINA_CITIES[region])
        name = chinese_company(rng, city_cn, industry, size, taken)
        country, currency = "China", "CNY"
        on_contract = size == "Enterprise" or (
            size == "Mid-market" and rng.random() < 0.75
        )
    else:
        region = "International"
        place = rng.choices(
            INTERNATIONAL_PLACES, [p.weight for p in INTERNATIONAL_PLACES]
        )[0]
        city, country, currency = place.city, place.country, place.currency
        name = english_company(rng, place, industry, taken)
        on_contract = False
    lead = rng.randint(30, 120) if on_contract else rng.randint(0, 3)
    created = max(start, first_start - dt.timedelta(days=lead))
    return _Account(
        chinese,
        region,
        city,
        country,
        currency,
        size,
        _employees(rng, size),
        industry,
        first_start,
        created,
        on_contract,
        name,
    )


def _profile(account: _Account) -> Profile:
    if account.size == "SMB":
        return Profile(account.currency, 0.3, (0.5, 0.35, 0.15), (1, 5))
    if account.size == "Mid-market":
        return Profile(account.currency, 0.8, (0.0, 0.4, 0.6), (2, 6), managed=True)
    return Profile(account.currency, 1.0, (0.0, 0.0, 1.0), (5, 15), managed=True)


def _tier(account: _Account, subs: list[Sub]) -> str:
    if account.size == "Enterprise":
        return "Strategic"
    if account.size == "Mid-market":
        return "Key"
    first = subs[0]
    item = first.items[0]
    if first.interval == "year" or item.plan == 2 or item.quantity >= 3:
        return "Standard"
    return "Long-tail"


def _tags(rng: random.Random, account: _Account, tier: str, active: bool) -> list[str]:
    tags = []
    if rng.random() < 0.5:
        pool = ("wechat-work", "dingtalk", "feishu") if account.chinese else None
        tags.append(rng.choice(pool or ("slack", "salesforce", "hubspot")))
    if account.size != "SMB" and rng.random() < 0.5:
        tags.append("sso")
    if rng.random() < 0.2:
        tags.append("api")
    if tier in ("Strategic", "Key") and rng.random() < 0.15:
        tags.append("reference")
    if rng.random() < 0.1:
        tags.append("partner-referred")
    if tier == "Long-tail" and rng.random() < 0.6:
        tags.append("self-serve")
    if tier == "Strategic":
        tags.append("high-touch")
    if active and rng.random() < 0.08:
        tags.append("at-risk")
    return tags


def _account_row(
    account: _Account, tier: str, tags: list[str], owner: str
) -> dict[str, str]:
    return {
        "account_id": account.account_id,
        "name": account.name,
        "industry": account.industry,
        "region": account.region,
        "size": account.size,
        "tier": tier,
        "tags": ";".join(tags),
        "owner_email": owner,
        "created_at": iso(account.created),
        "employees": str(account.employees),
        "city": account.city,
        "country": account.country,
    }


def _is_active(subs: list[Sub], contracts: list[Contract], today: dt.date) -> bool:
    if any(sub.open_items() for sub in subs):
        return True
    return any(contract.end >= today for contract in contracts)


def generate(
    seed: int = 42, accounts: int = 1000, today: dt.date | None = None
) -> DemoData:
    """Generate a demo company with ``accounts`` customers over three years."""
    rng = random.Random(seed)
    today = today or dt.date.today()
    start = add_months(today.replace(day=1), -HISTORY_MONTHS)
    org: Org = build_org(rng)
    taken: set[str] = set()
    skeletons = [_skeleton(rng, start, today, taken) for _ in range(accounts)]
    skeletons.sort(key=lambda account: (account.created, account.first_start))
    width = max(5, len(str(accounts)))
    all_subs: list[Sub] = []
    all_contracts: list[Contract] = []
    data = DemoData(teams=org.teams, staff=org.staff)
    for number, account in enumerate(skeletons, start=1):
        account.account_id = f"ACC-{number:0{width}d}"
        subs: list[Sub] = []
        contracts: list[Contract] = []
        if account.on_contract:
            contracts = simulate_contracts(
                rng,
                account.account_id,
                account.size,
                account.first_start,
                account.created,
                today,
            )
        else:
            subs = simulate_subscriber(
                rng, account.account_id, _profile(account), account.first_start, today
            )
        tier = _tier(account, subs)
        owner = pick_owner(rng, org, account.region, tier)
        tags = _tags(rng, account, tier, _is_active(subs, contracts, today))
        data.accounts.append(_account_row(account, tier, tags, owner))
        all_subs.extend(subs)
        all_contracts.extend(contracts)
    data.subscriptions = rows.subscription_rows(all_subs)
    data.contracts = rows.contract_rows(all_contracts)
    data.fx_rates = rows.fx_rows(rng, start, today)
    log.info(
        "generated demo data: %d accounts, %d subscriptions, %d contracts",
        len(data.accounts),
        len(all_subs),
        len(all_contracts),
    )
    return data
