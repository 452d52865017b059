"""Reads of tasks: the filtered, paged list, one task in full, the CSV export.

Who sees a task is decided in one place, ``visible_tasks``: a task is visible when
its account is in the principal's scope or the principal is its assignee. A task
that is not visible behaves exactly as if it did not exist. ``principal=None`` is
Tenure itself (the command line), which sees every task.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    case,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from tenure.accounts.models import Account
from tenure.auth.scope import Principal, account_filter, owner_scope
from tenure.playbooks.models import PlaybookRun
from tenure.revenue.loading import today as local_today
from tenure.rules.models import Rule
from tenure.staff.models import StaffUser
from tenure.tasks.export import CSV_HEADER, csv_line
from tenure.tasks.models import (
    OPEN_STATUSES,
    PRIORITIES,
    SOURCES,
    STATUSES,
    TYPES,
    Task,
    TaskComment,
    TaskEvent,
)
from tenure.tasks.service import TaskError

log = logging.getLogger(__name__)

Row = dict[str, Any]
STATES = ("open", "closed", "all")
CLOSED_STATUSES = tuple(s for s in STATUSES if s not in OPEN_STATUSES)
SORTS = ("due", "priority", "created", "account")
MAX_PAGE_SIZE = 500
# The actor shown in a task's history when Tenure itself acted.
SYSTEM_ACTOR = "Tenure"

Assignee = aliased(StaffUser, name="assignee")


class NotFound(LookupError):
    """A task or account that does not exist or that the principal may not see."""


@dataclass(frozen=True)
class TaskQuery:
    """Filters, sort order and page of a task-list request.

    ``state`` "open" keeps open and in-progress tasks, "closed" done and cancelled
    ones. ``due_before`` and ``due_after`` are inclusive; ``overdue`` keeps open
    tasks due before ``today`` (by default today in the configured time zone).
    """

    state: str = "open"
    types: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    account: str | None = None
    source: str | None = None
    rule_id: int | None = None
    due_before: dt.date | None = None
    due_after: dt.date | None = None
    overdue: bool = False
    search: str | None = None
    sort: str = "due"
    page: int = 1
    page_size: int = 50
    today: dt.date | None = None


@dataclass(frozen=True)
class TaskPage:
    """One page of the task list and the number of matching tasks on all pages."""

    rows: list[Row]
    total: int
    page: int
    page_size: int


def visible_tasks(session: Session, principal: Principal | None) -> ColumnElement[bool]:
    """Return a condition on ``Task`` keeping the tasks ``principal`` may see."""
    if principal is None or owner_scope(session, principal) is None:
        return true()
    in_scope = select(Account.id).where(account_filter(session, principal))
    return or_(Task.account_id.in_(in_scope), Task.assignee_id == principal.user_id)


def _one_of(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise TaskError(name, value, f"must be one of {', '.join(allowed)}")


def check_query(query: TaskQuery) -> None:
    """Raise ``TaskError`` for a filter, sort or page value that cannot work."""
    _one_of("state", query.state, STATES)
    _one_of("sort", query.sort, SORTS)
    for kind in query.types:
        _one_of("type", kind, TYPES)
    for priority in query.priorities:
        _one_of("priority", priority, PRIORITIES)
    if query.source is not None:
        _one_of("source", query.source, SOURCES)
    if isinstance(query.page, bool) or not isinstance(query.page, int):
        raise TaskError("page", query.page, "must be a whole number")
    if query.page < 1:
        raise TaskError("page", query.page, "pages start at 1")
    if not 1 <= query.page_size <= MAX_PAGE_SIZE:
        raise TaskError("page_size", query.page_size, f"use 1 to {MAX_PAGE_SIZE}")
    if query.due_after and query.due_before and query.due_after > query.due_before:
        raise TaskError("due_after", query.due_after, "is after due_before")


def _conditions(
    session: Session, query: TaskQuery, principal: Principal | None, today: dt.date
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of a list query: visibility first, then each filter."""
    conditions = [visible_tasks(session, principal)]
    if query.state == "open":
        conditions.append(Task.status.in_(OPEN_STATUSES))
    elif query.state == "closed":
        conditions.append(Task.status.in_(CLOSED_STATUSES))
    if query.types:
        conditions.append(Task.type.in_(query.types))
    if query.priorities:
        conditions.append(Task.priority.in_(query.priorities))
    if query.assignee_ids:
        conditions.append(Task.assignee_id.in_(query.assignee_ids))
    if query.account:
        conditions.append(Account.external_id == query.account)
    if query.source:
        conditions.append(Task.source == query.source)
    if query.rule_id is not None:
        conditions.append(Task.rule_id == query.rule_id)
    if query.due_before is not None:
        conditions.append(Task.due_on <= query.due_before)
    if query.due_after is not None:
        conditions.append(Task.due_on >= query.due_after)
    if query.overdue:
        conditions.append(Task.due_on < today)
        conditions.append(Task.status.in_(OPEN_STATUSES))
    search = (query.search or "").strip()
    if search:
        conditions.append(
            Task.title.icontains(search, autoescape=True)
            | Account.name.icontains(search, autoescape=True)
        )
    return conditions


def _order(sort: str) -> list[SQLColumnExpression[Any]]:
    """The ORDER BY of a sort (already checked); ties fall back to the task id."""
    due = Task.due_on.asc().nulls_last()
    rank = case(
        *((Task.priority == name, index) for index, name in enumerate(PRIORITIES)),
        else_=len(PRIORITIES),
    )
    orders: dict[str, list[SQLColumnExpression[Any]]] = {
        "due": [due, Task.id.asc()],
        "priority": [rank.asc(), due, Task.id.asc()],
        "created": [Task.created_at.desc(), Task.id.desc()],
        "account": [Account.name.asc(), due, Task.id.asc()],
    }
    return orders[sort]


def _joined(statement: Select[Any]) -> Select[Any]:
    """Join a task statement to its account, assignee, rule and playbook run."""
    return (
        statement.select_from(Task)
        .join(Account, Account.id == Task.account_id)
        .outerjoin(Assignee, Assignee.id == Task.assignee_id)
        .outerjoin(Rule, Rule.id == Task.rule_id)
        .outerjoin(PlaybookRun, PlaybookRun.id == Task.playbook_run_id)
    )


def _row_statement() -> Select[Any]:
    """The statement of list rows: each task with the names it points to."""
    columns: tuple[Any, ...] = (
        Task,
        Account.external_id,
        Account.name,
        Assignee.email,
        Assignee.name,
        Rule.name,
        PlaybookRun.name,
    )
    return _joined(select(*columns))


def _to_row(record: Any, today: dt.date) -> Row:
    """One selected record as a list row of plain values."""
    task, account_id, account_name, email, assignee_name, rule, playbook = record
    return {
        "id": task.id,
        "account_id": account_id,
        "account_name": account_name,
        "type": task.type,
        "title": task.title,
        "priority": task.priority,
        "status": task.status,
        "assignee": email,
        "assignee_name": assignee_name,
        "assignee_id": task.assignee_id,
        "due": task.due_on,
        "overdue": is_overdue(task, today),
        "source": task.source,
        "rule": task.rule_id,
        "rule_name": rule,
        "playbook": playbook,
        "personal": task.personal,
        "created_at": task.created_at,
        "completed_at": task.completed_at,
    }


def is_overdue(task: Task, today: dt.date) -> bool:
    """Tell whether ``task`` is still open and was due before ``today``."""
    return (
        task.status in OPEN_STATUSES and task.due_on is not None and task.due_on < today
    )


def list_tasks(
    session: Session, query: TaskQuery, principal: Principal | None
) -> TaskPage:
    """Return one page of the tasks ``principal`` sees that match ``query``."""
    check_query(query)
    today = query.today or local_today(session)
    conditions = _conditions(session, query, principal, today)
    statement = (
        _row_statement()
        .where(*conditions)
        .order_by(*_order(query.sort))
        .limit(query.page_size)
        .offset((query.page - 1) * query.page_size)
    )
    rows = [_to_row(record, today) for record in session.execute(statement)]
    counted = _joined(select(func.count(Task.id))).where(*conditions)
    total = session.scalar(counted) or 0
    return TaskPage(rows, total, query.page, query.page_size)


def all_tasks(
    session: Session, query: TaskQuery, principal: Principal | None
) -> list[Row]:
    """Return every task ``principal`` sees that matches ``query``, unpaged."""
    check_query(query)
    today = query.today or local_today(session)
    statement = (
        _row_statement()
        .where(*_conditions(session, query, principal, today))
        .order_by(*_order(query.sort))
    )
    return [_to_row(record, today) for record in session.execute(statement)]


def csv_rows(
    session: Session, query: TaskQuery, principal: Principal | None
) -> Iterator[list[str]]:
    """Yield the CSV_HEADER, then one line per matching task (all pages)."""
    rows = all_tasks(session, query, principal)
    log.info("exporting %d tasks", len(rows))
    yield list(CSV_HEADER)
    yield from (csv_line(row) for row in rows)


def task_detail(session: Session, task_id: int, principal: Principal | None) -> Row:
    """One task in full: its row, why it exists, its comments and history.

    ``rule`` is ``{id, name}`` here (the list row's id and name together) and
    ``playbook_run`` is ``{id, name, step}``; both are None when not set.
    """
    statement = _row_statement().where(
        Task.id == task_id, visible_tasks(session, principal)
    )
    record = session.execute(statement).first()
    if record is None:
        raise NotFound(f"task {task_id} not found")
    task: Task = record[0]
    row = _to_row(record, local_today(session))
    row.update(
        description=task.description,
        outcome=task.outcome,
        signal=dict(task.signal or {}),
        rule=None
        if task.rule_id is None
        else {"id": task.rule_id, "name": row["rule_name"]},
        playbook_run=None
        if task.playbook_run_id is None
        else {
            "id": task.playbook_run_id,
            "name": row["playbook"],
            "step": task.playbook_step,
        },
        comments=_comments(session, task.id),
        history=_history(session, task.id),
    )
    return row


def _comments(session: Session, task_id: int) -> list[Row]:
    """A task's comments, oldest first."""
    statement = (
        select(TaskComment, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == TaskComment.author_id)
        .where(TaskComment.task_id == task_id)
        .order_by(TaskComment.created_at, TaskComment.id)
    )
    return [
        {
            "id": comment.id,
            "author": author,
            "body": comment.body,
            "created_at": comment.created_at,
        }
        for comment, author in session.execute(statement)
    ]


def _history(session: Session, task_id: int) -> list[Row]:
    """A task's history entries, oldest first; Tenure's own as SYSTEM_ACTOR."""
    statement = (
        select(TaskEvent, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == TaskEvent.actor_id)
        .where(TaskEvent.task_id == task_id)
        .order_by(TaskEvent.at, TaskEvent.id)
    )
    return [
        {
            "at": event.at,
            "actor": SYSTEM_ACTOR if event.actor_id is None else actor,
            "action": event.action,
            "field": event.field,
            "old": event.old,
            "new": event.new,
            "note": event.note,
        }
        for event, actor in session.execute(statement)
    ]
