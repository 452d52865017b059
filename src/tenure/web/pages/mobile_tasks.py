"""The phone pages of tasks: my tasks due (or my team's overdue ones) and one task.

A task is completed on its page with an outcome, through the same change as on the
full task page (``tenure.tasks.changes.complete_task``), so its history, timeline
entry and playbook progress follow as they do there.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import can, owner_scope
from tenure.briefing import reads
from tenure.tasks import changes
from tenure.tasks.models import OPEN_STATUSES
from tenure.tasks.reads import NotFound, TaskQuery, list_tasks, task_detail
from tenure.web.context import db
from tenure.web.pages.common import PageContext, open_page
from tenure.web.pages.mobile_common import (
    card,
    local_today,
    mobile_frame,
    not_found,
    note,
    reader,
    row,
    words,
)
from tenure.web.pages.work_common import attempt

log = logging.getLogger(__name__)

MOBILE_TASKS = 200


def _late(page: PageContext, due: dt.date | None, day: dt.date) -> str:
    """'due today', '3 days overdue' or the due date ahead."""
    if due is None:
        return "–"
    late = (day - due).days
    if late > 0:
        return words(page).count("brief.tasks.late", late)
    if late == 0:
        return page.t("brief.tasks.due_today")
    return page.t("m.due", date=due.isoformat())


def mobile_tasks(request: Request, view: str | None = None) -> RedirectResponse | None:
    """My open tasks due by today, overdue first; ``view=team``: the team's overdue."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    team = view == "team" and page.principal.role == "manager"
    with db() as session:
        day = local_today(session, reader(session, page))
        if team:
            people = owner_scope(session, page.principal) or frozenset()
            found = list_tasks(
                session,
                TaskQuery(assignee_ids=tuple(sorted(people)), overdue=True,
                          page_size=MOBILE_TASKS, today=day),
                page.principal,
            )  # fmt: skip
            rows = [_from_list(r) for r in found.rows]
            total = found.total
        else:
            due, total = reads.tasks_due(
                session, page.principal.user_id, day, limit=MOBILE_TASKS
            )
            rows = [
                {"id": r.id, "title": r.title, "account": r.account, "due": r.due_on}
                for r in due
            ]
    t = page.t
    title = t("m.team_overdue") if team else t("brief.section.tasks_due")
    with mobile_frame(page, title):
        summary = (
            words(page).count("brief.tasks.summary", total)
            if total
            else t("brief.tasks.none")
        )
        with card(title, summary, testid="tasks"):
            for task in rows:
                detail = f"{task['account']} · {_late(page, task['due'], day)}"
                if task.get("assignee"):
                    detail += f" · {task['assignee']}"
                row(task["title"], detail, f"/m/tasks/{task['id']}",
                    testid=f"task-{task['id']}", warn=task["due"] < day)  # fmt: skip
            if total > len(rows):
                note(t("brief.more", count=total - len(rows)))
    return None


def _from_list(found: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": found["id"],
        "title": found["title"],
        "account": found["account_name"],
        "due": found["due"],
        "assignee": found["assignee_name"],
    }


def mobile_task(request: Request, task_id: str) -> RedirectResponse | None:
    """One task, with a button to complete it and say how it went."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with mobile_frame(page, page.t("m.task"), back="/m/tasks"):
        if not task_id.isdigit():
            not_found(page, "task.not_found")
            return None
        MobileTask(page, int(task_id)).show()
    return None


class MobileTask:
    """One task on a phone, redrawn after it is completed."""

    def __init__(self, page: PageContext, task_id: int) -> None:
        self.page = page
        self.task_id = task_id

    @ui.refreshable_method
    def show(self) -> None:
        """Draw the task and, while it is open, the outcome box and complete button."""
        page = self.page
        t = page.t
        try:
            with db() as session:
                task = task_detail(session, self.task_id, page.principal)
                day = local_today(session, reader(session, page))
        except NotFound:
            not_found(page, "task.not_found")
            return
        with ui.card().classes("w-full q-pa-md gap-2").props('data-testid="task"'):
            ui.label(task["title"]).classes("text-h6 break-words").props(
                'data-testid="task-title"'
            )
            ui.link(task["account_name"], f"/m/customers/{task['account_id']}").classes(
                "text-body1"
            )
            ui.label(
                f"{t('taskstatus.' + task['status'])} · "
                f"{_late(page, task['due'], day)} · "
                f"{t('priority.' + task['priority'])}"
            ).classes("text-body1 text-grey-8").props('data-testid="task-status"')
            if task.get("description"):
                ui.label(task["description"]).classes("text-body1 break-words")
            if task.get("outcome"):
                ui.label(f"{t('task.outcome')}: {task['outcome']}").classes(
                    "text-body1"
                ).props('data-testid="task-outcome"')
        if task["status"] in OPEN_STATUSES and can(page.principal, "work_tasks"):
            self._complete_form()
        ui.link(t("m.full_task"), f"/tasks/{self.task_id}").classes(
            "text-body1 q-pa-sm"
        )

    def _complete_form(self) -> None:
        """An outcome box and a large complete button."""
        page = self.page
        t = page.t
        with ui.card().classes("w-full q-pa-md gap-2"):
            outcome = (
                ui.textarea(t("task.outcome"))
                .classes("w-full text-body1")
                .props('outlined autogrow data-testid="outcome"')
                .mark("outcome")
            )

            def complete() -> None:
                if attempt(
                    page,
                    lambda session: changes.complete_task(
                        session, self.task_id, page.principal, outcome.value or None
                    ),
                    "task.completed",
                ):
                    self.show.refresh()

            ui.button(t("task.complete"), icon="check", on_click=complete).classes(
                "w-full text-body1"
            ).props('color=positive size=lg data-testid="complete"').mark("complete")
