"""Tests of the demo usage events: Segment shape, determinism, lifetimes and stories."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tenure.demo.generator import DemoData, generate
from tenure.demo.usage import usage_messages
from tenure.demo.usage_events import EVENT_NAMES
from tenure.demo.usage_plan import CITY_TIMEZONES
from tenure.demo.usage_spans import OPEN, account_spans

TODAY = dt.date(2025, 6, 15)
DAYS = 180
FIRST = TODAY - dt.timedelta(days=DAYS - 1)
END_OF_TODAY = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(), dt.UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")
Message = dict[str, Any]


@pytest.fixture(scope="module")
def data() -> DemoData:
    """A smaller demo company than the default, for speed."""
    return generate(42, 300, TODAY)


@pytest.fixture(scope="module")
def messages(data: DemoData) -> list[Message]:
    """Every usage message of the small company."""
    return list(usage_messages(data, TODAY, seed=7))


@pytest.fixture(scope="module")
def tracks(messages: list[Message]) -> list[Message]:
    """Only the track calls."""
    return [message for message in messages if message["type"] == "track"]


def moment(message: Message) -> dt.datetime:
    """Parse a message's timestamp."""
    return dt.datetime.fromisoformat(message["timestamp"])


def local_day(message: Message, zones: dict[str, ZoneInfo]) -> dt.date:
    """Return the day of a track in its account's time zone."""
    return moment(message).astimezone(zones[message["context"]["groupId"]]).date()


def zones_of(data: DemoData) -> dict[str, ZoneInfo]:
    """Return every account's time zone as the generator assigns it."""
    return {
        row["account_id"]: ZoneInfo(
            "Asia/Shanghai"
            if row["country"] == "China"
            else CITY_TIMEZONES.get(row["city"], "UTC")
        )
        for row in data.accounts
    }


def daily_users(tracks: list[Message], zones: dict[str, ZoneInfo]) -> dict[Any, int]:
    """Return the number of distinct active users per (account, local day)."""
    users: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for track in tracks:
        key = (track["context"]["groupId"], local_day(track, zones))
        users[key].add(track["userId"])
    return {key: len(value) for key, value in users.items()}


def mean_users(counts: dict[Any, int], account: str, first: dt.date) -> float:
    """Return an account's mean daily active users over 30 days from ``first``."""
    days = [first + dt.timedelta(days=n) for n in range(30)]
    return sum(counts.get((account, day), 0) for day in days) / 30


def test_same_seed_gives_identical_messages() -> None:
    small = generate(3, 60, TODAY)
    first = list(usage_messages(small, TODAY, days=60, seed=3))
    assert first
    assert first == list(usage_messages(small, TODAY, days=60, seed=3))
    assert first != list(usage_messages(small, TODAY, days=60, seed=4))


def test_messages_have_the_segment_shape(
    data: DemoData, messages: list[Message]
) -> None:
    accounts = {row["account_id"] for row in data.accounts}
    ids = [message["messageId"] for message in messages]
    assert len(set(ids)) == len(ids)
    for message in messages:
        assert isinstance(message["messageId"], str) and message["messageId"]
        assert isinstance(message["userId"], str) and message["userId"]
        stamp = moment(message)
        assert stamp.utcoffset() == dt.timedelta(0)
        assert FIRST - dt.timedelta(days=1) <= stamp.date() and stamp < END_OF_TODAY
        if message["type"] == "identify":
            assert set(message["traits"]) == {"email", "name", "title", "role"}
            assert re.fullmatch(
                r"[a-z0-9.]+@[a-z0-9-]+\.example", message["traits"]["email"]
            )
        elif message["type"] == "group":
            assert message["groupId"] in accounts
            assert {"name", "industry", "plan", "employees"} <= set(message["traits"])
        else:
            assert message["type"] == "track"
            assert message["event"] in EVENT_NAMES
            assert isinstance(message["properties"], dict)
            assert message["context"] == {"groupId": message["context"]["groupId"]}
            assert message["context"]["groupId"] in accounts
    kinds = Counter(message["type"] for message in messages)
    assert set(kinds) == {"identify", "group", "track"}
    assert len({message["event"] for message in messages if "event" in message}) >= 10


def test_group_and_identify_precede_tracks(messages: list[Message]) -> None:
    grouped: set[str] = set()
    identified: set[str] = set()
    for message in messages:
        if message["type"] == "group":
            assert message["groupId"] not in grouped
            grouped.add(message["groupId"])
        elif message["type"] == "identify":
            identified.add(message["userId"])
        else:
            assert message["context"]["groupId"] in grouped
            assert message["userId"] in identified


def test_users_are_named_for_their_market(
    data: DemoData, messages: list[Message]
) -> None:
    chinese = {row["account_id"] for row in data.accounts if row["country"] == "China"}
    account_of = {
        m["userId"]: m["context"]["groupId"] for m in messages if "context" in m
    }
    names: dict[bool, list[str]] = defaultdict(list)
    for message in messages:
        if message["type"] == "identify":
            account = account_of[message["userId"]]
            names[account in chinese].append(message["traits"]["name"])
    share = sum(bool(CJK.search(name)) for name in names[True]) / len(names[True])
    assert share > 0.85
    assert not any(CJK.search(name) for name in names[False])


def test_events_fall_in_local_working_hours_mostly_on_weekdays(
    data: DemoData, tracks: list[Message]
) -> None:
    zones = zones_of(data)
    hours: Counter[int] = Counter()
    weekdays = 0
    for track in tracks:
        local = moment(track).astimezone(zones[track["context"]["groupId"]])
        hours[local.hour] += 1
        weekdays += local.weekday() < 5
    assert min(hours) >= 7 and max(hours) <= 23
    assert sum(hours[h] for h in range(9, 18)) > 0.75 * len(tracks)
    assert weekdays > 0.85 * len(tracks)


def test_only_accounts_paying_in_the_window_get_events(
    data: DemoData, messages: list[Message]
) -> None:
    spans = account_spans(data)
    payers = {a for a, s in spans.items() if s.pays_between(FIRST, TODAY)}
    groups = {m["groupId"] for m in messages if m["type"] == "group"}
    assert groups <= payers
    assert len(groups) > 0.9 * len(payers)
    assert len(payers) < len(data.accounts)


def test_no_events_outside_an_account_s_service(
    data: DemoData, tracks: list[Message]
) -> None:
    spans = account_spans(data)
    zones = zones_of(data)
    left = {a: s.service[-1][1] for a, s in spans.items() if s.service[-1][1] <= TODAY}
    assert left
    for track in tracks:
        account = track["context"]["groupId"]
        day = local_day(track, zones)
        assert spans[account].serves(day)
        if account in left:
            assert moment(track).date() <= left[account] + dt.timedelta(days=2)


def test_churners_lose_active_users_and_healthy_accounts_do_not(
    data: DemoData, tracks: list[Message]
) -> None:
    spans = account_spans(data)
    tags = {row["account_id"]: row["tags"].split(";") for row in data.accounts}
    counts = daily_users(tracks, zones_of(data))
    churners: list[tuple[float, float]] = []
    healthy: list[tuple[float, float]] = []
    for account, span in spans.items():
        if not all(span.serves(FIRST + dt.timedelta(days=n)) for n in range(30)):
            continue
        start = mean_users(counts, account, FIRST)
        soon = TODAY + dt.timedelta(days=60)
        leaves = [end for end in span.leaves() if FIRST < end <= soon]
        past = [end for end in leaves if FIRST + dt.timedelta(days=60) <= end <= TODAY]
        if past:
            last = mean_users(counts, account, past[0] - dt.timedelta(days=30))
            churners.append((start, last))
        elif not leaves and "at-risk" not in tags[account]:
            last = mean_users(counts, account, TODAY - dt.timedelta(days=29))
            healthy.append((start, last))
    assert len(churners) >= 5 and len(healthy) >= 100

    def ratio(pairs: list[tuple[float, float]]) -> float:
        return sum(last for _, last in pairs) / sum(start for start, _ in pairs)

    assert ratio(churners) < 0.6
    assert ratio(healthy) > 0.9
    assert ratio(healthy) - ratio(churners) > 0.4


def test_users_per_account_scale_with_size(
    data: DemoData, tracks: list[Message]
) -> None:
    size = {row["account_id"]: row["size"] for row in data.accounts}
    users: dict[str, set[str]] = defaultdict(set)
    for track in tracks:
        users[track["context"]["groupId"]].add(track["userId"])
    by_size: dict[str, list[int]] = defaultdict(list)
    for account, people in users.items():
        by_size[size[account]].append(len(people))
    assert max(by_size["SMB"]) <= 10
    assert max(by_size["Enterprise"]) <= 80
    assert max(by_size["Enterprise"]) >= 30
    mean = {key: sum(values) / len(values) for key, values in by_size.items()}
    assert mean["SMB"] < mean["Mid-market"] < mean["Enterprise"]


def test_volume_scales_to_the_target_range(
    data: DemoData, messages: list[Message]
) -> None:
    # 300k-800k messages for the default 1,000 accounts, per account here.
    assert 300 <= len(messages) / len(data.accounts) <= 800


@pytest.mark.slow
def test_default_company_volume_is_in_the_target_range() -> None:
    data = generate(42, 1000, TODAY)
    count = sum(1 for _ in usage_messages(data, TODAY, seed=42))
    assert 300_000 <= count <= 800_000


def test_account_spans_merge_rows_and_bridge_late_renewals() -> None:
    def sub(sub_id: str, start: str, end: str, trial: str = "") -> dict[str, str]:
        return {
            "subscription_id": sub_id, "customer_id": "A", "start_date": start,
            "end_date": end, "quantity": "1", "trial_end_date": trial,
        }  # fmt: skip

    def contract(start: str, end: str) -> dict[str, str]:
        return {"customer_id": "B", "start_date": start, "end_date": end}

    day = dt.date.fromisoformat
    data = DemoData(
        accounts=[{"account_id": "A"}, {"account_id": "B"}, {"account_id": "C"}],
        subscriptions=[
            sub("S1", "2024-01-01", "2024-03-01", trial="2024-01-15"),
            sub("S1", "2024-03-01", "2024-05-01"),  # plan change: same span
            sub("S2", "2024-09-01", ""),  # came back months later
        ],
        contracts=[
            contract("2023-01-01", "2023-12-31"),
            contract("2024-01-21", "2024-12-31"),  # 20 days late: still a customer
            contract("2025-06-01", "2026-05-31"),  # months later: came back
        ],
    )
    spans = account_spans(data)
    assert spans["A"].service == (
        (day("2024-01-01"), day("2024-05-01")),
        (day("2024-09-01"), OPEN),
    )
    assert spans["A"].paid[0] == (day("2024-01-15"), day("2024-05-01"))
    assert spans["A"].leaves() == [day("2024-05-01")]
    assert spans["B"].service == (
        (day("2023-01-01"), day("2025-01-01")),
        (day("2025-06-01"), day("2026-06-01")),
    )
    assert not spans["B"].pays_between(day("2024-01-01"), day("2024-01-20"))
    assert spans["C"].service == () and not spans["C"].pays_between(FIRST, TODAY)


def test_days_must_be_positive(data: DemoData) -> None:
    with pytest.raises(ValueError, match="days"):
        next(usage_messages(data, TODAY, days=0, seed=1))
