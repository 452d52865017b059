"""Rule definitions are checked strictly, with messages naming field and value."""

from __future__ import annotations

from typing import Any

import pytest

from tenure.rules.schemas import SIGNAL_FIELDS, RuleError, RuleSpec, validated
from tenure.rules.templates import check_template, placeholders, render

USAGE_DROP = {
    "kind": "usage_change",
    "field": "active_users",
    "change_at_most": -0.3,
}


def rule(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Usage drop",
        "trigger": USAGE_DROP,
        "action": {"task": {"title": "Usage down {change_pct}%: {account}",
                            "type": "risk"}},
    }  # fmt: skip
    data.update(changes)
    return data


def error(data: dict[str, Any]) -> str:
    with pytest.raises(RuleError) as caught:
        validated(RuleSpec, data, "rule")
    return str(caught.value)


def test_a_valid_rule_keeps_its_defaults() -> None:
    spec = validated(RuleSpec, rule(), "rule")
    assert spec.trigger.model_dump()["window_days"] == 7
    assert spec.action.task is not None and spec.action.task.priority == "normal"


def test_an_unknown_trigger_kind_is_named() -> None:
    message = error(rule(trigger={"kind": "moon_phase"}))
    assert "trigger" in message and "moon_phase" in message


def test_an_unknown_field_is_refused() -> None:
    message = error(rule(trigger={**USAGE_DROP, "windw_days": 7}))
    assert "trigger.usage_change.windw_days" in message


def test_a_string_number_is_not_coerced() -> None:
    assert "window_days" in error(rule(trigger={**USAGE_DROP, "window_days": "7"}))


def test_an_unknown_usage_field_names_the_value() -> None:
    assert "'logins'" in error(rule(trigger={**USAGE_DROP, "field": "logins"}))


def test_a_usage_change_needs_exactly_one_bound() -> None:
    both = {**USAGE_DROP, "change_at_least": 0.5}
    assert "exactly one of" in error(rule(trigger=both))


def test_an_unknown_placeholder_is_refused_at_save_time() -> None:
    action = {"task": {"title": "Renewal on {due_date} for {account}", "type": "risk"}}
    message = error(rule(action=action))
    assert "action.task.title" in message and "{due_date}" in message


def test_a_placeholder_with_attribute_access_is_refused() -> None:
    action = {"task": {"title": "{account.__class__}", "type": "risk"}}
    assert "plain name" in error(rule(action=action))


def test_an_action_must_do_something() -> None:
    assert "at least one of" in error(rule(action={}))


def test_a_bad_assignee_rule_is_named() -> None:
    action = {"notify": ["boss"]}
    assert "'boss'" in error(rule(action=action))


def test_a_bad_task_type_is_named() -> None:
    action = {"task": {"title": "Hi {account}", "type": "chore"}}
    assert "type 'chore'" in error(rule(action=action))


def test_insufficient_is_no_band_to_fall_into() -> None:
    trigger = {"kind": "health_band", "direction": "falls", "to": ["insufficient"]}
    assert "insufficient" in error(rule(trigger=trigger, action={"notify": ["owner"]}))


def test_rendering_fills_known_values_and_keeps_escaped_braces() -> None:
    text = render(
        "{account}: {change_pct}% {{raw}}", {"account": "Acme", "change_pct": -42}
    )
    assert text == "Acme: -42% {raw}"


def test_whole_floats_read_without_decimals() -> None:
    assert render("{value} / {other}", {"value": 40.0, "other": 12.5}) == "40 / 12.5"


def test_a_format_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="no format"):
        placeholders("{value:>10}")


def test_every_signal_field_can_be_a_placeholder() -> None:
    for kind, fields in SIGNAL_FIELDS.items():
        template = " ".join(f"{{{name}}}" for name in fields)
        check_template(template, ("account", *fields), kind)
