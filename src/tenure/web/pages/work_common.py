"""What the workbench, task and customer pages share: task labels, lines, dialogs."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from tenure.auth.scope import Forbidden
from tenure.tasks import changes
from tenure.tasks.reads import NotFound
from tenure.tasks.service import TaskError
from tenure.web.context import db
from tenure.web.pages.common import PageContext

log = logging.getLogger(__name__)

PRIORITY_COLOURS = {
    "urgent": "negative",
    "high": "orange-8",
    "normal": "primary",
    "low": "grey-6",
}
TYPE_ICONS = {
    "risk": "warning",
    "opportunity": "trending_up",
    "renewal": "autorenew",
    "onboarding": "rocket_launch",
    "follow_up": "forum",
}
# Errors a person can cause when changing a task; shown, never raised.
TASK_ERRORS = (Forbidden, NotFound, TaskError, LookupError, ValueError)


def options(
    t: Callable[..., str], prefix: str, values: tuple[str, ...]
) -> dict[str, str]:
    """Translated labels of ``values`` under a message prefix, for a select."""
    return {value: t(f"{prefix}.{value}") for value in values}


def due_text(page: PageContext, due: dt.date | None, overdue: bool) -> str:
    """A due date, marked when it has passed."""
    if due is None:
        return "–"
    return f"{due} · {page.t('work.overdue')}" if overdue else str(due)


def task_line(
    page: PageContext, row: dict[str, Any], on_change: Callable[[], object]
) -> None:
    """One task as a line: priority, type, title (to the task), customer, due, done."""
    t = page.t
    line = ui.row().classes("w-full items-center gap-2 no-wrap q-py-xs")
    line.props(f'data-testid="task-{row["id"]}"').mark(f"task-{row['id']}")
    with line:
        ui.icon(TYPE_ICONS.get(row["type"], "task_alt")).classes(
            f"text-{PRIORITY_COLOURS.get(row['priority'], 'primary')}"
        ).tooltip(
            f"{t('tasktype.' + row['type'])} · {t('priority.' + row['priority'])}"
        )
        with ui.column().classes("gap-0 grow"):
            ui.link(row["title"], f"/tasks/{row['id']}").classes(
                "text-body2 no-underline text-dark"
            ).props(f'data-testid="task-title-{row["id"]}"')
            with ui.row().classes("gap-2 text-caption text-grey-7"):
                ui.link(row["account_name"], f"/customers/{row['account_id']}").classes(
                    "no-underline text-grey-8"
                )
                ui.label(due_text(page, row["due"], row["overdue"])).classes(
                    "text-negative" if row["overdue"] else ""
                )
                if row.get("assignee_name"):
                    ui.label(row["assignee_name"])
        if row["status"] in ("open", "in_progress"):
            ui.button(
                icon="check",
                on_click=lambda: complete_dialog(page, row["id"], on_change),
            ).props(
                f'flat round dense color=positive aria-label="{t("task.complete")}" '
                f'data-testid="complete-{row["id"]}"'
            ).mark(f"complete-{row['id']}")


def attempt(
    page: PageContext,
    change: Callable[[Session], object],
    done: str | None = None,
    failed: str = "task.failed",
) -> bool:
    """Make ``change`` in one transaction and say so; on an error say why (False)."""
    try:
        with db() as session:
            change(session)
    except TASK_ERRORS as exc:
        ui.notify(f"{page.t(failed)} {exc}", type="negative")
        return False
    if done is not None:
        ui.notify(page.t(done), type="positive")
    return True


def complete_dialog(
    page: PageContext, task_id: int, on_done: Callable[[], object]
) -> None:
    """Ask for the outcome of a task, then complete it."""
    t = page.t
    with ui.dialog() as dialog, ui.card().classes("min-w-[320px]"):
        ui.label(t("task.complete")).classes("text-h6")
        outcome = (
            ui.textarea(t("task.outcome"))
            .classes("w-full")
            .props('data-testid="outcome"')
            .mark("outcome")
        )

        def finish() -> None:
            if attempt(
                page,
                lambda session: changes.complete_task(
                    session, task_id, page.principal, outcome.value or None
                ),
                "task.completed",
            ):
                dialog.close()
                on_done()

        with ui.row().classes("w-full justify-end"):
            ui.button(t("common.back"), on_click=dialog.close).props("flat")
            ui.button(t("task.complete"), on_click=finish).props(
                'color=positive data-testid="confirm-complete"'
            ).mark("confirm-complete")
    dialog.open()
