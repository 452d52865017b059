"""Rules and reassignments as written: what is refused, and how it is said."""

from __future__ import annotations

import pytest

from tenure.book.matching import Loads, least_loaded, matches, next_in_turn
from tenure.book.schemas import (
    BookError,
    ReassignSpec,
    RuleSpec,
    validated,
)


def refusal(data: dict[str, object], model: type = RuleSpec) -> str:
    with pytest.raises(BookError) as caught:
        validated(model, data, "rule")
    return str(caught.value)


def test_an_unknown_condition_is_refused_by_name() -> None:
    message = refusal({"name": "X", "user_id": 1, "conditions": {"colour": ["red"]}})
    assert "'colour' is not a condition" in message
    assert "region, industry, tier, plan, size" in message


def test_a_condition_takes_a_list_of_texts() -> None:
    message = refusal({"name": "X", "user_id": 1, "conditions": {"region": "East"}})
    assert message.startswith("conditions ")
    assert "'region' takes a non-empty list of texts" in message
    assert "blank" in refusal(
        {"name": "X", "user_id": 1, "conditions": {"tier": ["  "]}}
    )


def test_values_are_stripped_and_repeats_dropped() -> None:
    spec = validated(
        RuleSpec,
        {"name": " East ", "user_id": 1, "conditions": {"region": ["East", " East"]}},
        "rule",
    )
    assert (spec.name, spec.conditions) == ("East", {"region": ["East"]})


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"strategy": "user"}, "strategy 'user' needs a user_id"),
        ({"strategy": "user", "user_id": 1, "team_id": 2}, "not a team_id"),
        ({"strategy": "least_loaded"}, "strategy 'least_loaded' needs a team_id"),
        ({"strategy": "round_robin", "team_id": 2, "user_id": 1}, "not a user_id"),
        ({"strategy": "random", "team_id": 2}, "strategy 'random'"),
    ],
)
def test_a_strategy_needs_its_own_target(
    data: dict[str, object], expected: str
) -> None:
    assert expected in refusal({"name": "X", **data})


def test_a_reassignment_needs_a_selection_and_one_target() -> None:
    assert "give account_ids, from_owner" in refusal({"to": "a@b"}, ReassignSpec)
    assert "either 'to'" in refusal({"region": "East"}, ReassignSpec)
    assert "either 'to'" in refusal(
        {"region": "East", "to": "a@b", "team": "East"}, ReassignSpec
    )


def test_a_reassignment_takes_one_value_or_a_list() -> None:
    spec = validated(ReassignSpec, {"region": "East", "to": "a@b"}, "reassignment")
    assert spec.region == ["East"]
    spec = validated(
        ReassignSpec, {"tier": ["Key", "Strategic"], "team": "East"}, "reassignment"
    )
    assert spec.tier == ["Key", "Strategic"]


def test_conditions_match_without_regard_to_case_and_all_must_hold() -> None:
    fields = {"region": "East China", "tier": "Strategic", "plan": None}
    assert matches({}, fields)
    assert matches({"region": ["east china ", "West China"]}, fields)
    assert not matches({"region": ["East China"], "tier": ["Key"]}, fields)
    assert not matches({"plan": ["pro"]}, fields)


def test_least_loaded_counts_what_it_gives_and_breaks_ties_by_order() -> None:
    members = [(1, "Ann"), (2, "Bob"), (3, "Cy")]
    loads = Loads({1: 2, 2: 1, 3: 1})
    picks = []
    for _ in range(4):
        chosen = least_loaded(members, loads)
        loads.give(chosen)
        picks.append(chosen)
    assert picks == [2, 3, 1, 2]


def test_taking_an_account_away_lowers_the_count() -> None:
    loads = Loads({1: 3})
    loads.give(2, taken_from=1)
    assert (loads.of(1), loads.of(2)) == (2, 1)


def test_the_turn_goes_to_the_next_member_and_wraps() -> None:
    assert next_in_turn([4, 5, 6], None) == 4
    assert next_in_turn([4, 5, 6], 5) == 6
    assert next_in_turn([4, 5, 6], 6) == 4
    assert next_in_turn([4, 6], 5) == 4
