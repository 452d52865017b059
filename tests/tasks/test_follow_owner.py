"""Open tasks follow an account's new owner when an accounts import changes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.imports import import_rows
from tenure.tasks import changes
from tenure.tasks.models import TaskEvent

from .conftest import TODAY, Org, People


def new_owner(session: Session, account: str, email: str) -> None:
    """Import one accounts row giving ``account`` to ``email``."""
    import_rows(
        session,
        "accounts",
        [{"account_id": account, "name": f"{account} Ltd", "owner_email": email}],
        source="accounts.csv",
        default_currency="USD",
        today=TODAY,
    )


def test_open_tasks_of_the_old_owner_and_unassigned_ones_move(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    owned = org.task(account, "owned")
    unassigned = org.task(account, "unassigned", assignee_id=None)
    new_owner(session, "A", people.teammate.email)
    session.refresh(owned)
    session.refresh(unassigned)
    assert owned.assignee_id == people.teammate.user_id
    assert unassigned.assignee_id == people.teammate.user_id


def test_personal_closed_and_other_peoples_tasks_stay(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    personal = org.task(account, "personal", personal=True)
    done = org.task(account, "done")
    changes.complete_task(session, done.id, people.csm)
    managers = org.task(account, "manager's", assignee_id=people.manager.user_id)
    new_owner(session, "A", people.teammate.email)
    for task in (personal, done, managers):
        session.refresh(task)
    assert personal.assignee_id == people.csm.user_id
    assert done.assignee_id == people.csm.user_id
    assert managers.assignee_id == people.manager.user_id


def test_the_move_is_recorded_as_tenure_with_the_reason(
    session: Session, org: Org, people: People
) -> None:
    task = org.task(org.account("A", people.csm))
    new_owner(session, "A", people.teammate.email)
    entry = session.scalars(
        select(TaskEvent).where(
            TaskEvent.task_id == task.id, TaskEvent.action == "assigned"
        )
    ).one()
    assert (entry.actor_id, entry.old, entry.new, entry.note) == (
        None,
        "cam@example.com",
        "tom@example.com",
        "account owner changed",
    )


def test_follow_owner_counts_the_tasks_it_moved(
    session: Session, org: Org, people: People
) -> None:
    first = org.account("A", people.csm)
    second = org.account("B", people.csm)
    org.task(first)
    org.task(second)
    org.task(second, personal=True)
    moved = changes.follow_owner(
        session,
        {
            first: (people.csm.user_id, people.teammate.user_id),
            second: (people.csm.user_id, None),
        },
    )
    assert moved == 2
