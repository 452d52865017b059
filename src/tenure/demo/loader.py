"""Load generated demo data into a database: staff, settings, then the imports."""

from __future__ import annotations

import datetime as dt
import logging

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.demo.generator import DemoData
from tenure.demo.usage import usage_messages
from tenure.imports.service import import_rows
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team
from tenure.usage.store import EventStore

log = logging.getLogger(__name__)

REPORTING_CURRENCY = "CNY"
TIMEZONE = "Asia/Shanghai"
SOURCE = "demo"
USAGE_BATCH = 2_000


class DemoLoadError(ValueError):
    """Demo data that cannot be loaded, e.g. because its staff already exist."""


def _check_empty(session: Session, data: DemoData) -> None:
    """Refuse to load over teams or staff users that already exist."""
    names = [team["name"] for team in data.teams]
    emails = [str(person["email"]) for person in data.staff]
    clashes = list(session.scalars(select(Team.name).where(Team.name.in_(names))))
    clashes += session.scalars(
        select(StaffUser.email).where(StaffUser.email.in_(emails))
    )
    if clashes:
        shown = ", ".join(sorted(clashes)[:5])
        raise DemoLoadError(f"demo data is already loaded (found {shown})")


def _load_staff(session: Session, data: DemoData) -> None:
    """Create the teams and staff users, then make each team's manager its lead."""
    teams = {team["name"]: Team(name=team["name"]) for team in data.teams}
    session.add_all(teams.values())
    session.flush()
    users: dict[str, StaffUser] = {}
    for person in data.staff:
        team = teams[str(person["team"])] if person["team"] else None
        user = StaffUser(
            email=person["email"],
            name=person["name"],
            role=person["role"],
            team_id=team.id if team else None,
            timezone=person["timezone"],
            locale=person["locale"],
            is_active=True,
            password_hash=None,
        )
        users[str(person["email"])] = user
    session.add_all(users.values())
    session.flush()
    for team_data in data.teams:
        teams[team_data["name"]].manager_id = users[team_data["manager_email"]].id
    session.flush()


def load(session: Session, data: DemoData) -> None:
    """Load ``data`` into the session's database; the caller commits.

    Creates the teams and staff users, sets the reporting currency to CNY and the
    time zone to Asia/Shanghai, then imports FX rates, accounts, subscriptions and
    contracts. Raises ``ImportFailed`` if any row is rejected.
    """
    _check_empty(session, data)
    _load_staff(session, data)
    set_value(session, "reporting_currency", REPORTING_CURRENCY)
    set_value(session, "timezone", TIMEZONE)
    for kind, rows in (
        ("fx-rates", data.fx_rates),
        ("accounts", data.accounts),
        ("subscriptions", data.subscriptions),
        ("contracts", data.contracts),
    ):
        result = import_rows(
            session, kind, rows, source=SOURCE, default_currency=REPORTING_CURRENCY
        )
        log.info("demo %s: %d created", kind, result.created)
        for note in result.notes:
            log.info("demo %s: %s", kind, note)


def load_usage(store: EventStore, data: DemoData, today: dt.date, *, seed: int) -> int:
    """Replace the event store's events with the demo company's 180 days of usage.

    Events the generator placed later today than now are left out: usage is history.
    """
    store.clear()
    # The generator writes UTC timestamps as YYYY-MM-DDTHH:MM:SS.fffZ: text order is
    # time order.
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    chunk: list[dict[str, object]] = []
    count = 0
    for message in usage_messages(data, today, seed=seed):
        if str(message.get("timestamp", "")) > now:
            continue
        chunk.append(message)
        if len(chunk) == USAGE_BATCH:
            count += store.ingest("batch", orjson.dumps({"batch": chunk}))
            chunk = []
    if chunk:
        count += store.ingest("batch", orjson.dumps({"batch": chunk}))
    store.flush()
    log.info("demo usage: %d events", count)
    return count
