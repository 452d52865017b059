"""The book of business page: assignment rules for new accounts, bulk reassignment.

For those who may ``manage_book`` (admins and managers). The rules card lists the
rules in the order they are tried, edits, reorders and switches them, and
previews or runs the assignment of today's unowned accounts; the reassignment
card is in ``book_reassign``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from sqlalchemy.orm import Session

from tenure.auth.scope import can
from tenure.book import assign, rules, selection
from tenure.book.schemas import CONDITION_FIELDS
from tenure.web.context import db
from tenure.web.pages.book_reassign import ReassignCard
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.work_common import attempt

log = logging.getLogger(__name__)

STRATEGY_KEYS = ("user", "least_loaded", "round_robin")
FIELD_KEYS = {
    "region": "dim.region",
    "industry": "dim.industry",
    "tier": "dim.tier",
    "plan": "dim.plan",
    "size": "dim.size",
}
PREVIEW_ROWS = 200


def book_page(request: Request) -> RedirectResponse | None:
    """Assignment rules and bulk reassignment, for admins and managers."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with frame(page, "book.title"):
        if not can(page.principal, "manage_book"):
            ui.label(page.t("ops.not_found")).classes("text-h6").props(
                'data-testid="not-allowed"'
            ).mark("not-allowed")
            return None
        RulesCard(page).show()
        ReassignCard(page).show()
    return None


def conditions_text(page: PageContext, conditions: dict[str, list[str]]) -> str:
    """A rule's conditions in words: "Region: East China · Tier: Strategic"."""
    if not conditions:
        return page.t("book.every_account")
    return " · ".join(
        f"{page.t(FIELD_KEYS[field])}: {', '.join(values)}"
        for field, values in conditions.items()
    )


def target_text(page: PageContext, row: dict[str, Any]) -> str:
    """Who a rule gives to: a person, or a team and how."""
    if row["strategy"] == "user":
        name = row["user_name"] or "–"
        return name if row["user_active"] else f"{name} ({page.t('book.inactive')})"
    return f"{row['team'] or '–'} · {page.t('book.strategy.' + row['strategy'])}"


class RulesCard:
    """The ordered rules with their controls, and the preview of unowned accounts."""

    def __init__(self, page: PageContext) -> None:
        self.page = page
        self.preview: dict[str, Any] | None = None

    @ui.refreshable_method
    def show(self) -> None:
        """Draw the card."""
        t = self.page.t
        with db() as session:
            rows = rules.list_rules(session)
        card = ui.card().classes("w-full gap-2").props('data-testid="rules-card"')
        with card:
            ui.label(t("book.rules")).classes("text-h6")
            ui.label(t("book.rules_help")).classes("text-caption text-grey-7")
            if not rows:
                ui.label(t("book.no_rules")).classes("text-grey-7").mark("no-rules")
            for number, row in enumerate(rows):
                self._line(row, first=number == 0, last=number == len(rows) - 1)
            with ui.row().classes("gap-2"):
                ui.button(
                    t("book.add_rule"), icon="add", on_click=lambda: self._edit(None)
                ).props('data-testid="add-rule"').mark("add-rule")
                ui.button(
                    t("book.preview_unowned"), icon="visibility", on_click=self._preview
                ).props('outline data-testid="preview-unowned"').mark("preview-unowned")
                ui.button(
                    t("book.assign_now"), icon="play_arrow", on_click=self._assign
                ).props('outline data-testid="assign-now"').mark("assign-now")
            if self.preview is not None:
                self._preview_table(self.preview)

    def _line(self, row: dict[str, Any], first: bool, last: bool) -> None:
        t = self.page.t
        rule_id = row["id"]
        line = ui.row().classes("w-full items-center no-wrap gap-2 q-py-xs")
        line.props(f'data-testid="rule-{rule_id}"').mark(f"rule-{rule_id}")
        with line:
            ui.label(str(row["position"] + 1)).classes("text-grey-7 w-6")
            with ui.column().classes("gap-0 grow"):
                ui.label(row["name"]).classes("text-body1")
                ui.label(
                    f"{conditions_text(self.page, row['conditions'])} → "
                    f"{target_text(self.page, row)}"
                ).classes("text-caption text-grey-8")
            ui.switch(
                value=row["active"],
                on_change=lambda e: self._change(rule_id, {"active": bool(e.value)}),
            ).props(f'dense data-testid="active-{rule_id}"').mark(f"active-{rule_id}")
            up = ui.button(
                icon="arrow_upward", on_click=lambda: self._move(rule_id, -1)
            )
            up.props(f'flat round dense aria-label="{t("book.move_up")}"')
            up.mark(f"up-{rule_id}").set_enabled(not first)
            down = ui.button(
                icon="arrow_downward", on_click=lambda: self._move(rule_id, 1)
            )
            down.props(f'flat round dense aria-label="{t("book.move_down")}"')
            down.mark(f"down-{rule_id}").set_enabled(not last)
            ui.button(icon="edit", on_click=lambda: self._edit(row)).props(
                f'flat round dense aria-label="{t("book.edit")}"'
            ).mark(f"edit-{rule_id}")
            ui.button(icon="delete", on_click=lambda: self._delete(row)).props(
                f'flat round dense color=negative aria-label="{t("ops.delete")}"'
            ).mark(f"delete-{rule_id}")

    def _change(self, rule_id: int, changes: dict[str, Any]) -> None:
        if attempt(
            self.page,
            lambda session: rules.update_rule(session, rule_id, changes),
            "ops.saved",
            "ops.failed",
        ):
            self.show.refresh()

    def _move(self, rule_id: int, step: int) -> None:
        if attempt(
            self.page,
            lambda session: rules.move_rule(session, rule_id, step),
            None,
            "ops.failed",
        ):
            self.show.refresh()

    def _delete(self, row: dict[str, Any]) -> None:
        t = self.page.t
        with ui.dialog() as dialog, ui.card():
            ui.label(t("book.delete_rule", name=row["name"]))
            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.back"), on_click=dialog.close).props("flat")

                def confirm() -> None:
                    if attempt(
                        self.page,
                        lambda session: rules.delete_rule(session, row["id"]),
                        "ops.deleted",
                        "ops.failed",
                    ):
                        dialog.close()
                        self.show.refresh()

                ui.button(t("ops.delete"), on_click=confirm).props(
                    'color=negative data-testid="confirm-delete"'
                ).mark("confirm-delete")
        dialog.open()

    def _edit(self, row: dict[str, Any] | None) -> None:
        with db() as session:
            offered = selection.choices(session, self.page.principal, None)
        RuleDialog(self.page, row, offered, self.show.refresh).open()

    def _preview(self) -> None:
        with db() as session:
            result = assign.preview_assignment(session)
        self.preview = {**result.details(), "rows": result.rows()}
        self.show.refresh()

    def _assign(self) -> None:
        done: dict[str, int] = {}

        def run(session: Session) -> None:
            done["n"] = assign.assign_new_accounts(session).assigned

        if attempt(self.page, run, None, "ops.failed"):
            ui.notify(self.page.t("book.assigned", n=done["n"]), type="positive")
            self.preview = None
            self.show.refresh()

    def _preview_table(self, preview: dict[str, Any]) -> None:
        t = self.page.t
        ui.label(
            t("book.would_assign", n=preview["assigned"], m=preview["unmatched"])
        ).classes("text-subtitle1").mark("preview-count")
        columns = [
            {"name": "account", "label": t("common.customer"), "field": "account_name",
             "align": "left"},
            {"name": "region", "label": t("dim.region"), "field": "region",
             "align": "left"},
            {"name": "tier", "label": t("dim.tier"), "field": "tier", "align": "left"},
            {"name": "rule", "label": t("book.rule"), "field": "rule_text",
             "align": "left"},
            {"name": "to", "label": t("book.to"), "field": "to_text", "align": "left"},
        ]  # fmt: skip
        shown = [
            {
                **row,
                "rule_text": row["rule"] or "–",
                "to_text": row["to_name"] or t("book.unmatched"),
            }
            for row in preview["rows"][:PREVIEW_ROWS]
        ]
        ui.table(columns=columns, rows=shown, row_key="account_id").classes(
            "w-full"
        ).props('flat bordered dense data-testid="assign-preview"').mark(
            "assign-preview"
        )


class RuleDialog:
    """The editor of one rule (or a new one) in a dialog."""

    def __init__(
        self,
        page: PageContext,
        row: dict[str, Any] | None,
        offered: dict[str, Any],
        saved: Callable[[], object],
    ) -> None:
        self.page = page
        self.row = row
        self.offered = offered
        self.saved = saved

    def open(self) -> None:
        """Show the editor."""
        t = self.page.t
        row = self.row or {"name": "", "active": True, "conditions": {},
                           "strategy": "least_loaded", "user_id": None,
                           "team_id": None}  # fmt: skip
        people = {p["id"]: p["name"] for p in self.offered["people"]}
        teams = {team["id"]: team["name"] for team in self.offered["teams"]}
        values = self.offered["values"]
        with ui.dialog() as dialog, ui.card().classes("min-w-[420px] gap-1"):
            ui.label(t("book.edit_rule" if self.row else "book.add_rule")).classes(
                "text-h6"
            )
            name = ui.input(t("ops.name"), value=row["name"]).classes("w-full")
            name.props('data-testid="rule-name"').mark("rule-name")
            fields = {}
            for field in CONDITION_FIELDS:
                given = list(row["conditions"].get(field, []))
                known = sorted({*values.get(field, []), *given})
                fields[field] = (
                    ui.select(
                        known,
                        value=given,
                        multiple=True,
                        new_value_mode="add-unique",
                        label=t(FIELD_KEYS[field]),
                    )
                    .classes("w-full")
                    .props(f'use-chips dense data-testid="rule-{field}"')
                    .mark(f"rule-{field}")
                )
            strategy = ui.select(
                {key: t(f"book.strategy.{key}") for key in STRATEGY_KEYS},
                value=row["strategy"],
                label=t("book.strategy"),
            ).classes("w-full")
            strategy.props('dense data-testid="rule-strategy"').mark("rule-strategy")
            user = ui.select(people, value=row["user_id"], label=t("book.user"))
            user.classes("w-full").props("dense").mark("rule-user")
            team = ui.select(teams, value=row["team_id"], label=t("book.team"))
            team.classes("w-full").props("dense").mark("rule-team")
            user.bind_visibility_from(strategy, "value", lambda v: v == "user")
            team.bind_visibility_from(strategy, "value", lambda v: v != "user")
            active = ui.switch(t("ops.active"), value=bool(row["active"]))

            def spec() -> dict[str, Any]:
                chosen = strategy.value
                return {
                    "name": name.value or "",
                    "active": bool(active.value),
                    "conditions": {f: list(s.value) for f, s in fields.items()
                                   if s.value},
                    "strategy": chosen,
                    "user_id": user.value if chosen == "user" else None,
                    "team_id": team.value if chosen != "user" else None,
                }  # fmt: skip

            def save() -> None:
                rule_id = None if self.row is None else self.row["id"]
                if attempt(
                    self.page,
                    lambda session: (
                        rules.create_rule(session, spec())
                        if rule_id is None
                        else rules.update_rule(session, rule_id, spec())
                    ),
                    "ops.saved",
                    "ops.failed",
                ):
                    dialog.close()
                    self.saved()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.back"), on_click=dialog.close).props("flat")
                ui.button(t("ops.save"), on_click=save).props(
                    'data-testid="save-rule"'
                ).mark("save-rule")
        dialog.open()
