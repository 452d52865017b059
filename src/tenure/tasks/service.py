"""Create tasks and change them: check values, find assignees, record history.

Rules and playbooks create tasks through ``create_task`` as people do, so every task
has the same history and the same checks whatever made it. The changes below act
for whoever is given as the actor; ``tenure.tasks.changes`` checks first that a
person may make them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.staff.models import StaffUser
from tenure.staff.service import manager_of, user_by_email
from tenure.tasks.models import (
    OPEN_STATUSES,
    PRIORITIES,
    SOURCES,
    TYPES,
    Task,
    TaskEvent,
)
from tenure.timeline.models import Activity

log = logging.getLogger(__name__)

# How an assignee is given in rule actions and playbook steps.
ASSIGNEE_HELP = "'owner', 'manager' (the owner's team manager) or 'user:<email>'"


class TaskError(ValueError):
    """A task value that is not allowed, naming the field and the value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class Conflict(TaskError):
    """A change the task's state rules out, such as completing a done task."""


def _one_of(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise TaskError(field, value, f"must be one of {', '.join(allowed)}")


def check_assignee_rule(rule: str) -> str:
    """Return ``rule`` if it is a valid assignee rule, else raise ValueError."""
    if rule in ("owner", "manager"):
        return rule
    prefix, _, email = rule.partition(":")
    if prefix == "user" and "@" in email:
        return rule
    raise ValueError(f"assignee {rule!r} must be {ASSIGNEE_HELP}")


def resolve_assignee(session: Session, account: Account, rule: str) -> int | None:
    """Return who gets a task on ``account`` under an assignee ``rule``.

    'manager' falls back to the owner when the owner's team has no manager; a named
    user who is unknown or disabled falls back to the owner too, and is logged. An
    account without an owner gives no assignee.
    """
    check_assignee_rule(rule)
    owner = account.owner_id
    if rule == "owner":
        return owner
    if rule == "manager":
        if owner is None:
            return None
        return manager_of(session, owner) or owner
    email = rule.partition(":")[2]
    user = user_by_email(session, email)
    if user is None:
        log.warning("assignee %s is unknown or disabled; the owner gets it", email)
        return owner
    return user.id


def record(
    session: Session,
    task: Task,
    action: str,
    actor_id: int | None,
    *,
    field: str | None = None,
    old: object = None,
    new: object = None,
    note: str | None = None,
) -> None:
    """Add one entry to ``task``'s history."""
    session.add(
        TaskEvent(
            task_id=task.id,
            actor_id=actor_id,
            action=action,
            field=field,
            old=None if old is None else str(old)[:300],
            new=None if new is None else str(new)[:300],
            note=note[:500] if note else None,
        )
    )


def create_task(
    session: Session,
    *,
    account_id: int,
    type: str,
    title: str,
    actor_id: int | None,
    assignee_id: int | None = None,
    priority: str = "normal",
    due_on: dt.date | None = None,
    description: str | None = None,
    source: str = "manual",
    rule_id: int | None = None,
    playbook_run_id: int | None = None,
    playbook_step: int | None = None,
    personal: bool = False,
    signal: dict[str, Any] | None = None,
) -> Task:
    """Create an open task and its 'created' history entry; return it flushed."""
    _one_of("type", type, TYPES)
    _one_of("priority", priority, PRIORITIES)
    _one_of("source", source, SOURCES)
    title = title.strip()
    if not title:
        raise TaskError("title", title, "must not be empty")
    if len(title) > 300:
        raise TaskError("title", title[:40] + "...", "must be at most 300 characters")
    if session.get(Account, account_id) is None:
        raise TaskError("account", account_id, "no such account")
    task = Task(
        account_id=account_id,
        type=type,
        title=title,
        description=description,
        priority=priority,
        status="open",
        assignee_id=assignee_id,
        due_on=due_on,
        source=source,
        rule_id=rule_id,
        playbook_run_id=playbook_run_id,
        playbook_step=playbook_step,
        personal=personal,
        signal=signal or {},
        created_by_id=actor_id,
    )
    session.add(task)
    session.flush()
    record(session, task, "created", actor_id, note=source)
    return task


def has_open_task(session: Session, rule_id: int, account_id: int) -> bool:
    """Tell whether a rule's task for an account is still open (not done/cancelled)."""
    query = select(
        exists().where(
            Task.rule_id == rule_id,
            Task.account_id == account_id,
            Task.status.in_(OPEN_STATUSES),
        )
    )
    return bool(session.scalar(query))


def clean_text(
    field: str, value: object, limit: int, required: bool = False
) -> str | None:
    """``value`` stripped, None when empty; a TaskError when too long or required."""
    if value is not None and not isinstance(value, str):
        raise TaskError(field, value, "must be text")
    text = (value or "").strip()
    if not text:
        if required:
            raise TaskError(field, value, "must not be empty")
        return None
    if len(text) > limit:
        raise TaskError(field, text[:40] + "...", f"must be at most {limit} characters")
    return text


def active_staff_id(session: Session, user_id: object) -> int:
    """Return ``user_id`` if it is an active staff user, else raise TaskError."""
    user = session.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active:
        raise TaskError("assignee_id", user_id, "is not an active staff user")
    return user.id


def staff_id(session: Session, email: str) -> int | None:
    """Return the id of the staff user with ``email`` (case-insensitive), if any.

    Disabled users are found too: their tasks stay theirs until reassigned.
    """
    statement = select(StaffUser.id).where(
        func.lower(StaffUser.email) == email.strip().lower()
    )
    return session.scalar(statement)


def staff_emails(session: Session, ids: Collection[int | None]) -> dict[int, str]:
    """Staff emails by id, for readable history entries."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    statement = select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(wanted))
    return {user_id: email for user_id, email in session.execute(statement)}


def reassign(
    session: Session,
    task: Task,
    new: int | None,
    actor_id: int | None,
    note: str | None = None,
    emails: Mapping[int, str] | None = None,
) -> None:
    """Give ``task`` to ``new`` and record who had it (``emails`` by staff id)."""
    if emails is None:
        emails = staff_emails(session, (task.assignee_id, new))
    old = task.assignee_id
    task.assignee_id = new
    record(
        session,
        task,
        "assigned",
        actor_id,
        field="assignee",
        old=None if old is None else emails.get(old),
        new=None if new is None else emails.get(new),
        note=note,
    )


def set_status(session: Session, task: Task, status: str, actor_id: int) -> None:
    """Move ``task`` to open, in progress or cancelled (reopening clears done)."""
    old = task.status
    task.status = status
    if old == "done":
        task.completed_at = None
        task.completed_by_id = None
    record(session, task, "status", actor_id, field="status", old=old, new=status)


def mark_done(
    session: Session, task: Task, actor_id: int, outcome: str | None
) -> Activity:
    """Mark ``task`` done and write its entry on the account's timeline.

    A task already done raises Conflict; ``outcome`` None keeps the one it has.
    """
    if task.status == "done":
        raise Conflict("status", task.status, f"task {task.id} is already done")
    now = utcnow()
    old = task.status
    task.status = "done"
    task.completed_at = now
    task.completed_by_id = actor_id
    if outcome is not None:
        task.outcome = outcome
    record(
        session,
        task,
        "completed",
        actor_id,
        field="status",
        old=old,
        new="done",
        note=outcome,
    )
    activity = Activity(
        account_id=task.account_id,
        kind="task",
        subject=task.title,
        body=task.outcome,
        occurred_at=now,
        author_id=actor_id,
        task_id=task.id,
        details={"type": task.type, "source": task.source},
    )
    session.add(activity)
    return activity
