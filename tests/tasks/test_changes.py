"""Changing tasks: create, edit, complete, comment and bulk, with roles and history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth.scope import Forbidden
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser
from tenure.tasks import changes
from tenure.tasks.models import Task, TaskEvent
from tenure.tasks.reads import NotFound, task_detail
from tenure.tasks.service import Conflict, TaskError
from tenure.timeline.models import Activity

from .conftest import TODAY, Org, People


def notices(session: Session, user_id: int) -> list[tuple[str, str | None]]:
    """(title, link) of a user's task-assignment notifications, oldest first."""
    statement = (
        select(Notification.title, Notification.link)
        .where(Notification.user_id == user_id, Notification.kind == "task_assigned")
        .order_by(Notification.id)
    )
    return [(row[0], row[1]) for row in session.execute(statement)]


def history(session: Session, task: Task) -> list[tuple[str, str | None, str | None]]:
    """(action, old, new) of a task's history entries after 'created'."""
    statement = (
        select(TaskEvent.action, TaskEvent.old, TaskEvent.new)
        .where(TaskEvent.task_id == task.id, TaskEvent.action != "created")
        .order_by(TaskEvent.id)
    )
    return [tuple(row) for row in session.execute(statement)]


def test_a_new_task_goes_to_the_account_owner(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    task = changes.new_task(
        session, people.manager, account="A", type="risk", title=" Escalate "
    )
    assert (task.assignee_id, task.title, task.source) == (
        people.csm.user_id,
        "Escalate",
        "manual",
    )
    assert task.created_by_id == people.manager.user_id


def test_a_csm_may_not_create_a_task_on_an_account_out_of_scope(
    session: Session, org: Org, people: People
) -> None:
    org.account("FAR", people.outsider)
    with pytest.raises(NotFound, match="account 'FAR' not found"):
        changes.new_task(session, people.csm, account="FAR", type="risk", title="x")


def test_a_csm_may_assign_a_new_task_only_to_themselves(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(Forbidden):
        changes.new_task(
            session,
            people.csm,
            account="A",
            type="risk",
            title="x",
            assignee_id=people.teammate.user_id,
        )


def test_a_manager_may_assign_a_new_task_to_anyone(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    task = changes.new_task(
        session,
        people.manager,
        account="A",
        type="risk",
        title="x",
        assignee_id=people.teammate.user_id,
    )
    assert task.assignee_id == people.teammate.user_id


def test_a_viewer_may_not_create_tasks(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(Forbidden, match="viewer"):
        changes.new_task(session, people.viewer, account="A", type="risk", title="x")


def test_a_new_task_needs_a_known_type(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(TaskError, match="type 'chore'"):
        changes.new_task(session, people.csm, account="A", type="chore", title="x")


def test_each_changed_field_is_recorded(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm), "Call")
    changes.update_task(
        session,
        task.id,
        people.csm,
        title="Call back",
        priority="high",
        due_on=TODAY,
        description=None,
    )
    assert (task.title, task.priority, task.due_on) == ("Call back", "high", TODAY)
    assert history(session, task) == [
        ("updated", "Call", "Call back"),
        ("updated", "normal", "high"),
        ("updated", None, "2026-03-16"),
    ]


def test_a_bad_value_changes_nothing(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm), "Call")
    with pytest.raises(TaskError, match="priority 'soon'"):
        changes.update_task(session, task.id, people.csm, title="New", priority="soon")
    assert task.title == "Call"
    assert history(session, task) == []


def test_an_unknown_field_is_refused(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(TaskError, match="source 'rule'"):
        changes.update_task(session, task.id, people.csm, source="rule")


def test_a_csm_may_not_reassign_their_task_to_someone_else(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(Forbidden, match=f"task {task.id}"):
        changes.update_task(
            session, task.id, people.csm, assignee_id=people.teammate.user_id
        )


def test_a_csm_may_take_an_unassigned_task(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm), assignee_id=None)
    changes.update_task(session, task.id, people.csm, assignee_id=people.csm.user_id)
    assert task.assignee_id == people.csm.user_id
    assert history(session, task) == [("assigned", None, "cam@example.com")]
    assert notices(session, people.csm.user_id) == []


def test_a_manager_may_reassign_and_the_history_names_both(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    changes.update_task(
        session, task.id, people.manager, assignee_id=people.teammate.user_id
    )
    assert history(session, task) == [
        ("assigned", "cam@example.com", "tom@example.com")
    ]
    assert notices(session, people.teammate.user_id) == [
        (f"{people.manager.name} gave you a task: {task.title}", f"/tasks/{task.id}")
    ]


def test_a_task_cannot_go_to_a_disabled_user(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    gone = org.user("gone@example.com")
    session.get_one(StaffUser, gone.user_id).is_active = False
    with pytest.raises(TaskError, match="not an active staff user"):
        changes.update_task(session, task.id, people.admin, assignee_id=gone.user_id)


def test_completing_marks_done_and_writes_the_timeline(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm), "Quarterly review")
    changes.complete_task(session, task.id, people.csm, "  Renewed for two years ")
    assert (task.status, task.outcome) == ("done", "Renewed for two years")
    assert task.completed_by_id == people.csm.user_id
    assert task.completed_at is not None
    (entry,) = session.scalars(select(Activity)).all()
    assert (entry.kind, entry.task_id, entry.subject, entry.body) == (
        "task",
        task.id,
        "Quarterly review",
        "Renewed for two years",
    )
    assert entry.author_id == people.csm.user_id
    assert entry.occurred_at == task.completed_at


def test_completing_a_done_task_is_a_conflict(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    changes.complete_task(session, task.id, people.csm)
    with pytest.raises(Conflict, match="already done"):
        changes.complete_task(session, task.id, people.csm)


def test_status_done_through_an_update_completes_the_task(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    changes.update_task(session, task.id, people.csm, status="done", outcome="ok")
    assert (task.status, task.outcome) == ("done", "ok")
    assert session.scalars(select(Activity.task_id)).all() == [task.id]


def test_reopening_a_done_task_clears_its_completion(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    changes.complete_task(session, task.id, people.csm)
    changes.update_task(session, task.id, people.csm, status="open")
    assert (task.status, task.completed_at, task.completed_by_id) == (
        "open",
        None,
        None,
    )


def test_a_comment_is_kept_with_its_author(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    comment = changes.add_comment(session, task.id, people.manager, " Any news? ")
    assert (comment.body, comment.author_id) == ("Any news?", people.manager.user_id)


def test_an_empty_comment_is_refused(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(TaskError, match="must not be empty"):
        changes.add_comment(session, task.id, people.csm, "   ")


def test_bulk_reassign_moves_every_task(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    tasks = [org.task(account, f"t{n}") for n in range(3)]
    count = changes.bulk_update(
        session,
        people.manager,
        [t.id for t in tasks],
        assignee_id=people.teammate.user_id,
    )
    assert count == 3
    assert {t.assignee_id for t in tasks} == {people.teammate.user_id}
    assert notices(session, people.teammate.user_id) == [
        (f"{people.manager.name} gave you 3 tasks", "/tasks")
    ]


def test_bulk_with_one_invisible_task_changes_none(
    session: Session, org: Org, people: People
) -> None:
    mine = org.task(org.account("A", people.csm))
    far = org.task(org.account("FAR", people.outsider))
    with pytest.raises(NotFound, match=f"task {far.id} not found"):
        changes.bulk_update(session, people.csm, [mine.id, far.id], complete=True)
    assert mine.status == "open"
    assert session.scalars(select(Activity)).all() == []


def test_bulk_complete_with_one_done_task_changes_none(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    first, done = org.task(account, "first"), org.task(account, "done")
    changes.complete_task(session, done.id, people.csm)
    with pytest.raises(Conflict, match=f"task {done.id} is already done"):
        changes.bulk_update(session, people.csm, [first.id, done.id], complete=True)
    assert first.status == "open"


def test_bulk_reassign_by_a_csm_is_refused_naming_the_task(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(Forbidden, match=f"task {task.id}"):
        changes.bulk_update(
            session, people.csm, [task.id], assignee_id=people.teammate.user_id
        )


def test_bulk_status_cancels_every_task(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    tasks = [org.task(account, f"t{n}") for n in range(2)]
    changes.bulk_update(session, people.csm, [t.id for t in tasks], status="cancelled")
    assert {t.status for t in tasks} == {"cancelled"}
    detail = task_detail(session, tasks[0].id, people.csm)
    assert detail["history"][-1]["action"] == "status"


def test_bulk_needs_something_to_do(session: Session, org: Org, people: People) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(TaskError, match="give an assignee_id"):
        changes.bulk_update(session, people.csm, [task.id])


def test_due_dates_must_be_dates(session: Session, org: Org, people: People) -> None:
    task = org.task(org.account("A", people.csm))
    with pytest.raises(TaskError, match="must be a date"):
        changes.update_task(
            session, task.id, people.csm, due_on=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        )
