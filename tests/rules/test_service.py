"""Rules kept: create, change, delete, list; previews and the firing history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenure.notifications.models import Notification
from tenure.playbooks.service import create_playbook
from tenure.rules import defaults
from tenure.rules import service as rules
from tenure.rules.models import RuleFiring, RuleState
from tenure.tasks.models import Task
from tests.rules.conftest import (
    AS_OF,
    TASK,
    Company,
    add_rule,
    days_before,
    evaluate,
    spec,
    tasks_of,
)

NEW = {"kind": "new_customer", "within_days": 14}


def rows_written(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Task, RuleFiring, RuleState, Notification)
    )


def test_a_rule_name_is_taken_once(session: Session) -> None:
    add_rule(session, NEW)
    with pytest.raises(rules.RuleError, match="name 'Watch'"):
        add_rule(session, NEW)


def test_an_unknown_playbook_is_refused(session: Session) -> None:
    with pytest.raises(rules.RuleError, match=r"action\.playbook_id 999"):
        add_rule(session, NEW, playbook_id=999)


def test_an_unknown_segment_is_refused(session: Session) -> None:
    with pytest.raises(rules.RuleError, match="segment 'nowhere'"):
        rules.create_rule(session, {**spec(NEW), "segment": "nowhere"}, None)
    with pytest.raises(rules.RuleError, match=r"trigger\.segment 'nowhere'"):
        add_rule(session, {"kind": "segment_entered", "segment": "nowhere"})


def test_a_change_raises_the_version(session: Session) -> None:
    rule = add_rule(session, NEW)
    rules.update_rule(session, rule.id, {"description": "Onboard them"}, None)
    assert (rule.version, rule.description) == (2, "Onboard them")


def test_saving_the_same_values_keeps_the_version(session: Session) -> None:
    rule = add_rule(session, NEW)
    rules.replace_rule(session, rule.id, spec(NEW), None)
    assert rule.version == 1


def test_a_new_trigger_forgets_every_account_state(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW)
    evaluate(company.session, rule)
    rules.update_rule(company.session, rule.id, {"name": "Renamed"}, None)
    assert company.session.scalar(select(func.count()).select_from(RuleState)) == 1
    trigger = {"kind": "new_customer", "within_days": 30}
    rules.update_rule(company.session, rule.id, {"trigger": trigger}, None)
    assert company.session.scalar(select(func.count()).select_from(RuleState)) == 0
    assert rule.version == 3


def test_an_invalid_change_names_the_rule_and_field(session: Session) -> None:
    rule = add_rule(session, NEW)
    with pytest.raises(rules.RuleError, match="rule 'Watch': trigger"):
        rules.update_rule(session, rule.id, {"trigger": {"kind": "nope"}}, None)


def test_an_unknown_rule_is_not_found(session: Session) -> None:
    with pytest.raises(rules.NotFound, match="rule 404"):
        rules.get_rule(session, 404)


def test_deleting_a_rule_keeps_its_tasks(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW)
    evaluate(company.session, rule)
    rules.delete_rule(company.session, rule.id)
    company.session.expire_all()
    (task,) = company.session.scalars(select(Task)).all()
    assert task.rule_id is None
    assert company.session.scalar(select(func.count()).select_from(RuleFiring)) == 0


def test_the_list_counts_open_tasks_and_shows_the_last_firing(
    company: Company,
) -> None:
    company.customer("ACME", since=days_before(2))
    company.customer("BETA", since=days_before(1))
    rule = add_rule(company.session, NEW)
    add_rule(company.session, {"kind": "renewal_due", "within_days": 30}, name="Z")
    evaluate(company.session)
    tasks_of(company.session, rule)[0].status = "done"
    listed = rules.list_rules(company.session)
    assert [(r["name"], r["open_tasks"], r["last_fired"]) for r in listed] == [
        ("Watch", 1, AS_OF),
        ("Z", 0, None),
    ]
    assert listed[0]["last_firing"] == {
        "fired_on": AS_OF,
        "outcome": "fired",
        "account_id": "BETA",
    }


def test_a_preview_writes_nothing(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK, notify=["owner"])
    before = rows_written(company.session)
    rows = rules.preview(company.session, rule.id, AS_OF)
    company.session.flush()
    assert rows_written(company.session) == before
    assert [(r["account_id"], r["title"], r["deduplicated"]) for r in rows] == [
        ("ACME", "Look at ACME", False)
    ]
    assert rows[0]["why"].startswith("new customer since")


def test_a_preview_of_an_unsaved_rule_shows_every_account_showing_it(
    company: Company,
) -> None:
    company.customer("ACME", since=days_before(2))
    company.customer("OLD", since=days_before(40))
    rows = rules.preview(company.session, spec(NEW), AS_OF)
    assert [r["account_id"] for r in rows] == ["ACME"]
    assert rows[0]["signal"]["start_date"] == days_before(2).isoformat()


def test_a_preview_after_the_evaluation_shows_nobody_new(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW)
    evaluate(company.session, rule)
    assert rules.preview(company.session, rule, AS_OF + dt.timedelta(days=1)) == []


def test_a_preview_says_when_an_open_task_deduplicates(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW)
    evaluate(company.session, rule)
    # The signal went away for a day and is back; the task is still open.
    company.session.execute(update(RuleState).values(matched=False))
    rows = rules.preview(company.session, rule.id, AS_OF + dt.timedelta(days=1))
    assert [(r["account_id"], r["deduplicated"]) for r in rows] == [("ACME", True)]


def test_a_preview_keeps_to_the_callers_accounts(company: Company) -> None:
    mine = company.staff("me@example.com")
    company.customer("MINE", since=days_before(2), owner_id=mine)
    company.customer("THEIRS", since=days_before(2))
    rows = rules.preview(company.session, spec(NEW), AS_OF, frozenset({mine}))
    assert [r["account_id"] for r in rows] == ["MINE"]


def test_the_firings_list_newest_first(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    company.customer("BETA", since=days_before(1))
    rule = add_rule(company.session, NEW)
    evaluate(company.session, rule)
    found = rules.firings(company.session, rule.id, limit=1)
    assert [(f["account_id"], f["outcome"]) for f in found] == [("BETA", "fired")]
    assert found[0]["task_id"] is not None


def test_the_default_rules_install_once_and_are_valid(company: Company) -> None:
    created = defaults.install_defaults(company.session)
    assert [r.name for r in created] == [r["name"] for r in defaults.DEFAULT_RULES]
    assert defaults.install_defaults(company.session) == []
    stats = evaluate(company.session)
    assert [s.error for s in stats.rules] == [None] * len(created)


def test_the_default_renewal_rule_starts_the_renewal_playbook(
    session: Session,
) -> None:
    playbook = create_playbook(
        session,
        {"name": "Renewal (90 days)", "kind": "renewal",
         "steps": [{"title": "Prepare the quote"}]},
        None,
    ).id  # fmt: skip
    defaults.install_defaults(session)
    by_name = {r["name"]: r for r in rules.list_rules(session)}
    assert by_name["Renewal due in 90 days"]["action"]["playbook_id"] == playbook
    assert "playbook_id" not in by_name["New customer"]["action"]
