"""The scorecard editor, for admins: create, change or delete one scorecard.

The list of scorecards and their export and import live in ``scorecards.py``; this
module is the form behind each row. Scalars, segment and bands are form fields; the
measures and exceptions are JSON text areas checked as they change.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.accounts.service import filter_options
from tenure.health import service as health
from tenure.health.defaults import DEFAULT_DEFINITION
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame
from tenure.web.pages.health import band_text
from tenure.web.pages.scorecards import (
    LIST_PATH,
    SEGMENT_FIELDS,
    admin_page,
    error_box,
)

log = logging.getLogger(__name__)


def new_scorecard_page(request: Request) -> RedirectResponse | None:
    """The editor of a scorecard not yet created, starting from the default one."""
    page = admin_page(request)
    if not isinstance(page, PageContext):
        return page
    start = {
        "name": "",
        "priority": 100,
        "is_default": False,
        "active": True,
        "segment": {},
        "definition": DEFAULT_DEFINITION,
    }
    with frame(page, "scorecards.new"):
        _editor(page, None, start)
    return None


def scorecard_page(request: Request, scorecard_id: str) -> RedirectResponse | None:
    """The editor of one scorecard."""
    page = admin_page(request)
    if not isinstance(page, PageContext):
        return page
    found = None
    if scorecard_id.isdigit():
        with db() as session:
            cards = health.list_scorecards(session)
        found = next((c for c in cards if c.id == int(scorecard_id)), None)
    with frame(page, "scorecards.edit"):
        if found is None:
            ui.label(page.t("scorecards.not_found")).classes("text-h6").props(
                'data-testid="not-found"'
            )
            ui.link(page.t("common.back"), LIST_PATH)
            return None
        spec = found.model_dump(mode="json", by_alias=True, exclude_none=True)
        _editor(page, found.id, spec)
    return None


def _editor(page: PageContext, scorecard_id: int | None, spec: dict[str, Any]) -> None:
    """Form fields for the scalars, segment and bands; JSON for measures."""
    t = page.t
    definition = spec["definition"]
    segment = dict(spec.get("segment") or {})
    with db() as session:
        options = filter_options(session, None)
    with ui.card().classes("w-full"):
        name = ui.input(t("scorecards.name"), value=spec["name"]).classes("w-full")
        name.props('data-testid="scorecard-name"').mark("scorecard-name")
        with ui.row().classes("w-full items-center gap-4"):
            priority = ui.number(
                t("scorecards.priority"), value=spec["priority"], min=0, precision=0
            ).props(f'dense hint="{t("scorecards.priority_hint")}"')
            priority.mark("scorecard-priority")
            is_default = ui.checkbox(t("scorecards.default"), value=spec["is_default"])
            is_default.mark("scorecard-default")
            active = ui.checkbox(t("scorecards.active"), value=spec["active"])
    with ui.card().classes("w-full"):
        ui.label(t("scorecards.segment")).classes("text-subtitle1")
        ui.label(t("scorecards.any_value")).classes("text-caption text-grey-7")
        pickers = {}
        with ui.row().classes("w-full gap-2"):
            for field in SEGMENT_FIELDS:
                chosen = segment.pop(field, None) or []
                pickers[field] = (
                    ui.select(
                        sorted({*options.get(field, []), *chosen}),
                        value=chosen,
                        label=t(f"dim.{field}"),
                        multiple=True,
                        new_value_mode="add-unique",
                    )
                    .classes("min-w-[160px] grow")
                    .props(f'dense use-chips use-input data-testid="segment-{field}"')
                    .mark(f"segment-{field}")
                )
        other = _json_field(
            t, t("scorecards.other_segment"), segment, dict, "segment-other", rows=2
        )
    with ui.card().classes("w-full"):
        ui.label(t("scorecards.bands")).classes("text-subtitle1")
        bands = definition.get("bands") or [
            {"name": b, "label": {"en": b, "zh-CN": b}, "min": m}
            for b, m in (("red", 0), ("yellow", 40), ("green", 70))
        ]
        minimums = []
        with ui.row().classes("w-full gap-2"):
            for band in bands:
                label = band["label"].get("zh-CN" if page.locale == "zh-CN" else "en")
                minimums.append(
                    ui.number(label or band_text(t, band["name"]), value=band["min"])
                    .props(f'dense data-testid="band-{band["name"]}"')
                    .classes("w-28")
                    .mark(f"band-{band['name']}")
                )
        minimum = definition.get("minimum") or {"weight_share": 0.5, "measures": 2}
        ui.label(t("scorecards.minimum")).classes("text-subtitle2")
        with ui.row().classes("w-full gap-2"):
            share = (
                ui.number(t("scorecards.weight_share"), value=minimum["weight_share"])
                .props("dense")
                .classes("min-w-[200px]")
            )
            needed = (
                ui.number(
                    t("scorecards.min_measures"), value=minimum["measures"], precision=0
                )
                .props("dense")
                .classes("min-w-[160px]")
            )
    with ui.card().classes("w-full"):
        measures = _json_field(
            t, t("scorecards.measures"), definition["measures"], list, "measures"
        )
        exceptions = _json_field(
            t,
            t("scorecards.exceptions"),
            definition.get("exceptions", []),
            list,
            "exceptions",
            rows=8,
        )
    problems = ui.column().classes("w-full")

    def collect() -> dict[str, Any] | None:
        parsed = [field() for field in (other, measures, exceptions)]
        if any(value is None for value in parsed):
            return None
        extra, measure_list, exception_list = parsed
        chosen = {f: p.value for f, p in pickers.items() if p.value}
        return {
            "name": name.value or "",
            "priority": int(priority.value) if priority.value is not None else None,
            "is_default": bool(is_default.value),
            "active": bool(active.value),
            "segment": {**extra, **chosen},
            "definition": {
                "measures": measure_list,
                "bands": [
                    {**band, "min": box.value}
                    for band, box in zip(bands, minimums, strict=True)
                ],
                "minimum": {"weight_share": share.value, "measures": needed.value},
                "exceptions": exception_list,
            },
        }

    def save() -> None:
        problems.clear()
        data = collect()
        if data is None:
            return
        try:
            with db() as session:
                if scorecard_id is None:
                    health.create(session, data, by=page.principal.user_id)
                else:
                    health.update_scorecard(
                        session, scorecard_id, data, by=page.principal.user_id
                    )
        except health.HealthError as exc:
            with problems:
                error_box(t("scorecards.save_failed"), str(exc), "save-errors")
            return
        ui.notify(t("health.saved"), type="positive")
        ui.navigate.to(LIST_PATH)

    with ui.row().classes("w-full gap-2"):
        ui.button(t("health.save"), icon="save", on_click=save).props(
            'data-testid="save-scorecard"'
        ).mark("save-scorecard")
        ui.button(
            t("scorecards.cancel"), on_click=lambda: ui.navigate.to(LIST_PATH)
        ).props("flat")
        if scorecard_id is not None:
            ui.space()
            _delete_button(page, scorecard_id, spec["name"], problems)


def _json_field(
    t: Callable[..., str],
    label: str,
    value: Any,
    kind: type,
    testid: str,
    rows: int = 16,
) -> Callable[[], Any]:
    """A JSON text area checked as it changes; returns a reader (None if invalid)."""
    area = ui.textarea(
        label, value=json.dumps(value, ensure_ascii=False, indent=2)
    ).classes("w-full")
    area.props(f'outlined rows={rows} data-testid="{testid}"').style(
        "font-family: monospace"
    )
    area.mark(testid)
    error = ui.label("").classes("text-negative text-body2")
    error.props(f'data-testid="{testid}-error"').mark(f"{testid}-error")

    def read() -> Any:
        try:
            parsed = json.loads(area.value or "")
        except ValueError as exc:
            error.set_text(t("scorecards.bad_json", error=str(exc)))
            return None
        if not isinstance(parsed, kind):
            key = "scorecards.not_list" if kind is list else "scorecards.not_object"
            error.set_text(t(key))
            return None
        error.set_text("")
        return parsed

    area.on_value_change(lambda _: read())
    return read


def _delete_button(
    page: PageContext, scorecard_id: int, name: str, problems: ui.column
) -> None:
    """A delete button that asks first; refusals are shown in ``problems``."""
    t = page.t
    with ui.dialog() as dialog, ui.card():
        ui.label(t("scorecards.confirm_delete", name=name))
        with ui.row():
            ui.button(t("scorecards.cancel"), on_click=dialog.close).props("flat")
            ui.button(
                t("scorecards.delete"), color="negative", on_click=lambda: remove()
            ).props('data-testid="confirm-delete"').mark("confirm-delete")

    def remove() -> None:
        dialog.close()
        problems.clear()
        try:
            with db() as session:
                health.delete_scorecard(session, scorecard_id)
        except health.HealthError as exc:
            with problems:
                error_box(t("scorecards.save_failed"), str(exc), "save-errors")
            return
        ui.notify(t("scorecards.deleted"))
        ui.navigate.to(LIST_PATH)

    ui.button(t("scorecards.delete"), icon="delete", on_click=dialog.open).props(
        'flat color=negative data-testid="delete-scorecard"'
    ).mark("delete-scorecard")
