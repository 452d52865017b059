"""Rules, for those who manage operations: the list, the editor, preview, firings."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from pydantic import ValidationError

from tenure.auth.scope import owner_scope
from tenure.revenue.loading import today
from tenure.rules import service as rules
from tenure.rules.schemas import KINDS, RuleSpec
from tenure.segments import service as segments
from tenure.web.context import db
from tenure.web.pages.common import PageContext, empty, frame
from tenure.web.pages.ops_common import (
    FieldError,
    Problems,
    as_json,
    delete_record,
    json_area,
    operations_page,
    read_json,
    save_record,
)

log = logging.getLogger(__name__)

LIST_PATH = "/rules"
# What each trigger kind looks like, to start a new rule from.
EXAMPLE_TRIGGERS: dict[str, dict[str, Any]] = {
    "health_band": {"kind": "health_band", "direction": "falls", "to": ["red"]},
    "usage_change": {"kind": "usage_change", "field": "active_users",
                     "window_days": 7, "change_at_most": -0.3},
    "usage_threshold": {"kind": "usage_threshold", "field": "active_users",
                        "aggregate": "avg", "window_days": 30, "at_least": 50},
    "renewal_due": {"kind": "renewal_due", "within_days": 90},
    "contract_ended": {"kind": "contract_ended", "within_days": 30},
    "new_customer": {"kind": "new_customer", "within_days": 14},
    "segment_entered": {"kind": "segment_entered", "segment": "at-risk"},
}  # fmt: skip
EXAMPLE_ACTION: dict[str, Any] = {
    "task": {
        "title": "Check in with {account}",
        "type": "risk",
        "priority": "high",
        "due_in_days": 3,
        "assignee": "owner",
    },
    "notify": ["owner"],
}
# Errors a save or preview can meet; shown on the page.
RULE_ERRORS = (FieldError, ValidationError, ValueError, LookupError)


def rules_page(request: Request) -> RedirectResponse | None:
    """Every rule with its trigger, open tasks and last firing."""
    page = operations_page(request, "rules.title")
    if not isinstance(page, PageContext):
        return page
    t = page.t
    with db() as session:
        rows = rules.list_rules(session)

    def evaluate() -> None:
        with db() as session:
            stats = rules.evaluate_rules(session, today(session))
        fired = sum(rule.fired for rule in stats.rules)
        ui.notify(t("rules.evaluated", fired=fired), type="positive")
        ui.navigate.reload()

    with frame(page, "rules.title"):
        with ui.row().classes("gap-2"):
            ui.button(
                t("ops.new"), icon="add", on_click=lambda: ui.navigate.to("/rules/new")
            ).props('data-testid="new-rule"')
            ui.button(t("rules.evaluate"), icon="play_arrow", on_click=evaluate).props(
                'outline data-testid="evaluate-rules"'
            )
        columns = [
            {"name": "name", "label": t("ops.name"), "field": "name", "align": "left"},
            {"name": "trigger", "label": t("rules.trigger"), "field": "trigger_kind",
             "align": "left"},
            {"name": "active", "label": t("ops.active"), "field": "active_text"},
            {"name": "open_tasks", "label": t("rules.open_tasks"),
             "field": "open_tasks"},
            {"name": "last_fired", "label": t("rules.last_fired"),
             "field": "last_fired"},
        ]  # fmt: skip
        table = ui.table(
            columns=columns,
            rows=[
                {
                    "id": row["id"],
                    "name": row["name"],
                    "trigger_kind": row["trigger"]["kind"],
                    "active_text": "✓" if row["active"] else "✗",
                    "open_tasks": row["open_tasks"],
                    "last_fired": str(row["last_fired"] or "–"),
                }
                for row in rows
            ],
            row_key="id",
        ).classes("w-full")
        table.props('flat bordered dense data-testid="rules"').mark("rules")
        table.on("row-click", lambda e: ui.navigate.to(f"/rules/{e.args[1]['id']}"))
    return None


def new_rule_page(request: Request) -> RedirectResponse | None:
    """The editor of a rule not yet created."""
    page = operations_page(request, "rules.title")
    if not isinstance(page, PageContext):
        return page
    start = {
        "name": "",
        "description": None,
        "active": True,
        "segment": None,
        "trigger": EXAMPLE_TRIGGERS["usage_change"],
        "action": EXAMPLE_ACTION,
    }
    with frame(page, "rules.title"):
        _editor(page, None, start)
    return None


def rule_page(request: Request, rule_id: str) -> RedirectResponse | None:
    """The editor of one rule, its preview and its recent firings."""
    page = operations_page(request, "rules.title")
    if not isinstance(page, PageContext):
        return page
    found: dict[str, Any] | None = None
    firings: list[dict[str, Any]] = []
    if rule_id.isdigit():
        with db() as session:
            try:
                found = rules.rule_spec(session, int(rule_id))
                firings = rules.firings(session, int(rule_id), limit=50)
            except LookupError:
                found = None
    with frame(page, "rules.title"):
        if found is None:
            ui.label(page.t("ops.not_found")).classes("text-h6").props(
                'data-testid="not-found"'
            )
            return None
        _editor(page, int(rule_id), found)
        _firings(page, firings)
    return None


def _editor(page: PageContext, rule_id: int | None, start: dict[str, Any]) -> None:
    t = page.t
    with db() as session:
        choices = segments.segment_choices(session)
    with ui.card().classes("w-full gap-2"):
        name = (
            ui.input(t("ops.name"), value=start["name"])
            .classes("w-full")
            .props('data-testid="rule-name"')
            .mark("rule-name")
        )
        description = (
            ui.textarea(t("ops.description"), value=start.get("description") or "")
            .classes("w-full")
            .props("autogrow")
        )
        with ui.row().classes("w-full items-center gap-4"):
            active = ui.switch(t("ops.active"), value=bool(start["active"]))
            segment = (
                ui.select(
                    {"": t("rules.any_segment"), **choices},
                    value=start.get("segment") or "",
                    label=t("rules.segment"),
                )
                .props("dense")
                .classes("min-w-[200px]")
            )
            kind = (
                ui.select(list(KINDS), value=start["trigger"].get("kind"), label="kind")
                .props('dense data-testid="trigger-kind"')
                .classes("min-w-[180px]")
            )
        ui.label(t("rules.json_help")).classes("text-caption text-grey-7")
        trigger = json_area(t("rules.trigger"), start["trigger"], "rule-trigger", 6)
        action = json_area(t("rules.action"), start["action"], "rule-action", 10)
        kind.on_value_change(
            lambda e: trigger.set_value(
                as_json(EXAMPLE_TRIGGERS.get(e.value, {"kind": e.value}))
            )
        )
        problems = Problems(t("ops.failed"), "rule-errors")
        preview_box = ui.column().classes("w-full")

        def spec() -> RuleSpec:
            return RuleSpec.model_validate(
                {
                    "name": name.value or "",
                    "description": description.value or None,
                    "active": bool(active.value),
                    "segment": segment.value or None,
                    "trigger": read_json(trigger, "trigger"),
                    "action": read_json(action, "action"),
                }
            )

        def save() -> None:
            save_record(
                page, problems, RULE_ERRORS, LIST_PATH, rule_id, spec,
                rules.create_rule, rules.replace_rule,
            )  # fmt: skip

        def delete() -> None:
            delete_record(page, LIST_PATH, rule_id, rules.delete_rule)

        def preview() -> None:
            try:
                checked = spec()
                with db() as session:
                    rows = rules.preview(
                        session,
                        checked,
                        today(session),
                        owners=owner_scope(session, page.principal),
                    )
            except RULE_ERRORS as exc:
                problems.show(exc)
                return
            problems.clear()
            preview_box.clear()
            with preview_box:
                _preview(page, rows)

        with ui.row().classes("gap-2"):
            ui.button(t("ops.save"), on_click=save).props(
                'data-testid="save-rule"'
            ).mark("save-rule")
            ui.button(t("ops.preview"), on_click=preview).props(
                'outline data-testid="preview-rule"'
            ).mark("preview-rule")
            if rule_id is not None:
                ui.button(t("ops.delete"), on_click=delete).props(
                    'flat color=negative data-testid="delete-rule"'
                )


def _preview(page: PageContext, rows: list[dict[str, Any]]) -> None:
    t = page.t
    ui.label(t("rules.would_fire", n=len(rows))).classes("text-subtitle1").props(
        'data-testid="preview-count"'
    ).mark("preview-count")
    for row in rows[:100]:
        signal = ", ".join(
            f"{k}: {v}" for k, v in (row.get("signal") or {}).items() if v is not None
        )
        with ui.row().classes("w-full no-wrap gap-2 text-body2"):
            ui.link(row["account_name"], f"/customers/{row['account_id']}")
            ui.label(signal).classes("text-grey-8")
            if row.get("deduplicated"):
                ui.label(t("rules.deduplicated")).classes("text-caption text-grey-6")


def _firings(page: PageContext, rows: list[dict[str, Any]]) -> None:
    t = page.t
    with ui.card().classes("w-full").props('data-testid="firings"'):
        ui.label(t("rules.firings")).classes("text-subtitle1")
        if not rows:
            empty(page)
        for row in rows:
            with ui.row().classes("w-full no-wrap gap-2 text-body2"):
                ui.label(str(row["fired_on"]))
                ui.link(row["account_name"], f"/customers/{row['account_id']}")
                ui.label(row["outcome"]).classes("text-grey-7")
                if row.get("task_id"):
                    ui.link(f"#{row['task_id']}", f"/tasks/{row['task_id']}")
