"""Tasks: filter, sort and page every task in scope; reassign or complete in bulk."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth.scope import can, owner_scope
from tenure.revenue.loading import today
from tenure.staff.models import StaffUser
from tenure.tasks import changes
from tenure.tasks.models import PRIORITIES, SOURCES, TYPES
from tenure.tasks.reads import TaskQuery, list_tasks
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.work_common import TASK_ERRORS, due_text, options

log = logging.getLogger(__name__)

PAGE_SIZE = 50
STATES = ("open", "closed", "all")
SORTS = {"due": "due", "priority_text": "priority", "account_name": "account"}


def tasks_page(
    request: Request,
    mine: str | None = None,
    overdue: str | None = None,
    account: str | None = None,
    rule: str | None = None,
) -> RedirectResponse | None:
    """The task list; ``mine``, ``overdue``, ``account`` and ``rule`` preset filters."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        people = assignable(session, page)
        day = today(session)
    state: dict[str, Any] = {
        "state": "open",
        "types": (),
        "priorities": (),
        "assignee": page.principal.user_id if mine else None,
        "overdue": bool(overdue),
        "source": None,
        "account": account or None,
        "rule_id": int(rule) if rule and rule.isdigit() else None,
        "search": None,
        "sort": "due",
        "page": 1,
    }

    def query(page_number: int | None = None) -> TaskQuery:
        assignee = state["assignee"]
        return TaskQuery(
            state=state["state"],
            types=tuple(state["types"]),
            priorities=tuple(state["priorities"]),
            assignee_ids=(assignee,) if assignee else (),
            account=state["account"],
            source=state["source"],
            rule_id=state["rule_id"],
            overdue=state["overdue"],
            search=state["search"],
            sort=state["sort"],
            page=page_number or state["page"],
            page_size=PAGE_SIZE,
            today=day,
        )

    def load() -> None:
        with db() as session:
            result = list_tasks(session, query(), page.principal)
        table.rows = [_row(page, row) for row in result.rows]
        table.selected = []
        table.pagination = {
            "page": state["page"],
            "rowsPerPage": PAGE_SIZE,
            "rowsNumber": result.total,
            "sortBy": next((k for k, v in SORTS.items() if v == state["sort"]), "due"),
        }
        total.set_text(t("task.total", n=result.total))
        table.update()
        selected_changed()

    def set_filter(name: str, value: Any) -> None:
        state[name] = value if value not in ("", None) else None
        if name in ("types", "priorities"):
            state[name] = tuple(value or ())
        state["page"] = 1
        load()

    def on_request(event: events.GenericEventArguments) -> None:
        pagination = event.args["pagination"]
        state["sort"] = SORTS.get(pagination.get("sortBy") or "due", "due")
        state["page"] = int(pagination.get("page") or 1)
        load()

    def selected_changed() -> None:
        count = len(table.selected)
        picked.set_text(t("task.selected", n=count))
        bulk.set_visibility(count > 0)

    def apply_bulk(complete: bool) -> None:
        ids = [row["id"] for row in table.selected]
        target = reassign.value if not complete else None
        if not complete and not target:
            return
        try:
            with db() as session:
                count = changes.bulk_update(
                    session,
                    page.principal,
                    ids,
                    assignee_id=int(target) if target else None,
                    complete=complete,
                )
        except TASK_ERRORS as exc:
            ui.notify(f"{t('task.failed')} {exc}", type="negative", multi_line=True)
            return
        ui.notify(t("task.bulk_done", n=count), type="positive")
        load()

    with frame(page, "nav.tasks"):
        with ui.row().classes("w-full items-end gap-2"):
            ui.input(
                t("task.search"),
                on_change=lambda e: set_filter("search", (e.value or "").strip()),
            ).props('dense clearable debounce=300 data-testid="task-search"').mark(
                "task-search"
            )
            ui.select(
                options(t, "task.state", STATES),
                value="open",
                label=t("task.state"),
                on_change=lambda e: set_filter("state", e.value),
            ).props('dense data-testid="task-state"').classes("min-w-[110px]").mark(
                "task-state"
            )
            ui.select(
                options(t, "tasktype", TYPES),
                multiple=True,
                label=t("task.type"),
                on_change=lambda e: set_filter("types", e.value),
            ).props("dense use-chips").classes("min-w-[140px]")
            ui.select(
                options(t, "priority", PRIORITIES),
                multiple=True,
                label=t("task.priority"),
                on_change=lambda e: set_filter("priorities", e.value),
            ).props("dense use-chips").classes("min-w-[140px]")
            ui.select(
                {"": t("common.all"), **people},
                value=str(state["assignee"] or ""),
                label=t("task.assignee"),
                on_change=lambda e: set_filter(
                    "assignee", int(e.value) if e.value else None
                ),
            ).props('dense data-testid="task-assignee"').classes("min-w-[160px]")
            ui.select(
                {"": t("common.all"), **options(t, "source", SOURCES)},
                value="",
                label=t("task.source"),
                on_change=lambda e: set_filter("source", e.value),
            ).props("dense").classes("min-w-[110px]")
            ui.checkbox(
                t("task.overdue_only"),
                value=state["overdue"],
                on_change=lambda e: set_filter("overdue", bool(e.value)),
            ).props('data-testid="overdue-only"')
        with ui.row().classes("w-full items-center gap-2"):
            total = ui.label("").props('data-testid="task-total"').mark("task-total")
            ui.space()
            bulk = ui.row().classes("items-center gap-2")
            with bulk:
                picked = ui.label("")
                if can(page.principal, "assign_tasks"):
                    reassign = (
                        ui.select(people, label=t("task.reassign_to"))
                        .props('dense data-testid="reassign-to"')
                        .classes("min-w-[160px]")
                    )
                    ui.button(
                        t("task.reassign"), on_click=lambda: apply_bulk(False)
                    ).props('outline dense data-testid="bulk-reassign"')
                ui.button(
                    t("task.complete_selected"), on_click=lambda: apply_bulk(True)
                ).props(
                    'outline dense color=positive data-testid="bulk-complete"'
                ).mark("bulk-complete")
        table = ui.table(
            columns=_columns(page),
            rows=[],
            row_key="id",
            selection="multiple",
            pagination={"page": 1, "rowsPerPage": PAGE_SIZE, "rowsNumber": 0},
            on_select=lambda _: selected_changed(),
        ).classes("w-full")
        table.props('flat bordered dense data-testid="tasks"')
        table.props(f':rows-per-page-options="[{PAGE_SIZE}]"')
        table.mark("tasks")
        table.on("request", on_request)
        table.on("row-click", lambda e: ui.navigate.to(f"/tasks/{e.args[1]['id']}"))
        load()
    return None


def assignable(session: Session, page: PageContext) -> dict[str, str]:
    """The active staff who can be given tasks, by id (as text), in scope."""
    owners = owner_scope(session, page.principal)
    query = select(StaffUser.id, StaffUser.name).where(
        StaffUser.is_active.is_(True),
        StaffUser.role.in_(("admin", "manager", "csm")),
    )
    if owners is not None:
        query = query.where(StaffUser.id.in_(sorted(owners)))
    return {str(i): name for i, name in session.execute(query.order_by(StaffUser.name))}


def _columns(page: PageContext) -> list[dict[str, Any]]:
    t = page.t
    return [
        {"name": "due", "label": t("task.due"), "field": "due_text", "sortable": True,
         "align": "left"},
        {"name": "priority_text", "label": t("task.priority"),
         "field": "priority_text", "sortable": True, "align": "left"},
        {"name": "type_text", "label": t("task.type"), "field": "type_text",
         "align": "left"},
        {"name": "title", "label": t("task.title"), "field": "title", "align": "left"},
        {"name": "account_name", "label": t("task.account"), "field": "account_name",
         "sortable": True, "align": "left"},
        {"name": "assignee_name", "label": t("task.assignee"),
         "field": "assignee_name", "align": "left"},
        {"name": "status_text", "label": t("task.status"), "field": "status_text",
         "align": "left"},
        {"name": "source_text", "label": t("task.source"), "field": "source_text",
         "align": "left"},
    ]  # fmt: skip


def _row(page: PageContext, row: dict[str, Any]) -> dict[str, Any]:
    t = page.t
    due: dt.date | None = row["due"]
    return {
        "id": row["id"],
        "due_text": due_text(page, due, row["overdue"]),
        "priority_text": t(f"priority.{row['priority']}"),
        "type_text": t(f"tasktype.{row['type']}"),
        "title": row["title"],
        "account_name": row["account_name"],
        "assignee_name": row["assignee_name"] or t("task.unassigned"),
        "status_text": t(f"taskstatus.{row['status']}"),
        "source_text": row["rule_name"] or t(f"source.{row['source']}"),
    }
