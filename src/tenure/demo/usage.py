"""Seeded demo product usage as Segment identify, group and track messages.

Pure and deterministic for a seed: the messages are plain dicts shaped as Segment's
HTTP tracking API receives them. Accounts that leave (or are due to leave) use the
product less and less over the 30-90 days before, a quarter of the others grow and a
few dip for a couple of weeks; see ``tenure.demo.usage_plan`` for the stories.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from tenure.demo.generator import DemoData
from tenure.demo.usage_events import SIGNED_IN
from tenure.demo.usage_people import Person
from tenure.demo.usage_plan import AccountPlan, plan_accounts

log = logging.getLogger(__name__)

DEFAULT_DAYS = 180
# Share of a weekday's activity on Saturday and Sunday.
WEEKEND = {True: (0.22, 0.08), False: (0.08, 0.05)}
# Local hours people start sessions in, repeated by weight: a lunch dip, and teams in
# China work later into the evening.
_HOURS_CHINA = [
    hour
    for hour, weight in enumerate((1, 6, 10, 10, 6, 4, 9, 10, 9, 7, 4, 3, 2, 1), 8)
    for _ in range(weight)
]
_HOURS_ELSEWHERE = [
    hour
    for hour, weight in enumerate((1, 4, 9, 10, 8, 5, 8, 9, 8, 5, 2, 1, 1), 7)
    for _ in range(weight)
]
# Formatting by table lookup: the clock is the hottest code after building dicts.
_MINUTES_SECONDS = [f"{s // 60:02d}:{s % 60:02d}" for s in range(3600)]
_MILLIS = [f".{ms:03d}Z" for ms in range(1000)]
_NAMESPACE = uuid.UUID("5b1f6a52-3f0e-4a0c-9d55-6f1c0e8f2a71")
ACTIONS = 6  # extra actions per session of the most engaged users
SIGN_IN_SHARE = 0.45  # of sessions that start with a sign-in (others are remembered)

Batch = list[tuple[float, int, int, dict[str, Any]]]


class _Clock:
    """Local midnights as Unix times, and fast ISO-8601 UTC formatting."""

    def __init__(self) -> None:
        self._midnights: dict[tuple[str, dt.date], float] = {}
        self._hours: dict[int, str] = {}

    def midnight(self, zone: ZoneInfo, day: dt.date) -> float:
        """Return the Unix time of ``day``'s local midnight in ``zone``."""
        key = (zone.key, day)
        if key not in self._midnights:
            local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
            self._midnights[key] = local.timestamp()
        return self._midnights[key]

    def iso(self, stamp: float) -> str:
        """Format a Unix time as e.g. ``2025-06-15T01:02:03.456Z``."""
        hour, millis = divmod(int(stamp * 1000), 3_600_000)
        prefix = self._hours.get(hour)
        if prefix is None:
            moment = dt.datetime.fromtimestamp(hour * 3600, dt.UTC)
            prefix = self._hours[hour] = moment.strftime("%Y-%m-%dT%H:")
        second, millis = divmod(millis, 1000)
        return prefix + _MINUTES_SECONDS[second] + _MILLIS[millis]


def _session_starts(plan: AccountPlan, midnight: float, count: int) -> list[float]:
    """Return the Unix times a user starts ``count`` sessions on one day, in order."""
    hours = _HOURS_CHINA if plan.chinese else _HOURS_ELSEWHERE
    rng = plan.rng
    starts = [
        midnight + 3600 * (hours[int(rng.random() * len(hours))] + rng.random())
        for _ in range(count)
    ]
    return sorted(starts) if count > 1 else starts


def _session(
    plan: AccountPlan, user: Person, stamp: float, cum: list[float], batch: Batch
) -> None:
    """Append the tracks of one session that starts at ``stamp``."""
    random = plan.rng.random
    features, total = plan.features, cum[-1]
    user_id, account_id = user.user_id, plan.account_id
    actions = 1 + int(random() * (2 + ACTIONS * user.propensity))
    for number in range(actions):
        if number == 0 and random() < SIGN_IN_SHARE:
            event, properties = SIGNED_IN, dict(plan.sign_in)
        else:
            feature = features[bisect.bisect(cum, random() * total)]
            event, properties = feature.event, feature.properties(plan.rng)
        message = {
            "type": "track",
            "userId": user_id,
            "event": event,
            "properties": properties,
            "context": {"groupId": account_id},
        }
        batch.append((stamp, 2, len(batch), message))
        stamp += 15 + random() * 240


def _account_day(
    plan: AccountPlan, day: dt.date, offset: int, clock: _Clock, batch: Batch
) -> None:
    """Append one account's messages of one local day to ``batch``."""
    random = plan.rng.random
    factor = plan.intensity[offset]
    if day.weekday() >= 5:
        factor *= WEEKEND[plan.chinese][day.weekday() - 5]
    midnight = clock.midnight(plan.timezone, day)
    cum = plan.cum_weights[plan.breadth[offset]]
    first: tuple[float, str] | None = None
    for user in plan.users[: plan.seats[offset]]:
        if random() >= user.propensity * factor:
            continue
        sessions = 2 if random() < 0.2 * user.propensity else 1
        starts = _session_starts(plan, midnight, sessions)
        if first is None or starts[0] < first[0]:
            first = (starts[0], user.user_id)
        if user.user_id not in plan.identified:
            plan.identified.add(user.user_id)
            batch.append((starts[0] - 1, 1, len(batch), _identify(user)))
        for stamp in starts:
            _session(plan, user, stamp, cum, batch)
    if first is not None and not plan.grouped:
        plan.grouped = True
        message = {
            "type": "group",
            "userId": first[1],
            "groupId": plan.account_id,
            "traits": dict(plan.group_traits),
        }
        batch.append((first[0] - 2, 0, len(batch), message))


def _identify(user: Person) -> dict[str, Any]:
    traits = {"email": user.email, "name": user.name, "title": user.title}
    traits["role"] = user.role
    return {"type": "identify", "userId": user.user_id, "traits": traits}


def usage_messages(
    data: DemoData, today: dt.date, *, days: int = DEFAULT_DAYS, seed: int
) -> Iterator[dict[str, Any]]:
    """Yield Segment messages of ``days`` days of usage up to and including ``today``.

    Messages come day by day, in time order within each day; a group call precedes
    an account's first track and an identify call a user's first track.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    started = time.perf_counter()
    first = today - dt.timedelta(days=days - 1)
    plans = plan_accounts(data, today, days=days, seed=seed)
    name = f"tenure-demo-usage:{seed}:{today}:{days}:{len(data.accounts)}"
    prefix = str(uuid.uuid5(_NAMESPACE, name))[:24]
    clock = _Clock()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
    end_stamp = end.timestamp()
    count = 0
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        batch: Batch = []
        for plan in plans:
            if plan.serving[offset]:
                _account_day(plan, day, offset, clock, batch)
        batch.sort()  # by time, then group before identify before track
        for stamp, _, _, message in batch:
            if stamp >= end_stamp:
                continue  # evening in the Americas is tomorrow in UTC
            message["messageId"] = f"{prefix}{count:012x}"
            message["timestamp"] = clock.iso(stamp)
            count += 1
            yield message
    log.info(
        "generated %d usage messages for %d accounts in %.1f s",
        count,
        len(plans),
        time.perf_counter() - started,
    )
