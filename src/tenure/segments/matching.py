"""Whether an account's facts satisfy a segment filter: pure, no I/O.

``matcher`` turns a filter into one test, built once and run per account, so that
matching 100,000 accounts costs little beside loading their facts.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenure.segments.schemas import SegmentFilter

log = logging.getLogger(__name__)

_ATTRIBUTES = ("industry", "region", "tier", "size", "plan", "owner", "status")

Test = Callable[["AccountFacts"], bool]


@dataclass(slots=True)
class AccountFacts:
    """What a segment filter can test about one account on one day.

    ``owner`` is the owner's email in lower case. ``active_users`` and
    ``mrr_change`` hold a value per window length in days; a missing window (or
    None: no data at all, cheaper than 100,000 empty dicts) means no data for it.
    """

    account_id: int
    industry: str | None = None
    region: str | None = None
    tier: str | None = None
    size: str | None = None
    plan: str | None = None
    owner: str | None = None
    tags: frozenset[str] = frozenset()
    custom: Mapping[str, Any] | None = None
    mrr: Decimal = Decimal(0)
    status: str = "prospect"
    band: str | None = None
    score: float | None = None
    renewal_days: float | None = None
    active_users: Mapping[int, float] | None = None
    mrr_change: Mapping[int, float] | None = None


def _text(value: Any) -> str:
    """Compare custom attribute values as text: 120 matches "120", True "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _window(values: Mapping[int, float] | None, days: int) -> float | None:
    """The value for a window of ``days``, if the account has one."""
    return None if values is None else values.get(days)


def _within(get: Callable[[AccountFacts], Any], low: Any, high: Any) -> Test:
    """A test that ``get`` gives a value from ``low`` (inclusive) to ``high``."""

    def test(facts: AccountFacts) -> bool:
        value = get(facts)
        if value is None:
            return False
        return (low is None or value >= low) and (high is None or value < high)

    return test


def _one_of(name: str, allowed: frozenset[str]) -> Test:
    get = operator.attrgetter(name)
    return lambda facts: get(facts) in allowed


def _custom(accepted: dict[str, frozenset[str]]) -> Test:
    def test(facts: AccountFacts) -> bool:
        for key, values in accepted.items():
            value = None if facts.custom is None else facts.custom.get(key)
            if value is None or _text(value) not in values:
                return False
        return True

    return test


def _tests(segment: SegmentFilter) -> list[Test]:
    """One test per condition the filter sets."""
    tests: list[Test] = []
    for name in _ATTRIBUTES:
        wanted = getattr(segment, name)
        if wanted is not None:
            tests.append(_one_of(name, frozenset(wanted)))
    if segment.tags_any is not None:
        any_of = frozenset(segment.tags_any)
        tests.append(lambda f: not f.tags.isdisjoint(any_of))
    if segment.tags_all is not None:
        all_of = frozenset(segment.tags_all)
        tests.append(lambda f: f.tags >= all_of)
    if segment.custom:
        tests.append(
            _custom(
                {
                    key: frozenset(_text(value) for value in values)
                    for key, values in segment.custom.items()
                }
            )
        )
    if segment.mrr_min is not None or segment.mrr_max is not None:
        tests.append(_within(lambda f: f.mrr, segment.mrr_min, segment.mrr_max))
    if segment.uses_mrr_change():
        days = segment.change_days()
        tests.append(
            _within(
                lambda f: _window(f.mrr_change, days),
                segment.mrr_change_min,
                segment.mrr_change_max,
            )
        )
    if segment.health_bands is not None:
        bands = frozenset(segment.health_bands)
        tests.append(lambda f: f.band in bands)
    if segment.health_score_min is not None or segment.health_score_max is not None:
        tests.append(
            _within(
                lambda f: f.score, segment.health_score_min, segment.health_score_max
            )
        )
    if segment.uses_usage():
        window = segment.usage_days()
        tests.append(
            _within(
                lambda f: _window(f.active_users, window),
                segment.active_users_min,
                segment.active_users_max,
            )
        )
    if segment.renewal_within_days is not None:
        within = segment.renewal_within_days
        tests.append(lambda f: f.renewal_days is not None and f.renewal_days <= within)
    return tests


def matcher(segment: SegmentFilter) -> Test:
    """Return a test telling whether an account's facts satisfy ``segment``."""
    tests = _tests(segment)
    if not tests:
        return lambda _facts: True
    return lambda facts: all(test(facts) for test in tests)


def matches(segment: SegmentFilter, facts: AccountFacts) -> bool:
    """Tell whether ``facts`` satisfy every condition of ``segment``."""
    return matcher(segment)(facts)
