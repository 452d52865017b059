"""Health scorecards, for admins: the list, export and import.

Each row opens the editor in ``scorecard_editor.py``, which also reuses this module's
admin check, error box and paths.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from tenure.auth.scope import can
from tenure.health import service as health
from tenure.health.schemas import ScorecardRead
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame, open_page

log = logging.getLogger(__name__)

SEGMENT_FIELDS = ("industry", "region", "tier", "size", "plan")
LIST_PATH = "/health/scorecards"


def admin_page(request: Request) -> PageContext | RedirectResponse | None:
    """The page context for an admin; None (after saying so) for anyone else."""
    page = open_page(request)
    if isinstance(page, RedirectResponse) or can(page.principal, "manage_health"):
        return page
    with frame(page, "nav.scorecards"):
        ui.label(page.t("scorecards.admin_only")).classes("text-h6").props(
            'data-testid="admin-only"'
        ).mark("admin-only")
    return None


def _segment_text(t: Callable[..., str], card: ScorecardRead) -> str:
    """Which accounts a scorecard is for, in words."""
    given = card.segment.model_dump(mode="json", exclude_none=True)
    if not given:
        return t("scorecards.everyone")
    return "; ".join(
        f"{t('dim.' + k) if k in SEGMENT_FIELDS else k}: "
        + (", ".join(map(str, v)) if isinstance(v, list) else json.dumps(v))
        for k, v in given.items()
    )


def error_box(title: str, message: str, testid: str) -> None:
    """Show every problem of a refused change, one per line."""
    box = ui.card().classes("w-full bg-red-1").props(f'flat data-testid="{testid}"')
    with box.mark(testid):
        ui.label(title).classes("text-bold text-negative")
        for line in message.split("; "):
            ui.label(line).classes("text-body2 text-negative").style(
                "word-break: break-word"
            )


def scorecards_page(request: Request) -> RedirectResponse | None:
    """Every scorecard, with export, import and a way to each editor."""
    page = admin_page(request)
    if not isinstance(page, PageContext):
        return page
    t = page.t
    with db() as session:
        cards = health.list_scorecards(session)
    rows = [
        {
            "id": card.id,
            "name": card.name,
            "segment": _segment_text(t, card),
            "priority": card.priority,
            "default": "✓" if card.is_default else "",
            "active": "✓" if card.active else "✗",
            "version": card.version,
        }
        for card in cards
    ]
    columns = [
        {"name": n, "label": t(f"scorecards.{n}"), "field": n, "align": "left"}
        for n in ("name", "segment", "priority", "default", "active", "version")
    ]

    def export() -> None:
        with db() as session:
            document = health.export_scorecards(session)
        body = json.dumps(document, ensure_ascii=False, indent=2).encode()
        ui.download.content(body, "scorecards.json", "application/json")

    with frame(page, "nav.scorecards"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.button(
                t("scorecards.new"),
                icon="add",
                on_click=lambda: ui.navigate.to(f"{LIST_PATH}/new"),
            ).props('dense data-testid="new-scorecard"').mark("new-scorecard")
            ui.button(t("scorecards.export"), icon="download", on_click=export).props(
                'outline dense data-testid="export-scorecards"'
            ).mark("export-scorecards")
        table = ui.table(columns=columns, rows=rows, row_key="id").classes("w-full")
        table.props('flat bordered dense wrap-cells data-testid="scorecards"')
        table.mark("scorecards")
        table.on(
            "row-click", lambda e: ui.navigate.to(f"{LIST_PATH}/{e.args[1]['id']}")
        )
        _import_card(page)
    return None


def _import_card(page: PageContext) -> None:
    """The upload of a JSON document of scorecards, with its replace checkbox."""
    t = page.t
    with ui.card().classes("w-full"):
        ui.label(t("scorecards.import")).classes("text-subtitle1")
        replace = ui.checkbox(t("scorecards.replace")).props(
            'data-testid="import-replace"'
        )
        replace.mark("import-replace")
        outcome = ui.column().classes("w-full")

        async def received(event: events.UploadEventArguments) -> None:
            outcome.clear()
            text = await event.file.text()
            with outcome:
                try:
                    document = json.loads(text)
                except ValueError as exc:
                    error_box(t("scorecards.import_failed"), str(exc), "import-errors")
                    return
                if not isinstance(document, dict):
                    error_box(
                        t("scorecards.import_failed"),
                        t("scorecards.not_object"),
                        "import-errors",
                    )
                    return
                try:
                    result = _import(page, document, bool(replace.value))
                except health.HealthError as exc:
                    error_box(t("scorecards.import_failed"), str(exc), "import-errors")
                    return
            ui.notify(
                t(
                    "scorecards.imported",
                    created=len(result.created),
                    updated=len(result.updated),
                    unchanged=len(result.unchanged),
                    deleted=len(result.deleted),
                ),
                type="positive",
            )
            ui.navigate.to(LIST_PATH)

        upload = ui.upload(on_upload=received, auto_upload=True, max_files=1)
        upload.props('accept=".json,application/json" data-testid="import-file"')
        upload.classes("w-full").mark("import-file")


def _import(
    page: PageContext, document: dict[str, Any], replace: bool
) -> health.ImportResult:
    """Import in a transaction of its own: an error leaves everything as it was."""
    with db() as session:
        return health.import_scorecards(
            session, document, replace=replace, by=page.principal.user_id
        )
