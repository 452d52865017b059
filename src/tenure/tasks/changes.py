"""Changes people make to tasks: create, edit, complete, comment, bulk, owner moves.

Every change checks the role (``work_tasks``; ``assign_tasks`` to give a task to
someone else) and the task's visibility, checks every value before it changes
anything, and writes the task's history through ``tenure.tasks.service.record``.
Without ``assign_tasks`` a person may only take an unassigned task for themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.accounts.models import Account
from tenure.auth.scope import Forbidden, Principal, can, owner_scope, require
from tenure.db.base import utcnow
from tenure.tasks.models import (
    OPEN_STATUSES,
    PRIORITIES,
    STATUSES,
    Task,
    TaskComment,
    TaskEvent,
)
from tenure.tasks.notices import tell_assignee
from tenure.tasks.reads import NotFound, visible_tasks
from tenure.tasks.service import (
    Conflict,
    TaskError,
    active_staff_id,
    clean_text,
    create_task,
    mark_done,
    reassign,
    record,
    set_status,
    staff_emails,
)

log = logging.getLogger(__name__)

EDITABLE = (
    "title",
    "description",
    "priority",
    "due_on",
    "status",
    "assignee_id",
    "personal",
    "outcome",
)
MAX_TITLE = 300
MAX_TEXT = 20_000
BATCH = 500


def _task(session: Session, task_id: int, principal: Principal) -> Task:
    """The visible task ``task_id``, locked for the change, or NotFound."""
    statement = (
        select(Task)
        .where(Task.id == task_id, visible_tasks(session, principal))
        .with_for_update(of=Task)
    )
    task = session.scalar(statement)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


def _check_reassign(principal: Principal, task: Task, new: int | None) -> None:
    """Raise Forbidden unless ``principal`` may give ``task`` to ``new``."""
    if new == task.assignee_id or can(principal, "assign_tasks"):
        return
    if new == principal.user_id and task.assignee_id is None:
        return
    raise Forbidden(
        f"the {principal.role} role may not reassign task {task.id}; "
        "it may only take unassigned tasks"
    )


def new_task(
    session: Session,
    principal: Principal,
    *,
    account: str,
    type: str,
    title: str,
    priority: str = "normal",
    due_on: dt.date | None = None,
    description: str | None = None,
    assignee_id: int | None = None,
    personal: bool = False,
) -> Task:
    """Create a manual task on an account in scope; the owner gets it by default."""
    require(principal, "work_tasks")
    try:
        account_id = accounts.account_id_in_scope(
            session, account, owner_scope(session, principal)
        )
    except accounts.NotFound:
        raise NotFound(f"account '{account}' not found") from None
    if assignee_id is None:
        owner = select(Account.owner_id).where(Account.id == account_id)
        assignee = session.scalar(owner)
    else:
        assignee = active_staff_id(session, assignee_id)
    if assignee not in (None, principal.user_id) and not can(principal, "assign_tasks"):
        raise Forbidden(
            f"the {principal.role} role may assign new tasks only to themselves"
        )
    return create_task(
        session,
        account_id=account_id,
        type=type,
        title=clean_text("title", title, MAX_TITLE, required=True) or "",
        actor_id=principal.user_id,
        assignee_id=assignee,
        priority=priority,
        due_on=due_on,
        description=clean_text("description", description, MAX_TEXT),
        source="manual",
        personal=personal,
    )


def _checked(
    session: Session, principal: Principal, task: Task, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Every change checked and normalised, before any is applied."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise TaskError(
            unknown[0], changes[unknown[0]], f"is not one of {', '.join(EDITABLE)}"
        )
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "title":
            value = clean_text(name, value, MAX_TITLE, required=True)
        elif name in ("description", "outcome"):
            value = clean_text(name, value, MAX_TEXT)
        elif name in ("priority", "status"):
            allowed = PRIORITIES if name == "priority" else STATUSES
            if value not in allowed:
                raise TaskError(name, value, f"must be one of {', '.join(allowed)}")
        elif name == "due_on":
            if value is not None and (
                not isinstance(value, dt.date) or isinstance(value, dt.datetime)
            ):
                raise TaskError(name, value, "must be a date")
        elif name == "personal":
            if not isinstance(value, bool):
                raise TaskError(name, value, "must be true or false")
        elif name == "assignee_id":
            value = None if value is None else active_staff_id(session, value)
            _check_reassign(principal, task, value)
        checked[name] = value
    return checked


def update_task(
    session: Session, task_id: int, principal: Principal, **changes: Any
) -> Task:
    """Change any of EDITABLE; a change of status to "done" completes the task."""
    require(principal, "work_tasks")
    task = _task(session, task_id, principal)
    checked = _checked(session, principal, task, changes)
    status = checked.pop("status", task.status)
    outcome = checked.pop("outcome", task.outcome)
    for name, value in checked.items():
        old = getattr(task, name)
        if value == old:
            continue
        if name == "assignee_id":
            reassign(session, task, value, principal.user_id)
            tell_assignee(session, value, principal, [task])
            continue
        setattr(task, name, value)
        record(
            session, task, "updated", principal.user_id, field=name, old=old, new=value
        )
    if status == "done" and task.status != "done":
        mark_done(session, task, principal.user_id, outcome)
    else:
        if outcome != task.outcome:
            record(
                session,
                task,
                "updated",
                principal.user_id,
                field="outcome",
                old=task.outcome,
                new=outcome,
            )
            task.outcome = outcome
        if status != task.status:
            set_status(session, task, status, principal.user_id)
    session.flush()
    return task


def complete_task(
    session: Session, task_id: int, principal: Principal, outcome: str | None = None
) -> Task:
    """Mark a task done with its outcome; completing a done task is a Conflict."""
    require(principal, "work_tasks")
    task = _task(session, task_id, principal)
    text = clean_text("outcome", outcome, MAX_TEXT)
    mark_done(session, task, principal.user_id, text)
    session.flush()
    return task


def add_comment(
    session: Session, task_id: int, principal: Principal, body: str
) -> TaskComment:
    """Add the principal's comment to a task they see."""
    require(principal, "work_tasks")
    task = _task(session, task_id, principal)
    text = clean_text("body", body, MAX_TEXT, required=True)
    comment = TaskComment(task_id=task.id, author_id=principal.user_id, body=text)
    session.add(comment)
    record(session, task, "commented", principal.user_id)
    session.flush()
    return comment


def bulk_update(
    session: Session,
    principal: Principal,
    ids: list[int],
    *,
    assignee_id: int | None = None,
    complete: bool = False,
    status: str | None = None,
) -> int:
    """Reassign, complete or set the status of many tasks: all of them or none.

    Every id is checked (exists, visible, allowed, not already done when
    completing) before any task changes; the first that fails names itself.
    """
    require(principal, "work_tasks")
    if status == "done":
        complete, status = True, None
    if status is not None and status not in STATUSES:
        raise TaskError("status", status, f"must be one of {', '.join(STATUSES)}")
    if complete and status is not None:
        raise TaskError("status", status, "cannot be set while completing")
    if assignee_id is None and not complete and status is None:
        raise TaskError("changes", None, "give an assignee_id, complete or a status")
    wanted = list(dict.fromkeys(ids))
    if assignee_id is not None:
        assignee_id = active_staff_id(session, assignee_id)
    found: dict[int, Task] = {}
    for start in range(0, len(wanted), BATCH):
        statement = (
            select(Task)
            .where(
                Task.id.in_(wanted[start : start + BATCH]),
                visible_tasks(session, principal),
            )
            .with_for_update(of=Task)
        )
        found.update((task.id, task) for task in session.scalars(statement))
    for task_id in wanted:
        task = found.get(task_id)
        if task is None:
            raise NotFound(f"task {task_id} not found")
        if assignee_id is not None:
            _check_reassign(principal, task, assignee_id)
        if complete and task.status == "done":
            raise Conflict("status", task.status, f"task {task_id} is already done")
    holders = [task.assignee_id for task in found.values()]
    emails = staff_emails(session, [assignee_id, *holders])
    given: list[Task] = []
    for task_id in wanted:
        task = found[task_id]
        if assignee_id is not None and assignee_id != task.assignee_id:
            reassign(session, task, assignee_id, principal.user_id, None, emails)
            given.append(task)
        if complete:
            mark_done(session, task, principal.user_id, None)
        elif status is not None and status != task.status:
            set_status(session, task, status, principal.user_id)
    tell_assignee(session, assignee_id, principal, given)
    session.flush()
    log.info("%s changed %d tasks in bulk", principal.email, len(wanted))
    return len(wanted)


def follow_owner(
    session: Session, changes: Mapping[int, tuple[int | None, int | None]]
) -> int:
    """Move open tasks to accounts' new owners; return how many moved.

    ``changes`` maps an account id to (old owner, new owner). Open, non-personal
    tasks assigned to the old owner or to nobody go to the new owner. The tasks
    move in one statement per new owner and their history in one insert, since a
    reassignment may carry thousands of tasks.
    """
    moving = {account: pair for account, pair in changes.items() if pair[0] != pair[1]}
    accounts_ = sorted(moving)
    found: list[tuple[int, int, int | None]] = []
    for start in range(0, len(accounts_), BATCH):
        statement = (
            select(Task.id, Task.account_id, Task.assignee_id)
            .where(
                Task.account_id.in_(accounts_[start : start + BATCH]),
                Task.status.in_(OPEN_STATUSES),
                Task.personal.is_(False),
            )
            .order_by(Task.id)
        )
        found.extend((row[0], row[1], row[2]) for row in session.execute(statement))
    emails = staff_emails(session, [user for pair in moving.values() for user in pair])
    now = utcnow()
    by_owner: dict[int | None, list[int]] = defaultdict(list)
    events: list[dict[str, Any]] = []
    for task_id, account, assignee in found:
        old, new = moving[account]
        if assignee not in (old, None) or assignee == new:
            continue
        by_owner[new].append(task_id)
        events.append(
            {
                "task_id": task_id,
                "at": now,
                "actor_id": None,
                "action": "assigned",
                "field": "assignee",
                "old": None if assignee is None else emails.get(assignee),
                "new": None if new is None else emails.get(new),
                "note": "account owner changed",
            }
        )
    for new, ids in by_owner.items():
        for start in range(0, len(ids), BATCH):
            session.execute(
                update(Task)
                .where(Task.id.in_(ids[start : start + BATCH]))
                .values(assignee_id=new, updated_at=now)
            )
    if events:
        session.execute(insert(TaskEvent), events)
        log.info("%d open tasks followed their account's new owner", len(events))
    return len(events)
