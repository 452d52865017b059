"""Saved segments and tiers, for those who manage operations."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from pydantic import ValidationError

from tenure.auth.scope import owner_scope
from tenure.revenue.loading import today
from tenure.segments import service as segments
from tenure.segments import tiers
from tenure.segments.schemas import SegmentSpec, TierSpec
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame
from tenure.web.pages.ops_common import (
    FieldError,
    Problems,
    json_area,
    operations_page,
    read_json,
)

log = logging.getLogger(__name__)

SEGMENT_ERRORS = (FieldError, ValidationError, ValueError, LookupError)
PREVIEW_ROWS = 20


def segments_page(request: Request) -> RedirectResponse | None:
    """The saved segments with their sizes, an editor for each, and the tier list."""
    page = operations_page(request, "segments.title")
    if not isinstance(page, PageContext):
        return page
    t = page.t
    with db() as session:
        rows = segments.list_segments(session)
        tier_rules = [
            {"tier": r.tier, "priority": r.priority, "definition": r.definition}
            for r in tiers.list_tier_rules(session)
        ]
    with frame(page, "nav.segments"):
        ui.label(t("segments.title")).classes("text-h6")
        columns = [
            {"name": "key", "label": t("segments.key"), "field": "key",
             "align": "left"},
            {"name": "name", "label": t("ops.name"), "field": "name", "align": "left"},
            {"name": "members", "label": t("segments.members"), "field": "members"},
        ]  # fmt: skip
        table = ui.table(
            columns=columns,
            rows=[
                {"key": r["key"], "name": r["name"], "members": r["members"]}
                for r in rows
            ],
            row_key="key",
        ).classes("w-full")
        table.props('flat bordered dense data-testid="segments"')
        editor = ui.column().classes("w-full")

        def edit(row: dict[str, Any] | None) -> None:
            editor.clear()
            with editor:
                _segment_editor(page, row)

        table.on(
            "row-click",
            lambda e: edit(next(r for r in rows if r["key"] == e.args[1]["key"])),
        )
        ui.button(t("ops.new"), icon="add", on_click=lambda: edit(None)).props(
            'outline data-testid="new-segment"'
        )
        ui.separator()
        _tiers(page, tier_rules)
    return None


def _segment_editor(page: PageContext, row: dict[str, Any] | None) -> None:
    t = page.t
    start = row or {"key": "", "name": "", "description": None, "definition": {}}
    with ui.card().classes("w-full gap-2"):
        with ui.row().classes("w-full gap-2"):
            key = ui.input(t("segments.key"), value=start["key"]).props(
                'dense data-testid="segment-key"'
            )
            if row is not None:
                key.disable()
            name = (
                ui.input(t("ops.name"), value=start["name"])
                .classes("grow")
                .props('dense data-testid="segment-name"')
            )
        description = ui.input(
            t("ops.description"), value=start.get("description") or ""
        ).classes("w-full")
        definition = json_area(
            t("segments.definition"), start["definition"], "segment-definition", 8
        )
        problems = Problems(t("ops.failed"), "segment-errors")
        result = ui.column().classes("w-full")

        def spec() -> SegmentSpec:
            return SegmentSpec.model_validate(
                {
                    "key": key.value or "",
                    "name": name.value or "",
                    "description": description.value or None,
                    "definition": read_json(definition, "definition"),
                }
            )

        def save() -> None:
            try:
                checked = spec()
                with db() as session:
                    if row is None:
                        segments.create_segment(
                            session, checked, page.principal.user_id
                        )
                    else:
                        segments.update_segment(
                            session, row["key"], checked, page.principal.user_id
                        )
            except SEGMENT_ERRORS as exc:
                problems.show(exc)
                return
            ui.notify(t("ops.saved"), type="positive")
            ui.navigate.reload()

        def preview() -> None:
            try:
                checked = spec()
                with db() as session:
                    found = segments.members(
                        session,
                        checked.definition,
                        today(session),
                        owner_scope(session, page.principal),
                    )
            except SEGMENT_ERRORS as exc:
                problems.show(exc)
                return
            problems.clear()
            result.clear()
            with result:
                ui.label(f"{t('segments.members')}: {len(found)}").props(
                    'data-testid="segment-count"'
                )
                for member in found[:PREVIEW_ROWS]:
                    ui.link(member["name"], f"/customers/{member['account_id']}")

        def delete() -> None:
            if row is None:
                return
            try:
                with db() as session:
                    segments.delete_segment(session, row["key"])
            except SEGMENT_ERRORS as exc:
                problems.show(exc)
                return
            ui.navigate.reload()

        with ui.row().classes("gap-2"):
            ui.button(t("ops.save"), on_click=save).props('data-testid="save-segment"')
            ui.button(t("ops.preview"), on_click=preview).props(
                'outline data-testid="preview-segment"'
            )
            if row is not None:
                ui.button(t("ops.delete"), on_click=delete).props("flat color=negative")


def _tiers(page: PageContext, rules: list[dict[str, Any]]) -> None:
    t = page.t
    ui.label(t("segments.tiers")).classes("text-h6")
    ui.label(t("segments.tiers_help")).classes("text-caption text-grey-7")
    area = json_area(t("segments.tiers"), rules, "tier-rules", 14)
    problems = Problems(t("ops.failed"), "tier-errors")

    def save() -> None:
        try:
            data = read_json(area, "tiers") or []
            if not isinstance(data, list):
                raise FieldError("tiers: must be a list, in order")
            specs = [TierSpec.model_validate(item) for item in data]
            with db() as session:
                tiers.replace_tier_rules(session, specs)
                tiers.assign_tiers(session, today(session))
        except SEGMENT_ERRORS as exc:
            problems.show(exc)
            return
        ui.notify(t("ops.saved"), type="positive")
        ui.navigate.reload()

    ui.button(t("ops.save"), on_click=save).props('data-testid="save-tiers"')
