"""Segment filters, saved segments and tier rules are validated strictly."""

from __future__ import annotations

from typing import Any

import pytest

from tenure.segments.schemas import (
    SegmentError,
    SegmentFilter,
    SegmentSpec,
    TierSpec,
    checked,
)


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"industy": "Retail"}, "industy 'Retail': Extra inputs are not permitted"),
        ({"status": "paying"}, "status 'paying' is unknown"),
        ({"mrr_min": 10, "mrr_max": 10}, "mrr_min must be below mrr_max"),
        ({"health_score_min": 101}, "health_score_min"),
        ({"health_bands": ["Red!"]}, "band 'Red!' is not a band name"),
        ({"owner": "ann"}, "owner 'ann' is not an email"),
        ({"usage_window_days": 7}, "usage_window_days needs active_users_min"),
        ({"mrr_change_days": 30}, "mrr_change_days needs mrr_change_min"),
        ({"renewal_within_days": "90"}, "renewal_within_days"),
        ({"active_users_min": 3, "active_users_max": 2}, "active_users_min must"),
    ],
)
def test_a_bad_filter_is_refused_naming_the_field(
    definition: dict[str, Any], message: str
) -> None:
    with pytest.raises(SegmentError) as caught:
        checked(SegmentFilter, definition, "definition")
    assert message in str(caught.value)


def test_the_error_names_the_field_and_value() -> None:
    with pytest.raises(SegmentError) as caught:
        checked(SegmentFilter, {"status": "paying"}, "definition")
    assert caught.value.field == "definition.status"
    assert caught.value.value == "paying"


def test_a_filter_keeps_only_the_conditions_given() -> None:
    given = SegmentFilter.model_validate({"tier": "KA", "mrr_min": "20000"})
    assert given.stored() == {"tier": ["KA"], "mrr_min": "20000"}
    assert SegmentFilter().is_empty()
    assert not given.is_empty()


def test_owner_emails_are_compared_in_lower_case() -> None:
    given = SegmentFilter.model_validate({"owner": " Ann@Example.com "})
    assert given.owner == ["ann@example.com"]


@pytest.mark.parametrize("key", ["At-Risk", "-risk", "at risk", "a" * 61, ""])
def test_a_segment_key_is_a_short_lower_case_slug(key: str) -> None:
    with pytest.raises(SegmentError) as caught:
        checked(SegmentSpec, {"key": key, "name": "At risk"}, "segment")
    assert caught.value.field == "segment.key"


def test_a_segment_name_must_not_be_blank() -> None:
    with pytest.raises(SegmentError, match="name must not be blank"):
        checked(SegmentSpec, {"key": "x", "name": "   "}, "segment")


@pytest.mark.parametrize(
    "definition",
    [{"tier": "KA"}, {"health_bands": "red"}, {"health_score_min": 50}],
)
def test_a_tier_rule_may_not_read_health_or_tiers(definition: dict[str, Any]) -> None:
    with pytest.raises(SegmentError, match="a tier rule may not use"):
        checked(TierSpec, {"tier": "KA", "definition": definition}, "tiers[0]")


def test_a_tier_priority_is_0_to_100() -> None:
    with pytest.raises(SegmentError) as caught:
        checked(TierSpec, {"tier": "KA", "priority": 101}, "tiers[0]")
    assert caught.value.field == "tiers[0].priority"
