"""The customer 360's work: open tasks, playbook runs, the watch toggle, the timeline.

Forms appear by permission: those who work tasks add tasks and log activities; the
churn review form shows only for a churned customer.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from nicegui import ui

from tenure.auth.scope import can
from tenure.playbooks import service as playbooks
from tenure.revenue.loading import today
from tenure.segments import watch
from tenure.tasks import changes
from tenure.tasks.models import PRIORITIES, TYPES
from tenure.tasks.reads import TaskQuery, list_tasks
from tenure.web.context import db
from tenure.web.pages.common import PageContext
from tenure.web.pages.customer_timeline import draw_timeline
from tenure.web.pages.work_common import attempt, options, task_line

log = logging.getLogger(__name__)


def watch_toggle(page: PageContext, account: str, account_pk: int) -> None:
    """A star to add the customer to, or take it off, the user's watch list."""
    t = page.t
    with db() as session:
        watching = watch.is_watched(session, page.principal.user_id, account_pk)

    def flip() -> None:
        with db() as session:
            if watching:
                watch.unwatch(session, page.principal.user_id, account)
            else:
                watch.watch(session, page.principal.user_id, account)
        ui.navigate.reload()

    ui.button(
        t("watch.remove" if watching else "watch.add"),
        icon="star" if watching else "star_outline",
        on_click=flip,
    ).props('flat dense data-testid="watch"').mark("watch")


class CustomerWork:
    """The work cards of one customer's page, each refreshed on its own."""

    def __init__(
        self, page: PageContext, account: str, account_pk: int, churned: bool
    ) -> None:
        self.page = page
        self.account = account
        self.account_pk = account_pk
        self.churned = churned
        self.kinds: tuple[str, ...] = ()

    @ui.refreshable_method
    def tasks(self) -> None:
        """The customer's open tasks, and a form to add one."""
        _tasks(self)

    @ui.refreshable_method
    def playbooks(self) -> None:
        """The customer's playbook runs with their progress; start one by hand."""
        _playbooks(self)

    @ui.refreshable_method
    def timeline(self) -> None:
        """The timeline, newest first, filterable by kind; log an activity."""
        draw_timeline(self)


def _tasks(work: CustomerWork) -> None:
    page, account = work.page, work.account
    t = page.t
    with db() as session:
        found = list_tasks(
            session,
            TaskQuery(state="open", account=account, page_size=100),
            page.principal,
        )
    with ui.card().classes("grow basis-[360px]").props('data-testid="customer-tasks"'):
        with ui.row().classes("w-full items-center"):
            ui.label(t("customer.tasks")).classes("text-subtitle1")
            ui.space()
            ui.link(t("work.all_tasks"), f"/tasks?account={account}").classes(
                "text-caption"
            )
        if not found.rows:
            ui.label(t("task.none_open")).classes("text-grey-7")
        for row in found.rows:
            task_line(page, row, work.tasks.refresh)
        if can(page.principal, "work_tasks"):
            _new_task_form(work)


def _new_task_form(work: CustomerWork) -> None:
    page, account = work.page, work.account
    t = page.t
    with (
        ui.expansion(t("task.new"), icon="add_task")
        .classes("w-full")
        .props('dense data-testid="new-task"')
    ):
        title = (
            ui.input(t("task.title"))
            .classes("w-full")
            .props('dense data-testid="new-task-title"')
        )
        with ui.row().classes("w-full gap-2"):
            kind = (
                ui.select(
                    options(t, "tasktype", TYPES),
                    value="follow_up",
                    label=t("task.type"),
                )
                .props("dense")
                .classes("min-w-[130px]")
            )
            priority = (
                ui.select(
                    options(t, "priority", PRIORITIES),
                    value="normal",
                    label=t("task.priority"),
                )
                .props("dense")
                .classes("min-w-[110px]")
            )
            due = ui.input(t("task.due")).props("dense type=date")
        description = (
            ui.textarea(t("task.description")).classes("w-full").props("dense autogrow")
        )

        def create() -> None:
            day = dt.date.fromisoformat(due.value) if due.value else None
            if attempt(
                page,
                lambda session: changes.new_task(
                    session,
                    page.principal,
                    account=account,
                    type=kind.value,
                    title=title.value or "",
                    priority=priority.value,
                    due_on=day,
                    description=description.value or None,
                ),
                "task.created",
            ):
                work.tasks.refresh()

        ui.button(t("task.create"), on_click=create).props('data-testid="create-task"')


def _playbooks(work: CustomerWork) -> None:
    page, account, account_pk = work.page, work.account, work.account_pk
    t = page.t
    with db() as session:
        runs = playbooks.runs_for_account(session, account_pk)
        available = [p for p in playbooks.list_playbooks(session) if p["active"]]
    with ui.card().classes("grow basis-[360px]").props('data-testid="playbooks"'):
        ui.label(t("playbook.runs")).classes("text-subtitle1")
        if not runs:
            ui.label(t("playbook.none")).classes("text-grey-7")
        for run in runs:
            _run(page, run)
        if can(page.principal, "work_tasks") and available:
            with ui.row().classes("w-full items-end gap-2"):
                choice = (
                    ui.select(
                        {p["id"]: p["name"] for p in available},
                        label=t("playbook.start"),
                    )
                    .props('dense data-testid="playbook-choice"')
                    .classes("grow")
                )

                def start() -> None:
                    if choice.value is None:
                        return
                    chosen = int(choice.value)
                    if attempt(
                        page,
                        lambda session: playbooks.start_for(
                            session, page.principal, chosen, account, today(session)
                        ),
                        "playbook.started",
                    ):
                        work.playbooks.refresh()
                        work.tasks.refresh()

                ui.button(t("playbook.start"), on_click=start).props(
                    'outline dense data-testid="start-playbook"'
                )


def _run(page: PageContext, run: dict[str, Any]) -> None:
    t = page.t
    with ui.column().classes("w-full gap-1 q-mb-sm"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(run["name"]).classes("text-body1")
            ui.chip(t(f"playbook.status.{run['status']}")).props("dense outline")
            ui.space()
            ui.label(
                t("playbook.progress", done=run["done"], total=run["total"])
            ).classes("text-caption")
        ui.linear_progress(value=run["progress"], show_value=False).props(
            "rounded size=6px"
        )
        for step in run["steps"]:
            status = step["status"]
            icon = {"done": "check_circle", "cancelled": "cancel", "skipped": "redo"}
            with ui.row().classes("items-center gap-1 text-caption no-wrap"):
                ui.icon(icon.get(status, "radio_button_unchecked")).classes(
                    "text-positive" if status == "done" else "text-grey-6"
                )
                if step.get("task_id"):
                    ui.link(step["title"], f"/tasks/{step['task_id']}").classes(
                        "no-underline"
                    )
                else:
                    ui.label(f"{step['title']} ({t('playbook.skipped')})")
                if step.get("due"):
                    ui.label(str(step["due"])).classes("text-grey-7")
