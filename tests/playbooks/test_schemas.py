"""Playbook definitions are validated strictly, naming the step and the field."""

from __future__ import annotations

from typing import Any

import pytest

from tenure.playbooks.defaults import DEFAULT_PLAYBOOKS
from tenure.playbooks.schemas import PlaybookSpec
from tenure.segments.schemas import SegmentError, checked


def spec(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Onboarding",
        "kind": "onboarding",
        "steps": [{"title": "Kick-off call", "type": "onboarding"}],
        **changes,
    }


def problem(data: dict[str, Any]) -> SegmentError:
    with pytest.raises(SegmentError) as caught:
        checked(PlaybookSpec, data, "playbook")
    return caught.value


def test_a_step_has_sensible_defaults() -> None:
    step = checked(PlaybookSpec, spec(), "playbook").steps[0]
    assert (step.due_offset_days, step.assignee, step.priority) == (
        0,
        "owner",
        "normal",
    )


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ({"type": "chore"}, "type", "type 'chore' must be one of"),
        ({"priority": "asap"}, "priority", "priority 'asap' must be one of"),
        ({"assignee": "boss"}, "assignee", "assignee 'boss' must be"),
        ({"due_offset_days": -1}, "due_offset_days", "greater than or equal to 0"),
        ({"title": "  "}, "title", "title must not be blank"),
        ({"condition": {"tier": "KA", "colour": "red"}}, "condition.colour", "Extra"),
        ({"owner": "ann@example.com"}, "owner", "Extra inputs"),
    ],
)
def test_a_bad_step_is_refused_naming_it(
    step: dict[str, Any], field: str, message: str
) -> None:
    found = problem(spec(steps=[{"title": "Call", **step}]))
    assert found.field == f"playbook.steps.0.{field}"
    assert message in found.reason


def test_a_named_user_may_be_the_assignee() -> None:
    steps = [{"title": "Call", "assignee": "user:ann@example.com"}]
    assert checked(PlaybookSpec, spec(steps=steps), "p").steps[0].assignee == (
        "user:ann@example.com"
    )


def test_a_playbook_has_one_to_fifty_steps() -> None:
    assert problem(spec(steps=[])).field == "playbook.steps"
    many = [{"title": f"Step {n}"} for n in range(51)]
    assert problem(spec(steps=many)).field == "playbook.steps"


def test_the_kind_is_one_of_the_kinds() -> None:
    assert "kind 'training' must be one of" in problem(spec(kind="training")).reason


@pytest.mark.parametrize(
    "applies_to",
    [{"health_bands": "red"}, {"status": "active"}, {"renewal_within_days": 30}],
)
def test_applies_to_tests_only_what_an_account_is(applies_to: dict[str, Any]) -> None:
    assert "applies_to may not use" in problem(spec(applies_to=applies_to)).reason


def test_applies_to_may_test_tier_tags_and_mrr() -> None:
    applies = {"tier": "KA", "tags_any": ["sso"], "mrr_min": 100}
    assert checked(PlaybookSpec, spec(applies_to=applies), "p").applies_to.tier == [
        "KA"
    ]


def test_the_default_playbooks_are_valid_and_named_once() -> None:
    names = [p.name for p in DEFAULT_PLAYBOOKS]
    assert len(set(names)) == len(names) == 5
    for playbook in DEFAULT_PLAYBOOKS:
        assert checked(PlaybookSpec, playbook.stored(), playbook.name) == playbook


def test_the_renewal_playbook_ends_before_the_term_is_due() -> None:
    renewal = next(p for p in DEFAULT_PLAYBOOKS if p.kind == "renewal")
    assert max(step.due_offset_days for step in renewal.steps) < 90
