"""Which scorecard scores an account: segment filters matched by priority (pure)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from tenure.health.schemas import Segment

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What a segment filter can test about one account."""

    account_id: int
    industry: str | None = None
    region: str | None = None
    tier: str | None = None
    size: str | None = None
    plan: str | None = None
    tags: frozenset[str] = frozenset()
    custom: dict[str, Any] = field(default_factory=dict)
    mrr: Decimal = Decimal(0)
    # The keys of the saved segments (of those scorecards name) the account is in.
    saved: frozenset[str] = frozenset()


def _text(value: Any) -> str:
    """Compare custom attribute values as text: 120 matches "120", True "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def matches(segment: Segment, facts: AccountFacts) -> bool:
    """Tell whether ``facts`` satisfy every condition of ``segment``."""
    for name in ("industry", "region", "tier", "size", "plan"):
        wanted = getattr(segment, name)
        if wanted is not None and getattr(facts, name) not in wanted:
            return False
    if segment.tags_any is not None and facts.tags.isdisjoint(segment.tags_any):
        return False
    if segment.tags_all is not None and not facts.tags.issuperset(segment.tags_all):
        return False
    if segment.custom:
        for key, accepted in segment.custom.items():
            if key not in facts.custom or facts.custom[key] is None:
                return False
            if _text(facts.custom[key]) not in {_text(v) for v in accepted}:
                return False
    if segment.saved is not None and segment.saved not in facts.saved:
        return False
    if segment.mrr_min is not None and facts.mrr < segment.mrr_min:
        return False
    return not (segment.mrr_max is not None and facts.mrr >= segment.mrr_max)


def choose(
    candidates: Sequence[tuple[Segment, T]], default: T | None, facts: AccountFacts
) -> T | None:
    """Return the first candidate whose segment matches, else ``default``.

    ``candidates`` must already be in priority order (lowest number first).
    """
    for segment, chosen in candidates:
        if matches(segment, facts):
            return chosen
    return default
