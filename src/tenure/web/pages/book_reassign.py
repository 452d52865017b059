"""The bulk reassignment card: a selection, a target, the preview, then apply it.

The preview shows each account with its owner now and next, its MRR and the open
tasks that follow, and totals per receiving owner; applying sends the shown
moves back, so a preview that went stale meanwhile is refused, not half-applied.
"""

from __future__ import annotations

import logging
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from tenure.auth.scope import owner_scope
from tenure.book import reassign, selection
from tenure.money import to_major
from tenure.web.context import db
from tenure.web.i18n import money_text
from tenure.web.pages.common import PageContext
from tenure.web.pages.work_common import attempt

log = logging.getLogger(__name__)

SHOWN_MOVES = 500
SPREADS = ("least_loaded", "even")


def _ids(text: str | None) -> list[str]:
    """Account ids written one per line or separated by commas or spaces."""
    return [part for part in (text or "").replace(",", " ").split() if part]


class ReassignCard:
    """The selection form, the preview of the moves and the confirmation."""

    def __init__(self, page: PageContext) -> None:
        self.page = page
        self.form: dict[str, Any] = {
            "account_ids": "", "from_owner": None, "segment": None, "region": [],
            "industry": [], "tier": [], "target": "user", "to": None, "team": None,
            "spread": "least_loaded", "reason": "",
        }  # fmt: skip
        self.preview: dict[str, Any] | None = None
        with db() as session:
            owners = owner_scope(session, page.principal)
            self.offered = selection.choices(session, page.principal, owners)

    def spec(self) -> dict[str, Any]:
        """The reassignment the form describes, as the service takes it."""
        form = self.form
        spec: dict[str, Any] = {
            "account_ids": _ids(form["account_ids"]),
            "from_owner": form["from_owner"] or None,
            "segment": form["segment"] or None,
            "region": list(form["region"] or []),
            "industry": list(form["industry"] or []),
            "tier": list(form["tier"] or []),
            "spread": form["spread"],
            "reason": (form["reason"] or "").strip() or None,
        }
        if form["target"] == "user":
            spec["to"] = form["to"]
        else:
            spec["team"] = form["team"]
        return spec

    @ui.refreshable_method
    def show(self) -> None:
        """Draw the card."""
        t = self.page.t
        card = ui.card().classes("w-full gap-2").props('data-testid="reassign-card"')
        with card:
            ui.label(t("book.reassign")).classes("text-h6")
            ui.label(t("book.reassign_help")).classes("text-caption text-grey-7")
            self._form()
            ui.button(
                t("ops.preview"), icon="visibility", on_click=self._preview
            ).props('data-testid="reassign-preview"').mark("reassign-preview")
            if self.preview is not None:
                self._result(self.preview)

    def _select(
        self, key: str, options: dict[str, str] | list[str], label: str, **kw: Any
    ) -> ui.select:
        chosen = ui.select(options, label=label, **kw).bind_value(self.form, key)
        chosen.classes("min-w-[200px]").props(f'dense data-testid="re-{key}"')
        chosen.mark(f"re-{key}")
        return chosen

    def _form(self) -> None:
        t = self.page.t
        people = {p["email"]: p["name"] for p in self.offered["people"]}
        teams = {team["name"]: team["name"] for team in self.offered["teams"]}
        values = self.offered["values"]
        with ui.row().classes("w-full gap-2 items-end"):
            self._select("from_owner", {"": "–", **people}, t("book.from_owner"))
            self._select(
                "segment", {"": "–", **self.offered["segments"]}, t("rules.segment")
            )
            for field in ("region", "industry", "tier"):
                self._select(
                    field, values.get(field, []), t(f"dim.{field}"), multiple=True
                ).props("use-chips")
        ids = ui.textarea(t("book.account_ids")).bind_value(self.form, "account_ids")
        ids.classes("w-full").props('dense autogrow data-testid="re-account_ids"')
        ids.mark("re-account_ids")
        with ui.row().classes("w-full gap-2 items-end"):
            target = ui.toggle(
                {"user": t("book.to_user"), "team": t("book.to_team")}
            ).bind_value(self.form, "target")
            target.props('data-testid="re-target"').mark("re-target")
            self._select("to", people, t("book.to")).bind_visibility_from(
                self.form, "target", lambda v: v == "user"
            )
            self._select("team", teams, t("book.team")).bind_visibility_from(
                self.form, "target", lambda v: v == "team"
            )
            self._select(
                "spread", {k: t(f"book.spread.{k}") for k in SPREADS}, t("book.spread")
            ).bind_visibility_from(self.form, "target", lambda v: v == "team")
        reason = ui.input(t("book.reason")).bind_value(self.form, "reason")
        reason.classes("w-full").props('dense data-testid="re-reason"').mark(
            "re-reason"
        )

    def _preview(self) -> None:
        found: dict[str, Any] = {}

        def read(session: Session) -> None:
            shown = reassign.preview_reassignment(
                session, self.page.principal, self.spec()
            )
            found.update(shown.details())

        if attempt(self.page, read, None, "ops.failed"):
            self.preview = found
            self.show.refresh()

    def _money(self, minor: int, currency: str) -> str:
        return money_text(to_major(minor, currency), currency)

    def _result(self, preview: dict[str, Any]) -> None:
        t = self.page.t
        currency = preview["currency"]
        summary = t(
            "book.preview_summary",
            n=preview["count"],
            mrr=self._money(preview["mrr_minor"], currency),
            tasks=preview["open_tasks"],
        )
        ui.label(summary).classes("text-subtitle1").mark("reassign-summary")
        if preview["unchanged"]:
            ui.label(t("book.unchanged", n=len(preview["unchanged"]))).classes(
                "text-caption text-grey-7"
            )
        columns = [
            {"name": "account", "label": t("common.customer"), "field": "account_name",
             "align": "left"},
            {"name": "from", "label": t("book.from"), "field": "from_text",
             "align": "left"},
            {"name": "to", "label": t("book.to"), "field": "to_name", "align": "left"},
            {"name": "mrr", "label": t("revenue.mrr"), "field": "mrr_text"},
            {"name": "tasks", "label": t("book.open_tasks"), "field": "open_tasks"},
        ]  # fmt: skip
        rows = [
            {
                **move,
                "from_text": move["from_name"] or "–",
                "mrr_text": self._money(move["mrr_minor"], currency),
            }
            for move in preview["moves"][:SHOWN_MOVES]
        ]
        ui.table(columns=columns, rows=rows, row_key="account_id").classes(
            "w-full"
        ).props('flat bordered dense data-testid="reassign-moves"').mark(
            "reassign-moves"
        )
        totals = [
            {**row, "mrr_text": self._money(row["mrr_minor"], currency)}
            for row in preview["totals"]
        ]
        ui.table(
            columns=[
                {"name": "name", "label": t("book.receiving"), "field": "name",
                 "align": "left"},
                {"name": "accounts", "label": t("book.accounts"), "field": "accounts"},
                {"name": "mrr", "label": t("revenue.mrr"), "field": "mrr_text"},
            ],
            rows=totals,
            row_key="owner_id",
        ).classes("w-full").props('flat bordered dense data-testid="reassign-totals"'
                                  ).mark("reassign-totals")  # fmt: skip
        if preview["count"]:
            ui.button(
                t("book.reassign_n", n=preview["count"]),
                icon="swap_horiz",
                on_click=lambda: self._confirm(preview),
            ).props('color=primary data-testid="reassign-apply"').mark("reassign-apply")

    def _confirm(self, preview: dict[str, Any]) -> None:
        t = self.page.t
        with ui.dialog() as dialog, ui.card().classes("min-w-[360px]"):
            ui.label(t("book.confirm", n=preview["count"])).classes("text-h6")
            reason = ui.input(t("book.reason"), value=self.form["reason"] or "")
            reason.classes("w-full").mark("confirm-reason")
            done: dict[str, Any] = {}

            def apply(session: Session) -> None:
                self.form["reason"] = reason.value or ""
                spec = {**self.spec(), "expected": preview["moves"]}
                result = reassign.reassign(session, self.page.principal, spec)
                done.update(result.details())

            def go() -> None:
                if attempt(self.page, apply, None, "book.failed"):
                    dialog.close()
                    ui.notify(t("book.reassigned", n=done["moved"]), type="positive")
                    self.preview = None
                    self.show.refresh()

            with ui.row().classes("w-full justify-end"):
                ui.button(t("common.back"), on_click=dialog.close).props("flat")
                ui.button(t("book.reassign_n", n=preview["count"]), on_click=go).props(
                    'color=primary data-testid="confirm-reassign"'
                ).mark("confirm-reassign")
        dialog.open()
