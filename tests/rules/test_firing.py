"""What a firing creates: the task and its "why", notices, playbooks, failures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.playbooks.models import PlaybookRun
from tenure.playbooks.service import create_playbook
from tenure.rules import service as rules
from tenure.rules.models import RuleFiring, RuleState
from tenure.tasks.models import Task
from tenure.tasks.service import create_task
from tests.rules.conftest import (
    AS_OF,
    Company,
    add_rule,
    days_before,
    evaluate,
    firings_of,
    notices,
    tasks_of,
    team_with_manager,
)

NEW = {"kind": "new_customer", "within_days": 14}
TASK = {
    "title": "Welcome {account} ({mrr} {currency})",
    "type": "onboarding",
    "priority": "high",
    "due_in_days": 3,
    "assignee": "owner",
    "description": "Started {start_date}",
}
NEXT_DAY = AS_OF + dt.timedelta(days=1)


def counts(session: Session) -> tuple[int, ...]:
    """Rows of every table an evaluation writes to."""
    tables = [
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Task, RuleFiring, RuleState, PlaybookRun)
    ]
    return (*tables, len(notices(session)))


def playbook(session: Session, **applies_to: object) -> int:
    spec = {
        "name": "Onboarding",
        "kind": "onboarding",
        "applies_to": applies_to,
        "steps": [{"title": "Kickoff call", "type": "onboarding"}],
    }
    return create_playbook(session, spec, None).id


def test_a_firing_creates_the_task_with_its_signal(
    company: Company, owner: int
) -> None:
    account = company.customer("ACME", since=days_before(2), owner_id=owner)
    rule = add_rule(company.session, NEW, task=TASK, name="New customer")
    stats = evaluate(company.session, rule)
    (task,) = tasks_of(company.session, rule)
    assert (stats.fired, task.account_id, task.assignee_id) == (1, account, owner)
    assert (task.title, task.description) == (
        "Welcome ACME (100.00 USD)",
        f"Started {days_before(2)}",
    )
    assert (task.type, task.priority, task.source) == ("onboarding", "high", "rule")
    assert task.due_on == AS_OF + dt.timedelta(days=3)
    assert task.signal == {
        "trigger": "new_customer",
        "start_date": days_before(2).isoformat(),
        "mrr": "100.00",
        "currency": "USD",
        "rule_id": rule.id,
        "rule_name": "New customer",
        "rule_version": 1,
        "evaluated_on": AS_OF.isoformat(),
    }


def test_every_firing_is_recorded_with_what_it_created(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK)
    evaluate(company.session, rule)
    (firing,) = firings_of(company.session, rule)
    (task,) = tasks_of(company.session, rule)
    assert (firing.outcome, firing.task_id, firing.fired_on) == (
        "fired",
        task.id,
        AS_OF,
    )
    assert firing.signal["trigger"] == "new_customer"


def test_reevaluating_the_same_day_changes_nothing(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK)
    evaluate(company.session, rule)
    before = counts(company.session)
    stats = evaluate(company.session, rule)
    assert (stats.matched, stats.fired, counts(company.session)) == (1, 0, before)


def test_a_signal_that_lasts_fires_once(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK)
    evaluate(company.session, rule)
    assert evaluate(company.session, rule, NEXT_DAY).fired == 0
    (state,) = company.session.scalars(select(RuleState)).all()
    assert (state.matched, state.since, state.evaluated_on) == (True, AS_OF, NEXT_DAY)


def test_a_returning_signal_with_the_task_open_is_deduplicated(
    company: Company,
) -> None:
    account = company.customer("ACME")
    company.daily(account, days_before(13), days_before(7), 20)
    company.daily(account, days_before(6), AS_OF, 10)
    drop = {"kind": "usage_change", "field": "active_users", "change_at_most": -0.3}
    rule = add_rule(company.session, drop)
    evaluate(company.session, rule, days_before(1))
    evaluate(company.session, rule, days_before(10))
    stats = evaluate(company.session, rule)
    assert (stats.fired, stats.deduplicated) == (0, 1)
    outcomes = [f.outcome for f in firings_of(company.session, rule)]
    assert outcomes == ["fired", "deduplicated"]
    assert len(tasks_of(company.session, rule)) == 1


def test_the_signal_returning_after_the_task_is_done_fires_again(
    company: Company,
) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK)
    evaluate(company.session, rule)
    (task,) = tasks_of(company.session, rule)
    task.status = "done"
    evaluate(company.session, rule, AS_OF + dt.timedelta(days=30))
    assert evaluate(company.session, rule, NEXT_DAY).fired == 1
    assert len(tasks_of(company.session, rule)) == 2


def test_notify_tells_the_owner_and_the_manager_with_a_link_to_the_task(
    company: Company,
) -> None:
    csm, manager = team_with_manager(company)
    company.customer("ACME", since=days_before(2), owner_id=csm)
    rule = add_rule(company.session, NEW, task=TASK, notify=["owner", "manager"])
    evaluate(company.session, rule)
    (task,) = tasks_of(company.session, rule)
    found = [(n.user_id, n.kind, n.title, n.link) for n in notices(company.session)]
    assert found == [
        (csm, "rule", task.title, f"/tasks/{task.id}"),
        (manager, "rule", task.title, f"/tasks/{task.id}"),
    ]


def test_a_notice_without_a_task_links_to_the_customer(
    company: Company, owner: int
) -> None:
    company.customer("ACME", since=days_before(2), owner_id=owner)
    rule = add_rule(company.session, NEW, notify=["owner"], name="New")
    evaluate(company.session, rule)
    (note,) = notices(company.session)
    assert (note.title, note.link) == ("New: ACME", "/customers/ACME")
    assert note.body is not None and "new customer since" in note.body


def test_the_playbook_action_starts_a_run_from_the_rule(company: Company) -> None:
    account = company.customer("ACME", since=days_before(2))
    playbook_id = playbook(company.session)
    rule = add_rule(company.session, NEW, playbook_id=playbook_id)
    evaluate(company.session, rule)
    (run,) = company.session.scalars(select(PlaybookRun)).all()
    (firing,) = firings_of(company.session, rule)
    assert (run.account_id, run.source, run.rule_id) == (account, "rule", rule.id)
    assert (firing.outcome, firing.playbook_run_id) == ("fired", run.id)


def test_a_failing_playbook_start_fails_that_firing_only(company: Company) -> None:
    company.customer("BIG", since=days_before(2), tier="Strategic")
    small = company.customer("SMALL", since=days_before(2), tier="Standard")
    playbook_id = playbook(company.session, tier="Strategic")
    rule = add_rule(company.session, NEW, task=TASK, playbook_id=playbook_id)
    other = add_rule(company.session, NEW, task=TASK, name="Also new")
    stats = evaluate(company.session)
    assert [(s.fired, s.failed) for s in stats.rules] == [(1, 1), (2, 0)]
    failed = [f for f in firings_of(company.session, rule) if f.outcome == "failed"]
    assert [f.account_id for f in failed] == [small]
    assert "does not match" in failed[0].signal["error"]
    # The failed firing's task was rolled back with its playbook start.
    made = [t.account_id for t in tasks_of(company.session, rule)]
    assert small not in made and len(made) == 2  # BIG's task and its playbook step
    assert len(tasks_of(company.session, other)) == 2


def test_a_rule_that_cannot_run_does_not_stop_the_others(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    from tenure.segments.service import create_segment, delete_segment

    create_segment(company.session, {"key": "vip", "name": "VIP"}, None)
    broken = add_rule(
        company.session, {"kind": "segment_entered", "segment": "vip"}, name="VIP"
    )
    delete_segment(company.session, "vip")
    add_rule(company.session, NEW, task=TASK)
    stats = evaluate(company.session)
    assert stats.rules[0].rule_id == broken.id and "vip" in (stats.rules[0].error or "")
    assert stats.rules[1].fired == 1


def test_an_open_task_made_by_hand_does_not_deduplicate(company: Company) -> None:
    account = company.customer("ACME", since=days_before(2))
    create_task(
        company.session, account_id=account, type="risk", title="By hand", actor_id=None
    )
    rule = add_rule(company.session, NEW, task=TASK)
    assert evaluate(company.session, rule).fired == 1


def test_inactive_rules_are_not_evaluated(company: Company) -> None:
    company.customer("ACME", since=days_before(2))
    rule = add_rule(company.session, NEW, task=TASK)
    rules.update_rule(company.session, rule.id, {"active": False}, None)
    assert evaluate(company.session).rules == []
