"""Playbook runs: tasks per step, skipped steps, refusals, progress and cancelling."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.scope import Forbidden
from tenure.playbooks import service as playbooks
from tenure.playbooks.models import PlaybookRun
from tenure.tasks import service as task_service
from tenure.tasks.models import Task, TaskEvent
from tests.segments.conftest import AS_OF, Operations

STEPS: list[dict[str, Any]] = [
    {"title": "Kick-off call", "type": "onboarding", "priority": "high"},
    {"title": "Admin training", "type": "onboarding", "due_offset_days": 7},
    {
        "title": "Configure SSO",
        "type": "onboarding",
        "due_offset_days": 14,
        "condition": {"tags_any": ["sso"]},
    },
    {
        "title": "Onboarding review",
        "type": "follow_up",
        "due_offset_days": 30,
        "assignee": "manager",
    },
]


@pytest.fixture
def book(company: Operations) -> dict[str, int]:
    """A manager leading a team with a CSM who owns ACME, and the playbook."""
    boss = company.user("boss@example.com", role="manager")
    team = company.team("East", manager=boss)
    ann = company.user("ann@example.com", team=team)
    acme = company.customer("ACME", owner_id=ann, tier="KA")
    playbook = playbooks.create_playbook(
        company.session,
        {"name": "Onboarding", "kind": "onboarding", "steps": STEPS},
        boss,
    )
    return {"boss": boss, "ann": ann, "acme": acme, "playbook": playbook.id}


def start(session: Session, book: dict[str, int], **kwargs: Any) -> PlaybookRun:
    return playbooks.start_run(
        session,
        book["playbook"],
        book["acme"],
        actor_id=kwargs.pop("actor_id", book["ann"]),
        today=kwargs.pop("today", AS_OF),
        **kwargs,
    )


def tasks_of(session: Session, run: PlaybookRun) -> list[Task]:
    statement = (
        select(Task).where(Task.playbook_run_id == run.id).order_by(Task.playbook_step)
    )
    return list(session.scalars(statement))


def finish(session: Session, run: PlaybookRun, status: str = "done") -> None:
    for task in tasks_of(session, run):
        task.status = status
    session.flush()


def test_each_step_becomes_a_task_due_from_the_start(
    session: Session, book: dict[str, int]
) -> None:
    run = start(session, book)
    tasks = tasks_of(session, run)
    assert [(t.title, t.due_on, t.assignee_id, t.priority) for t in tasks] == [
        ("Kick-off call", AS_OF, book["ann"], "high"),
        ("Admin training", AS_OF + dt.timedelta(days=7), book["ann"], "normal"),
        ("Onboarding review", AS_OF + dt.timedelta(days=30), book["boss"], "normal"),
    ]
    first = tasks[0]
    assert (first.source, first.playbook_step, first.created_by_id) == (
        "playbook",
        0,
        book["ann"],
    )
    assert first.signal == {"playbook": "Onboarding", "step": 1, "of": 4}
    created = session.scalars(select(TaskEvent).where(TaskEvent.task_id == first.id))
    assert [e.action for e in created] == ["created"]


def test_a_step_whose_condition_fails_is_kept_as_skipped(
    session: Session, book: dict[str, int]
) -> None:
    run = start(session, book)
    skipped = run.steps[2]
    assert (skipped["title"], skipped["skipped"], skipped["task_id"]) == (
        "Configure SSO",
        True,
        None,
    )
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert [s["status"] for s in row["steps"]] == ["open", "open", "skipped", "open"]
    assert (row["done"], row["total"]) == (0, 3)


def test_a_step_whose_condition_holds_gets_its_task(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    account = session.get_one(Account, book["acme"])
    account.tags = ["sso"]
    session.flush()
    run = start(session, book)
    assert [t.title for t in tasks_of(session, run)][2] == "Configure SSO"


def test_editing_the_playbook_leaves_a_run_under_way_as_it_was(
    session: Session, book: dict[str, int]
) -> None:
    run = start(session, book)
    playbooks.update_playbook(
        session,
        book["playbook"],
        {"name": "Onboarding", "kind": "onboarding", "steps": STEPS[:1]},
        None,
    )
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert (row["playbook_version"], len(row["steps"])) == (1, 4)
    assert len(tasks_of(session, run)) == 3


def test_an_inactive_playbook_is_not_started(
    session: Session, book: dict[str, int]
) -> None:
    playbooks.update_playbook(
        session,
        book["playbook"],
        {"name": "Onboarding", "kind": "onboarding", "steps": STEPS, "active": False},
        None,
    )
    with pytest.raises(playbooks.PlaybookError, match="is inactive"):
        start(session, book)


def test_an_account_outside_applies_to_is_refused(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    only_a = playbooks.create_playbook(
        session,
        {"name": "A only", "applies_to": {"tier": "A"}, "steps": STEPS[:1]},
        None,
    )
    with pytest.raises(playbooks.PlaybookError, match="does not match what 'A only'"):
        playbooks.start_run(
            session, only_a.id, book["acme"], actor_id=None, today=AS_OF
        )
    assert session.scalar(select(Task.id)) is None


def test_a_second_active_run_is_refused(session: Session, book: dict[str, int]) -> None:
    start(session, book)
    with pytest.raises(playbooks.PlaybookError, match="already has 'Onboarding'"):
        start(session, book)


def test_a_completed_run_may_be_followed_by_another(
    session: Session, book: dict[str, int]
) -> None:
    first = start(session, book)
    finish(session, first)
    second = start(session, book, today=AS_OF + dt.timedelta(days=40))
    assert first.status == "completed"
    assert first.completed_on == AS_OF + dt.timedelta(days=40)
    assert second.status == "active"


def test_progress_counts_finished_tasks(session: Session, book: dict[str, int]) -> None:
    run = start(session, book)
    tasks = tasks_of(session, run)
    tasks[0].status = "done"
    tasks[1].status = "in_progress"
    session.flush()
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert (row["status"], row["done"], row["total"], row["progress"]) == (
        "active",
        1,
        3,
        0.3333,
    )
    assert row["steps"][0]["assignee"] == "ann@example.com"


def test_a_run_completes_when_every_task_is_done_or_cancelled(
    session: Session, book: dict[str, int]
) -> None:
    run = start(session, book)
    tasks = tasks_of(session, run)
    for task, status in zip(tasks, ("done", "cancelled", "done"), strict=True):
        task.status = status
    session.flush()
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert (row["status"], row["progress"]) == ("completed", 1.0)
    assert session.get_one(PlaybookRun, run.id).status == "completed"


def test_a_reopened_task_makes_the_run_active_again(
    session: Session, book: dict[str, int]
) -> None:
    run = start(session, book)
    finish(session, run)
    playbooks.runs_for_account(session, book["acme"])
    tasks_of(session, run)[0].status = "open"
    session.flush()
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert (row["status"], row["completed_on"]) == ("active", None)


def test_cancelling_a_run_cancels_its_open_tasks_with_history(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    run = start(session, book)
    done = tasks_of(session, run)[0]
    done.status = "done"
    session.flush()
    playbooks.cancel_run(session, company.principal(book["ann"]), run.id)
    assert [t.status for t in tasks_of(session, run)] == [
        "done",
        "cancelled",
        "cancelled",
    ]
    history = session.scalars(
        select(TaskEvent).where(TaskEvent.action == "status")
    ).all()
    assert {(e.old, e.new) for e in history} == {("open", "cancelled")}
    assert len(history) == 2
    row = playbooks.runs_for_account(session, book["acme"])[0]
    assert row["status"] == "cancelled"


def test_a_cancelled_run_is_not_cancelled_twice(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    run = start(session, book)
    ann = company.principal(book["ann"])
    playbooks.cancel_run(session, ann, run.id)
    with pytest.raises(playbooks.PlaybookError, match="is cancelled, not active"):
        playbooks.cancel_run(session, ann, run.id)


def test_a_run_outside_the_scope_is_not_found(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    run = start(session, book)
    other = company.principal(company.user("bob@example.com"))
    with pytest.raises(playbooks.NotFound):
        playbooks.cancel_run(session, other, run.id)


def test_start_for_needs_the_account_in_scope_and_work_tasks(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    bob = company.principal(company.user("bob@example.com"))
    with pytest.raises(playbooks.NotFound, match="no such account"):
        playbooks.start_for(session, bob, book["playbook"], "ACME", AS_OF)
    viewer = company.principal(company.user("vera@example.com", role="viewer"))
    with pytest.raises(Forbidden):
        playbooks.start_for(session, viewer, book["playbook"], "ACME", AS_OF)
    boss = company.principal(book["boss"])
    run = playbooks.start_for(
        session, boss, book["playbook"], "ACME", AS_OF, note="new logo"
    )
    assert (run.started_by_id, run.note, run.source) == (
        book["boss"],
        "new logo",
        "manual",
    )


def test_a_failing_step_leaves_nothing_behind(
    session: Session, book: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []
    real = task_service.create_task

    def flaky(*args: Any, **kwargs: Any) -> Task:
        if made:
            raise task_service.TaskError("title", kwargs["title"], "refused")
        task = real(*args, **kwargs)
        made.append(task.id)
        return task

    monkeypatch.setattr(playbooks, "create_task", flaky)
    with pytest.raises(task_service.TaskError):
        start(session, book)
    assert session.scalar(select(Task.id)) is None
    assert session.scalar(select(PlaybookRun.id)) is None


def test_active_runs_show_the_next_due_and_overdue_tasks(
    session: Session, company: Operations, book: dict[str, int]
) -> None:
    start(session, book, today=AS_OF - dt.timedelta(days=10))
    rows = playbooks.active_runs(session, frozenset({book["ann"]}))
    assert len(rows) == 1
    row = rows[0]
    assert (row["account_id"], row["owner"]) == ("ACME", "ann@example.com")
    assert row["next_due"] == AS_OF - dt.timedelta(days=10)
    assert playbooks.active_runs(session, frozenset({book["boss"]})) == []
