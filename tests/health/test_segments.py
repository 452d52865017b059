"""Segment filters and choosing a scorecard by priority, with the default last."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tenure.health.schemas import Segment
from tenure.health.segments import AccountFacts, choose, matches

ACME = AccountFacts(
    account_id=1,
    industry="Retail",
    region="East",
    tier="Key",
    size="SMB",
    plan="pro-monthly",
    tags=frozenset({"vip", "api"}),
    custom={"seats": 120, "partner": "yes", "beta": True},
    mrr=Decimal("400.00"),
)


@pytest.mark.parametrize(
    ("segment", "expected"),
    [
        ({}, True),
        ({"industry": "Retail"}, True),
        ({"industry": ["Education", "Retail"]}, True),
        ({"industry": "Education"}, False),
        ({"region": "East", "tier": "Key", "size": "SMB"}, True),
        ({"region": "East", "tier": "Standard"}, False),
        ({"plan": "pro-monthly"}, True),
        ({"tags_any": ["vip", "nope"]}, True),
        ({"tags_any": ["nope"]}, False),
        ({"tags_all": ["vip", "api"]}, True),
        ({"tags_all": ["vip", "nope"]}, False),
        ({"custom": {"seats": "120"}}, True),
        ({"custom": {"seats": [100, 120.0]}}, True),
        ({"custom": {"seats": 99}}, False),
        ({"custom": {"beta": True}}, True),
        ({"custom": {"missing": "x"}}, False),
        ({"mrr_min": "400"}, True),
        ({"mrr_min": "400.01"}, False),
        ({"mrr_max": "400"}, False),
        ({"mrr_min": 100, "mrr_max": 1000}, True),
    ],
)
def test_matches(segment: dict[str, Any], expected: bool) -> None:
    assert matches(Segment.model_validate(segment), ACME) is expected


def test_unknown_attribute_value_never_matches() -> None:
    blank = AccountFacts(account_id=2)
    assert not matches(Segment(industry=["Retail"]), blank)
    assert matches(Segment(), blank)


def test_choose_takes_the_first_match_in_priority_order() -> None:
    candidates = [
        (Segment(industry=["Education"]), "education"),
        (Segment(tier=["Key"]), "key"),
        (Segment(region=["East"]), "east"),
    ]
    assert choose(candidates, "default", ACME) == "key"
    assert choose(candidates[2:], "default", ACME) == "east"
    assert choose(candidates[:1], "default", ACME) == "default"
