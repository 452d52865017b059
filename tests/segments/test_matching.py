"""Matching a segment filter against one account's facts (pure, no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tenure.segments.matching import AccountFacts, matcher, matches
from tenure.segments.schemas import SegmentFilter

ACME = AccountFacts(
    account_id=1,
    industry="Retail",
    region="East",
    tier="KA",
    size="SMB",
    plan="pro",
    owner="ann@example.com",
    tags=frozenset({"vip", "api"}),
    custom={"seats": 120, "beta": True},
    mrr=Decimal("400.00"),
    status="active",
    band="red",
    score=31.5,
    renewal_days=45.0,
    active_users={30: 4.5, 7: 1.0},
    mrr_change={90: 0.25},
)


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        ({}, True),
        ({"industry": "Retail"}, True),
        ({"industry": ["Education", "Retail"]}, True),
        ({"industry": "Education"}, False),
        ({"region": "East", "tier": "KA", "size": "SMB", "plan": "pro"}, True),
        ({"tier": "A"}, False),
        ({"owner": "ANN@example.com"}, True),
        ({"owner": "bob@example.com"}, False),
        ({"tags_any": ["vip", "nope"]}, True),
        ({"tags_any": ["nope"]}, False),
        ({"tags_all": ["vip", "api"]}, True),
        ({"tags_all": ["vip", "nope"]}, False),
        ({"custom": {"seats": "120"}}, True),
        ({"custom": {"beta": "true"}}, True),
        ({"custom": {"seats": [1, 2]}}, False),
        ({"custom": {"missing": "x"}}, False),
        ({"mrr_min": 400}, True),
        ({"mrr_max": 400}, False),
        ({"mrr_min": "100.50", "mrr_max": "400.01"}, True),
        ({"status": "active"}, True),
        ({"status": ["churned", "prospect"]}, False),
        ({"mrr_change_min": 0.2}, True),
        ({"mrr_change_max": 0.25}, False),
        ({"mrr_change_min": 0.2, "mrr_change_days": 30}, False),
        ({"health_bands": "red"}, True),
        ({"health_bands": ["green", "insufficient"]}, False),
        ({"health_score_min": 30, "health_score_max": 32}, True),
        ({"health_score_min": 40}, False),
        ({"active_users_min": 4}, True),
        ({"active_users_max": 4.5}, False),
        ({"active_users_max": 2, "usage_window_days": 7}, True),
        ({"active_users_min": 1, "usage_window_days": 14}, False),
        ({"renewal_within_days": 45}, True),
        ({"renewal_within_days": 44}, False),
        ({"industry": "Retail", "health_bands": "green"}, False),
    ],
)
def test_each_condition_decides_as_written(
    definition: dict[str, Any], expected: bool
) -> None:
    assert matches(SegmentFilter.model_validate(definition), ACME) is expected


@pytest.mark.parametrize(
    "definition",
    [
        {"health_bands": "insufficient"},
        {"health_score_max": 100},
        {"active_users_max": 100},
        {"mrr_change_max": 10},
        {"renewal_within_days": 3650},
    ],
)
def test_a_condition_on_data_the_account_lacks_does_not_hold(
    definition: dict[str, Any],
) -> None:
    bare = AccountFacts(account_id=2)
    assert not matches(SegmentFilter.model_validate(definition), bare)


def test_an_insufficient_score_matches_its_own_band() -> None:
    facts = AccountFacts(account_id=3, band="insufficient", score=None)
    assert matches(SegmentFilter(health_bands=["insufficient"]), facts)


def test_a_never_paying_account_is_a_prospect_with_no_mrr() -> None:
    facts = AccountFacts(account_id=4)
    assert matches(SegmentFilter(status=["prospect"], mrr_max=Decimal(1)), facts)


def test_one_matcher_serves_many_accounts() -> None:
    test = matcher(SegmentFilter(tier=["KA", "A"]))
    tiers = ["KA", "A", "B", None]
    found = [test(AccountFacts(account_id=n, tier=t)) for n, t in enumerate(tiers)]
    assert found == [True, True, False, False]
