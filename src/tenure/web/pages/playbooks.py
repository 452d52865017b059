"""Playbooks (业务流程), for those who manage operations: the list and the editor."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from pydantic import ValidationError

from tenure.playbooks import service as playbooks
from tenure.playbooks.models import KINDS
from tenure.playbooks.schemas import PlaybookSpec
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame
from tenure.web.pages.ops_common import (
    FieldError,
    Problems,
    delete_record,
    json_area,
    operations_page,
    read_json,
    save_record,
)

log = logging.getLogger(__name__)

LIST_PATH = "/playbooks"
EXAMPLE_STEPS = [
    {"title": "Kick-off call", "type": "onboarding", "due_offset_days": 0,
     "assignee": "owner", "priority": "high"},
    {"title": "Admin training", "type": "onboarding", "due_offset_days": 7,
     "assignee": "owner"},
]  # fmt: skip
PLAYBOOK_ERRORS = (FieldError, ValidationError, ValueError, LookupError)


def playbooks_page(request: Request) -> RedirectResponse | None:
    """Every playbook with its kind, steps, version and runs under way."""
    page = operations_page(request, "playbooks.title")
    if not isinstance(page, PageContext):
        return page
    t = page.t
    with db() as session:
        rows = playbooks.list_playbooks(session)
    with frame(page, "playbooks.title"):
        ui.button(
            t("ops.new"), icon="add", on_click=lambda: ui.navigate.to("/playbooks/new")
        ).props('data-testid="new-playbook"')
        columns = [
            {"name": "name", "label": t("ops.name"), "field": "name", "align": "left"},
            {"name": "kind", "label": t("playbooks.kind"), "field": "kind",
             "align": "left"},
            {"name": "steps", "label": t("playbooks.steps"), "field": "steps"},
            {"name": "active_runs", "label": t("playbooks.active_runs"),
             "field": "active_runs"},
            {"name": "version", "label": t("playbooks.version"), "field": "version"},
            {"name": "active", "label": t("ops.active"), "field": "active_text"},
        ]  # fmt: skip
        table = ui.table(
            columns=columns,
            rows=[
                {
                    "id": row["id"],
                    "name": row["name"],
                    "kind": row["kind"],
                    "steps": len(row["steps"]),
                    "active_runs": row["active_runs"],
                    "version": row["version"],
                    "active_text": "✓" if row["active"] else "✗",
                }
                for row in rows
            ],
            row_key="id",
        ).classes("w-full")
        table.props('flat bordered dense data-testid="playbooks-table"')
        table.on("row-click", lambda e: ui.navigate.to(f"/playbooks/{e.args[1]['id']}"))
    return None


def new_playbook_page(request: Request) -> RedirectResponse | None:
    """The editor of a playbook not yet created."""
    page = operations_page(request, "playbooks.title")
    if not isinstance(page, PageContext):
        return page
    start: dict[str, Any] = {
        "name": "",
        "kind": "onboarding",
        "description": None,
        "active": True,
        "applies_to": {},
        "steps": EXAMPLE_STEPS,
    }
    with frame(page, "playbooks.title"):
        _editor(page, None, start)
    return None


def playbook_page(request: Request, playbook_id: str) -> RedirectResponse | None:
    """The editor of one playbook."""
    page = operations_page(request, "playbooks.title")
    if not isinstance(page, PageContext):
        return page
    found: dict[str, Any] | None = None
    if playbook_id.isdigit():
        with db() as session:
            try:
                found = playbooks.playbook_spec(session, int(playbook_id))
            except LookupError:
                found = None
    with frame(page, "playbooks.title"):
        if found is None:
            ui.label(page.t("ops.not_found")).classes("text-h6").props(
                'data-testid="not-found"'
            )
            return None
        _editor(page, int(playbook_id), found)
    return None


def _editor(page: PageContext, playbook_id: int | None, start: dict[str, Any]) -> None:
    t = page.t
    with ui.card().classes("w-full gap-2"):
        with ui.row().classes("w-full items-center gap-4"):
            name = (
                ui.input(t("ops.name"), value=start["name"])
                .classes("grow")
                .props('data-testid="playbook-name"')
            )
            kind = (
                ui.select(list(KINDS), value=start["kind"], label=t("playbooks.kind"))
                .props("dense")
                .classes("min-w-[160px]")
            )
            active = ui.switch(t("ops.active"), value=bool(start["active"]))
        description = (
            ui.textarea(t("ops.description"), value=start.get("description") or "")
            .classes("w-full")
            .props("autogrow")
        )
        applies = json_area(
            t("playbooks.applies_to"), start["applies_to"], "playbook-applies", 4
        )
        ui.label(t("playbooks.steps_help")).classes("text-caption text-grey-7")
        steps = json_area(t("playbooks.steps"), start["steps"], "playbook-steps", 14)
        problems = Problems(t("ops.failed"), "playbook-errors")

        def spec() -> PlaybookSpec:
            return PlaybookSpec.model_validate(
                {
                    "name": name.value or "",
                    "kind": kind.value,
                    "description": description.value or None,
                    "active": bool(active.value),
                    "applies_to": read_json(applies, "applies_to"),
                    "steps": read_json(steps, "steps") or [],
                }
            )

        def save() -> None:
            save_record(
                page, problems, PLAYBOOK_ERRORS, LIST_PATH, playbook_id, spec,
                playbooks.create_playbook, playbooks.update_playbook,
            )  # fmt: skip

        def delete() -> None:
            delete_record(page, LIST_PATH, playbook_id, playbooks.delete_playbook)

        with ui.row().classes("gap-2"):
            ui.button(t("ops.save"), on_click=save).props('data-testid="save-playbook"')
            if playbook_id is not None:
                ui.button(t("ops.delete"), on_click=delete).props(
                    'flat color=negative data-testid="delete-playbook"'
                )
