"""工作台 — the workbench: a CSM's first page, or a manager's view of the team.

Tasks due today and overdue come first, then the book by health band, renewals in
the next 90 days, accounts that changed lately and the watch list; a team view adds
each person's open, overdue and recently completed tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.revenue.loading import today
from tenure.segments import watch
from tenure.tasks.reads import TaskQuery, list_tasks
from tenure.web.context import db
from tenure.web.i18n import money_text
from tenure.web.pages.common import PageContext, empty, figure, frame, link_query
from tenure.web.pages.common import open_page as open_context
from tenure.web.pages.health import band_chip, band_text
from tenure.web.pages.work_common import task_line
from tenure.workbench import service as bench

log = logging.getLogger(__name__)

DUE_LIMIT = 50
UPCOMING_DAYS = 14


def workbench_page(
    request: Request, view: str | None = None
) -> RedirectResponse | None:
    """The workbench in the "me" or "team" view."""
    page = open_context(request)
    if isinstance(page, RedirectResponse):
        return page
    chosen = view if view in bench.VIEWS else default_view(page)
    with frame(page, "nav.workbench"):
        _view_switch(page, chosen)
        Workbench(page, chosen).show()
    return None


def default_view(page: PageContext) -> str:
    """CSMs start with their own book; leaders with their team's."""
    return "me" if page.principal.role in ("csm", "viewer") else "team"


def _view_switch(page: PageContext, view: str) -> None:
    if page.principal.role == "csm":
        return
    t = page.t
    team_label = "work.team" if page.principal.role == "manager" else "work.company"
    ui.toggle(
        {"me": t("work.me"), "team": t(team_label)},
        value=view,
        on_change=lambda e: ui.navigate.to(f"/workbench{link_query(view=e.value)}"),
    ).props('dense no-caps data-testid="view"').mark("view")


class Workbench:
    """One user's workbench on one page; refreshed when a task is completed."""

    def __init__(self, page: PageContext, view: str) -> None:
        self.page = page
        self.view = view

    @ui.refreshable_method
    def show(self) -> None:
        """Draw the figures and every card."""
        _content(self)


def _content(bench_view: Workbench) -> None:
    page, view = bench_view.page, bench_view.view
    t = page.t
    with db() as session:
        day = today(session)
        book = bench.book_for(session, page.principal, view)
        numbers = bench.figures(session, book, day)
        assignees = tuple(sorted(book.people)) if book.people is not None else ()
        due = list_tasks(
            session,
            TaskQuery(
                state="open",
                assignee_ids=assignees,
                due_before=day,
                sort="priority",
                page_size=DUE_LIMIT,
                today=day,
            ),
            page.principal,
        )
        upcoming = list_tasks(
            session,
            TaskQuery(
                state="open",
                assignee_ids=assignees,
                due_after=day + dt.timedelta(days=1),
                due_before=day + dt.timedelta(days=UPCOMING_DAYS),
                sort="due",
                page_size=DUE_LIMIT,
                today=day,
            ),
            page.principal,
        )
        bands = bench.bands(session, book)
        renewals = bench.renewals(session, book, day)
        changes = bench.health_changes(session, book, day) + bench.mrr_changes(
            session, book, day
        )
        people = bench.team(session, book, day) if view == "team" else []
        watched = watch.watched(session, page.principal.user_id)
    tasks_link = "/tasks" + link_query(mine="1" if view == "me" else None)
    with ui.row().classes("w-full gap-2"):
        figure(t("work.open_tasks"), str(numbers["open_tasks"]), target=tasks_link,
               testid="open-tasks")  # fmt: skip
        figure(t("work.due_today"), str(numbers["due_today"]), testid="due-today")
        figure(
            t("work.overdue"),
            str(numbers["overdue"]),
            target="/tasks"
            + link_query(overdue="1", mine="1" if view == "me" else None),
            testid="overdue",
        )
        figure(t("work.customers"), f"{numbers['customers']:,}")
        figure(t("work.book_mrr"), money_text(numbers["mrr"], numbers["currency"]))
        figure(
            t("work.renewals_90"),
            str(numbers["renewals"]),
            note=money_text(numbers["renewal_amount"], numbers["currency"]),
        )
    with ui.row().classes("w-full gap-3 items-stretch"):
        with ui.card().classes("grow basis-[420px]").props('data-testid="todo"'):
            with ui.row().classes("w-full items-center"):
                ui.label(t("work.todo")).classes("text-subtitle1")
                ui.space()
                ui.link(t("work.all_tasks"), tasks_link).classes("text-caption")
            if not due.rows:
                ui.label(t("work.nothing_due")).classes("text-grey-7")
            for row in due.rows:
                task_line(page, row, bench_view.show.refresh)
            if upcoming.rows:
                ui.label(t("work.upcoming", n=UPCOMING_DAYS)).classes(
                    "text-subtitle2 q-mt-sm"
                )
            for row in upcoming.rows:
                task_line(page, row, bench_view.show.refresh)
        with ui.card().classes("grow basis-[260px]").props('data-testid="bands"'):
            ui.label(t("work.by_band")).classes("text-subtitle1")
            _bands(page, bands)
    with ui.row().classes("w-full gap-3 items-stretch"):
        with ui.card().classes("grow basis-[380px]").props('data-testid="renewals"'):
            ui.label(t("work.renewals")).classes("text-subtitle1")
            _renewals(page, renewals)
        with ui.card().classes("grow basis-[380px]").props('data-testid="changes"'):
            ui.label(t("work.changes")).classes("text-subtitle1")
            _changes(page, changes)
    with ui.row().classes("w-full gap-3 items-stretch"):
        with ui.card().classes("grow basis-[380px]").props('data-testid="watchlist"'):
            ui.label(t("work.watchlist")).classes("text-subtitle1")
            _watched(page, watched)
        if people:
            with ui.card().classes("grow basis-[380px]").props('data-testid="team"'):
                ui.label(t("work.team_table")).classes("text-subtitle1")
                _team(page, people)


def _bands(page: PageContext, bands: list[dict[str, Any]]) -> None:
    if not bands:
        empty(page)
        return
    for row in sorted(bands, key=lambda r: r["accounts"], reverse=True):
        target = "/health/customers" + link_query(band=row["band"], as_of=row["as_of"])
        with ui.link(target=target).classes("no-underline text-dark row items-center"):
            band_chip(page.t, row["band"])
            ui.label(str(row["accounts"])).classes("text-body1")


def _renewals(page: PageContext, rows: list[dict[str, Any]]) -> None:
    if not rows:
        empty(page)
        return
    for row in rows:
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.link(row["account_name"], f"/customers/{row['account_id']}").classes(
                "grow no-underline"
            )
            ui.label(str(row["due"])).classes("text-caption")
            ui.label(page.t("work.days_left", n=row["days_left"])).classes(
                "text-caption text-grey-7"
            )
            ui.label(money_text(row["amount"], row["currency"])).classes("text-body2")


def _changes(page: PageContext, rows: list[dict[str, Any]]) -> None:
    t = page.t
    if not rows:
        empty(page)
        return
    for row in rows:
        if row["change"] == "health":
            text = t(
                "work.health_change",
                old=band_text(t, row["from"]),
                new=band_text(t, row["to"]),
            )
        else:
            amount = money_text(row["amount"], row["currency"])
            text = f"{t('kind.' + row['change'])} {amount}"
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.link(row["account_name"], f"/customers/{row['account_id']}").classes(
                "grow no-underline"
            )
            ui.label(text).classes("text-caption")
            ui.label(str(row["on"])).classes("text-caption text-grey-7")


def _watched(page: PageContext, rows: list[dict[str, Any]]) -> None:
    if not rows:
        empty(page)
        return
    for row in rows:
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            ui.link(row["account_name"], f"/customers/{row['account_id']}").classes(
                "grow no-underline"
            )
            if row.get("band"):
                band_chip(page.t, row["band"])
            if row.get("reason"):
                ui.label(row["reason"]).classes("text-caption text-grey-7")


def _team(page: PageContext, rows: list[dict[str, Any]]) -> None:
    t = page.t
    columns = [
        {"name": "name", "label": t("common.name"), "field": "name", "align": "left"},
        {"name": "open", "label": t("work.open_tasks"), "field": "open"},
        {"name": "overdue", "label": t("work.overdue"), "field": "overdue"},
        {"name": "done_7d", "label": t("work.done_7d"), "field": "done_7d"},
    ]
    ui.table(columns=columns, rows=rows, row_key="user_id").props("flat dense").classes(
        "w-full"
    )
