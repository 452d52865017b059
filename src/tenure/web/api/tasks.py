"""Tasks as JSON: the filtered list (or CSV), one task, changes, comments, bulk.

Reads are open to every role for the tasks it sees; changes need ``work_tasks``,
giving a task to someone else ``assign_tasks``. Completing a done task is a 409.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal
from tenure.tasks import changes
from tenure.tasks import reads as tasks
from tenure.tasks.export import csv_text
from tenure.tasks.schemas import (
    BulkChange,
    NewComment,
    NewTask,
    TaskChanges,
    TaskCompletion,
)
from tenure.tasks.service import Conflict, TaskError
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    answering,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["tasks"], default_response_class=TenureJSON)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def task_query(
    state: Annotated[str, Query(description="open, closed or all")] = "open",
    types: Annotated[list[str] | None, Query(description="Task types")] = None,
    priorities: Annotated[list[str] | None, Query(description="Priorities")] = None,
    assignee_ids: Annotated[list[int] | None, Query(description="Staff ids")] = None,
    account: Annotated[str | None, Query(description="An account's id")] = None,
    source: Annotated[str | None, Query(description="rule, playbook or manual")] = None,
    rule_id: int | None = None,
    due_before: Annotated[dt.date | None, Query(description="Inclusive")] = None,
    due_after: Annotated[dt.date | None, Query(description="Inclusive")] = None,
    overdue: bool = False,
    search: Annotated[str | None, Query(description="In title or account name")] = None,
    sort: Annotated[str, Query(description=", ".join(tasks.SORTS))] = "due",
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=tasks.MAX_PAGE_SIZE)] = 50,
) -> tasks.TaskQuery:
    """Read the list's filters, sort and page from the query string."""
    return tasks.TaskQuery(
        state=state,
        types=tuple(types or ()),
        priorities=tuple(priorities or ()),
        assignee_ids=tuple(assignee_ids or ()),
        account=account or None,
        source=source or None,
        rule_id=rule_id,
        due_before=due_before,
        due_after=due_after,
        overdue=overdue,
        search=search or None,
        sort=sort,
        page=page,
        page_size=page_size,
    )


Filters = Annotated[tasks.TaskQuery, Depends(task_query)]


def answered() -> AbstractContextManager[None]:
    """Turn the task area's errors into 403, 404, 409 and 422 responses."""
    return answering(
        missing=(tasks.NotFound,), conflicts=(Conflict,), invalid=(TaskError,)
    )


def _detail(session: Session, task_id: int, principal: Principal) -> TenureJSON:
    return TenureJSON(tasks.task_detail(session, task_id, principal))


@router.get(
    "/tasks", responses={200: {"content": {"application/json": {}, "text/csv": {}}}}
)
def list_tasks(
    principal: Caller,
    session: Db,
    query: Filters,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Response:
    """One page of the tasks the caller sees; ``format=csv``: every matching task."""
    with answered():
        if format == "csv":
            body = csv_text(tasks.csv_rows(session, query, principal))
            return Response(
                body,
                media_type=CSV_MEDIA_TYPE,
                headers={"Content-Disposition": 'attachment; filename="tasks.csv"'},
            )
        page = tasks.list_tasks(session, query, principal)
    return TenureJSON(
        {
            "total": page.total,
            "page": page.page,
            "page_size": page.page_size,
            "rows": page.rows,
        }
    )


@router.post("/tasks", status_code=status.HTTP_201_CREATED)
def create_task(new: NewTask, principal: Caller, session: Db) -> TenureJSON:
    """Create a manual task; it goes to the account's owner unless assigned."""
    with answered():
        task = changes.new_task(
            session,
            principal,
            account=new.account_id,
            type=new.type,
            title=new.title,
            priority=new.priority,
            due_on=new.due_on,
            description=new.description,
            assignee_id=new.assignee_id,
            personal=new.personal,
        )
        row = tasks.task_detail(session, task.id, principal)
    return TenureJSON(row, status_code=status.HTTP_201_CREATED)


@router.post("/tasks/bulk")
def bulk_change(change: BulkChange, principal: Caller, session: Db) -> TenureJSON:
    """Reassign, complete or set the status of many tasks: all of them or none."""
    with answered():
        count = changes.bulk_update(
            session,
            principal,
            change.ids,
            assignee_id=change.assignee_id,
            complete=change.complete,
            status=change.status,
        )
    return TenureJSON({"updated": count})


@router.get("/tasks/{task_id}")
def get_task(task_id: int, principal: Caller, session: Db) -> TenureJSON:
    """One task with why it exists, its comments and its history."""
    with answered():
        return _detail(session, task_id, principal)


@router.patch("/tasks/{task_id}")
def update_task(
    task_id: int, change: TaskChanges, principal: Caller, session: Db
) -> TenureJSON:
    """Change the fields given; status "done" completes the task."""
    with answered():
        changes.update_task(
            session, task_id, principal, **change.model_dump(exclude_unset=True)
        )
        return _detail(session, task_id, principal)


@router.post("/tasks/{task_id}/complete")
def complete_task(
    task_id: int,
    principal: Caller,
    session: Db,
    completion: TaskCompletion | None = None,
) -> TenureJSON:
    """Mark a task done with its outcome; it shows on the account's timeline."""
    outcome = completion.outcome if completion is not None else None
    with answered():
        changes.complete_task(session, task_id, principal, outcome)
        return _detail(session, task_id, principal)


@router.post("/tasks/{task_id}/comments", status_code=status.HTTP_201_CREATED)
def add_comment(
    task_id: int, comment: NewComment, principal: Caller, session: Db
) -> TenureJSON:
    """Add a comment to a task."""
    with answered():
        added = changes.add_comment(session, task_id, principal, comment.body)
    return TenureJSON(
        {
            "id": added.id,
            "author": principal.name,
            "body": added.body,
            "created_at": added.created_at,
        },
        status_code=status.HTTP_201_CREATED,
    )
