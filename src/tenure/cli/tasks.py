"""``tenure task``: list tasks (as a table or CSV) and complete one.

The command line acts as Tenure itself: it lists the tasks of every account.
Completing a task acts as the staff user named with ``--as``.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Annotated

import typer

from tenure.auth.scope import Forbidden, principal_for
from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.staff.service import user_by_email
from tenure.tasks import changes
from tenure.tasks import reads as tasks
from tenure.tasks.export import CSV_HEADER, csv_text
from tenure.tasks.service import TaskError, staff_id

log = logging.getLogger(__name__)

task_app = typer.Typer(help="List and complete tasks.", no_args_is_help=True)
TABLE_COLUMNS = (*CSV_HEADER, "title")


class State(StrEnum):
    """Which tasks a list keeps."""

    open = "open"
    closed = "closed"
    all = "all"


@task_app.command("list")
def task_list(
    account: Annotated[
        str | None, typer.Option("--account", help="One account's id")
    ] = None,
    assignee: Annotated[
        str | None, typer.Option("--assignee", help="The assignee's email")
    ] = None,
    status: Annotated[
        State, typer.Option("--status", help="open (and in progress), closed or all")
    ] = State.open,
    types: Annotated[
        list[str] | None, typer.Option("--type", help="A task type (repeatable)")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Tasks of every account, by due date then id (csv: every matching task)."""
    with database() as session:
        assignee_ids: tuple[int, ...] = ()
        if assignee is not None:
            found = staff_id(session, assignee)
            if found is None:
                raise fail(f"--assignee: no staff user '{assignee}'", 2)
            assignee_ids = (found,)
        query = tasks.TaskQuery(
            state=status.value,
            types=tuple(types or ()),
            assignee_ids=assignee_ids,
            account=account,
            sort="due",
        )
        try:
            if fmt is Format.csv:
                typer.echo(csv_text(tasks.csv_rows(session, query, None)), nl=False)
                return
            rows = tasks.all_tasks(session, query, None)
        except TaskError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(render(rows, fmt, TABLE_COLUMNS))


@task_app.command("complete")
def task_complete(
    task_id: Annotated[int, typer.Argument(help="The task's id")],
    acting: Annotated[
        str, typer.Option("--as", help="Email of the staff user who completes it")
    ],
    outcome: Annotated[
        str | None, typer.Option("--outcome", help="How it ended")
    ] = None,
) -> None:
    """Mark a task done as a staff user, with its outcome."""
    with database() as session:
        user = user_by_email(session, acting)
        if user is None:
            raise fail(f"--as: no active staff user '{acting}'", 2)
        try:
            task = changes.complete_task(session, task_id, principal_for(user), outcome)
        except (tasks.NotFound, Forbidden, TaskError) as exc:
            raise fail(str(exc), 2) from None
        title = task.title
    typer.echo(f"task {task_id} done: {title}")
