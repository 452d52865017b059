"""Create tasks: check the values, find the assignee, record the first history entry.

Rules and playbooks create tasks through ``create_task`` as people do, so every task
has the same history and the same checks whatever made it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.staff.service import manager_of, user_by_email
from tenure.tasks.models import (
    OPEN_STATUSES,
    PRIORITIES,
    SOURCES,
    TYPES,
    Task,
    TaskEvent,
)

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
