"""The demo company's staff: an admin, executives, five regional teams and a viewer."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field

from tenure.demo.names import chinese_person, english_person

log = logging.getLogger(__name__)

REGIONS = ("East China", "North China", "South China", "West China", "International")
TEAM_NAMES = {
    "East China": "华东 East China",
    "North China": "华北 North China",
    "South China": "华南 South China",
    "West China": "华西 West China",
    "International": "国际 International",
}
HOME_TIMEZONE = "Asia/Shanghai"
INTERNATIONAL_TIMEZONES = (
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Europe/Berlin",
)


@dataclass
class Org:
    """Teams, staff and who may own the accounts of each region."""

    teams: list[dict[str, str]] = field(default_factory=list)
    staff: list[dict[str, str | None]] = field(default_factory=list)
    csms: dict[str, list[str]] = field(default_factory=dict)
    managers: dict[str, str] = field(default_factory=dict)


def _person(
    rng: random.Random,
    taken: set[str],
    role: str,
    team: str | None,
    *,
    english: bool,
    locale: str | None = None,
    timezone: str = HOME_TIMEZONE,
) -> dict[str, str | None]:
    name, email = english_person(rng, taken) if english else chinese_person(rng, taken)
    return {
        "email": email,
        "name": name,
        "role": role,
        "team": team,
        "timezone": timezone,
        "locale": locale or ("en" if english else "zh-CN"),
    }


def build_org(rng: random.Random) -> Org:
    """Create the staff and teams; international staff work from other time zones."""
    org = Org()
    taken: set[str] = set()
    org.staff.append(_person(rng, taken, "admin", None, english=False))
    org.staff.append(_person(rng, taken, "executive", None, english=False))
    if rng.random() < 0.7:
        org.staff.append(
            _person(
                rng, taken, "executive", None, english=True, timezone="Asia/Singapore"
            )
        )
    for region in REGIONS:
        team = TEAM_NAMES[region]
        international = region == "International"
        members = []
        for index in range(1 + rng.randint(3, 5)):
            role = "manager" if index == 0 else "csm"
            if international:
                person = _person(
                    rng,
                    taken,
                    role,
                    team,
                    english=index == 0 or rng.random() < 0.75,
                    locale="en",
                    timezone=rng.choice(INTERNATIONAL_TIMEZONES),
                )
            else:
                person = _person(rng, taken, role, team, english=rng.random() < 0.1)
            members.append(person)
        org.staff.extend(members)
        org.managers[region] = str(members[0]["email"])
        org.csms[region] = [str(person["email"]) for person in members[1:]]
        org.teams.append(
            {"name": team, "region": region, "manager_email": org.managers[region]}
        )
    org.staff.append(_person(rng, taken, "viewer", None, english=False))
    log.debug("demo org: %d staff in %d teams", len(org.staff), len(org.teams))
    return org


def pick_owner(rng: random.Random, org: Org, region: str, tier: str) -> str:
    """Return the owner of a new account: a CSM of the region, or its manager."""
    if tier == "Strategic" and rng.random() < 0.3:
        return org.managers[region]
    csms = org.csms[region]
    # The first CSMs of a team carry bigger books than the newest ones.
    weights = [len(csms) - index + 2 for index in range(len(csms))]
    return rng.choices(csms, weights)[0]
