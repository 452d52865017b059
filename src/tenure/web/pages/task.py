"""One task: what and why, its fields to change, comments and history."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import can
from tenure.tasks import changes
from tenure.tasks.models import PRIORITIES, TYPES
from tenure.tasks.reads import NotFound, task_detail
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.tasks import assignable
from tenure.web.pages.work_common import attempt, complete_dialog, options

log = logging.getLogger(__name__)

# Signal keys that say which rule fired, shown apart from the measured values.
RULE_KEYS = ("rule_id", "rule_name", "rule_version", "evaluated_on", "rule")


def task_page(request: Request, task_id: str) -> RedirectResponse | None:
    """The task's page."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with frame(page, "nav.tasks"):
        if not task_id.isdigit():
            _missing(page)
            return None
        TaskView(page, int(task_id)).show()
    return None


def _missing(page: PageContext) -> None:
    ui.label(page.t("task.not_found")).classes("text-h6").props(
        'data-testid="not-found"'
    )
    ui.link(page.t("common.back"), "/tasks")


class TaskView:
    """One task on one page, redrawn after each change."""

    def __init__(self, page: PageContext, task_id: int) -> None:
        self.page = page
        self.task_id = task_id

    @ui.refreshable_method
    def show(self) -> None:
        """Draw the task, the reason it exists, its fields, comments and history."""
        _task(self)


def _task(view: TaskView) -> None:
    page, task_id = view.page, view.task_id
    t = page.t
    try:
        with db() as session:
            task = task_detail(session, task_id, page.principal)
            people = assignable(session, page)
    except NotFound:
        _missing(page)
        return
    is_open = task["status"] in ("open", "in_progress")
    with ui.card().classes("w-full").props('data-testid="task"'):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(task["title"]).classes("text-h6").props('data-testid="task-title"')
            ui.space()
            ui.chip(t(f"taskstatus.{task['status']}")).props(
                'dense data-testid="task-status"'
            ).mark("task-status")
        with ui.row().classes("gap-4 text-body2"):
            ui.link(task["account_name"], f"/customers/{task['account_id']}").props(
                'data-testid="task-account"'
            )
            ui.label(f"{t('task.type')}: {t('tasktype.' + task['type'])}")
            ui.label(f"{t('task.source')}: {t('source.' + task['source'])}")
            if task.get("playbook"):
                ui.label(f"{t('task.playbook')}: {task['playbook']}")
        if task.get("description"):
            ui.markdown(task["description"]).classes("text-body2")
        if task.get("outcome"):
            ui.label(f"{t('task.outcome')}: {task['outcome']}").classes("text-body2")
        _actions(view, task, is_open)
    _why(page, task)
    if is_open and can(page.principal, "work_tasks"):
        _fields(view, task, people)
    _comments(view, task)
    _history(page, task)


def _actions(view: TaskView, task: dict[str, Any], is_open: bool) -> None:
    page = view.page
    t = page.t
    if not can(page.principal, "work_tasks"):
        return

    def set_status(status: str) -> None:
        _change(view, status=status)

    with ui.row().classes("gap-2"):
        if is_open:
            ui.button(
                t("task.complete"),
                icon="check",
                on_click=lambda: complete_dialog(page, task["id"], view.show.refresh),
            ).props('color=positive data-testid="complete"').mark("complete")
            if task["status"] == "open":
                ui.button(
                    t("task.start"), on_click=lambda: set_status("in_progress")
                ).props('outline data-testid="start"')
            ui.button(t("task.cancel"), on_click=lambda: set_status("cancelled")).props(
                'flat color=negative data-testid="cancel"'
            )
        else:
            ui.button(t("task.reopen"), on_click=lambda: set_status("open")).props(
                'outline data-testid="reopen"'
            )


def _change(view: TaskView, **values: Any) -> None:
    page = view.page
    if attempt(
        page,
        lambda session: changes.update_task(
            session, view.task_id, page.principal, **values
        ),
        "task.saved",
    ):
        view.show.refresh()


def _why(page: PageContext, task: dict[str, Any]) -> None:
    """Show what created the task: the rule and the values that fired it."""
    t = page.t
    signal = task.get("signal") or {}
    with ui.card().classes("w-full").props('data-testid="why"').mark("why"):
        ui.label(t("task.why")).classes("text-subtitle1")
        rule = task.get("rule")
        if rule:
            ui.link(f"{t('task.rule')}: {rule['name']}", f"/rules/{rule['id']}")
        values = {k: v for k, v in signal.items() if k not in RULE_KEYS}
        if not values and not rule:
            ui.label(t("task.signal_none")).classes("text-grey-7")
            return
        with ui.grid(columns=2).classes("gap-x-6 gap-y-0 text-body2"):
            for key, value in values.items():
                ui.label(key.replace("_", " ")).classes("text-grey-8")
                ui.label(_value_text(value)).props(f'data-testid="signal-{key}"')


def _value_text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    return str(value)


def _fields(view: TaskView, task: dict[str, Any], people: dict[str, str]) -> None:
    page = view.page
    t = page.t
    with ui.card().classes("w-full"), ui.row().classes("w-full items-end gap-3"):
        priority = (
            ui.select(
                options(t, "priority", PRIORITIES),
                value=task["priority"],
                label=t("task.priority"),
            )
            .props("dense")
            .classes("min-w-[120px]")
        )
        kind = (
            ui.select(
                options(t, "tasktype", TYPES), value=task["type"], label=t("task.type")
            )
            .props("dense")
            .classes("min-w-[120px]")
        )
        due = ui.input(
            t("task.due"), value=str(task["due"]) if task["due"] else ""
        ).props('dense type=date data-testid="task-due"')
        assignee = None
        if can(page.principal, "assign_tasks"):
            current = str(task["assignee_id"]) if task.get("assignee_id") else None
            assignee = (
                ui.select(people, value=current, label=t("task.assignee"))
                .props('dense data-testid="task-assignee"')
                .classes("min-w-[160px]")
            )
        personal = ui.checkbox(t("task.personal"), value=bool(task["personal"]))

        def save() -> None:
            values: dict[str, Any] = {
                "priority": priority.value,
                "type": kind.value,
                "personal": bool(personal.value),
                "due_on": dt.date.fromisoformat(due.value) if due.value else None,
            }
            if assignee is not None and assignee.value:
                values["assignee_id"] = int(assignee.value)
            _change(view, **values)

        ui.button(t("task.save"), on_click=save).props('data-testid="save-task"')


def _comments(view: TaskView, task: dict[str, Any]) -> None:
    page = view.page
    t = page.t
    with ui.card().classes("w-full").props('data-testid="comments"'):
        ui.label(t("task.comments")).classes("text-subtitle1")
        for comment in task["comments"]:
            with ui.column().classes("gap-0"):
                when = f"{comment['created_at']:%Y-%m-%d %H:%M}"
                ui.label(f"{comment['author'] or ''} · {when}").classes(
                    "text-caption text-grey-7"
                )
                ui.label(comment["body"]).classes("text-body2")
        if not can(page.principal, "work_tasks"):
            return
        body = (
            ui.textarea(t("task.comment"))
            .classes("w-full")
            .props('data-testid="comment-body"')
            .mark("comment-body")
        )

        def post() -> None:
            if not (body.value or "").strip():
                return
            if attempt(
                page,
                lambda session: changes.add_comment(
                    session, task["id"], page.principal, body.value
                ),
            ):
                view.show.refresh()

        ui.button(t("task.post"), on_click=post).props('data-testid="post-comment"')


def _history(page: PageContext, task: dict[str, Any]) -> None:
    t = page.t
    with (
        ui.expansion(t("task.history"), icon="history")
        .classes("w-full")
        .props('data-testid="history"')
    ):
        for entry in task["history"]:
            change = ""
            if entry.get("field"):
                old, new = entry.get("old") or "–", entry.get("new") or "–"
                change = f"{entry['field']}: {old} → {new}"
            ui.label(
                " · ".join(
                    part
                    for part in (
                        f"{entry['at']:%Y-%m-%d %H:%M}",
                        entry["actor"] or t("task.by_tenure"),
                        entry["action"],
                        change,
                        entry.get("note") or "",
                    )
                    if part
                )
            ).classes("text-caption")
