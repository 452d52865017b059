"""The accounts behind one person's figure on the team page (the drill-down)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import Forbidden, can
from tenure.team.behind import behind
from tenure.team.reads import TeamError, directory
from tenure.web.context import db
from tenure.web.i18n import money_text
from tenure.web.pages.common import PageContext, empty, frame, open_page
from tenure.web.pages.health import band_text

log = logging.getLogger(__name__)

Row = dict[str, Any]
LABELS = {
    "mrr": "team.mrr",
    "opening_mrr": "team.opening_mrr",
    "transfers_in": "team.transfers_in",
    "transfers_out": "team.transfers_out",
    "nrr": "team.nrr",
    "renewals_due": "team.renewals_due",
    "renewals_renewed": "team.renewals_renewed",
    "renewals_churned": "team.renewals_churned",
    "renewals_open": "team.renewals_open",
    "tasks_completed": "team.tasks_completed",
    "tasks_overdue": "team.tasks_overdue",
}


def team_behind_page(
    request: Request,
    owner: str = "",
    figure: str = "",
    start: str | None = None,
    end: str | None = None,
) -> RedirectResponse | None:
    """List the accounts behind ``figure`` of ``owner`` over ``start..end``."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with frame(page, "team.behind"):
        if not can(page.principal, "view_team"):
            ui.label(page.t("team.not_permitted")).classes("text-negative").props(
                'data-testid="not-permitted"'
            ).mark("not-permitted")
            return None
        try:
            owner_id = None if owner == "none" else int(owner)
            first = dt.date.fromisoformat(start or "")
            last = dt.date.fromisoformat(end or "")
            with db() as session:
                rows = behind(session, page.principal, owner_id, figure, first, last)
                person = directory(session).people.get(owner_id or 0)
        except ValueError as exc:
            wrong = f"owner '{owner}', start '{start}', end '{end}': {exc}"
            _error(page, TeamError(wrong))
            return None
        except (TeamError, Forbidden) as exc:
            _error(page, exc)
            return None
        name = person.name if person is not None else page.t("team.unassigned")
        ui.label(f"{name} · {figure_label(page, figure)} · {first} – {last}").classes(
            "text-subtitle1"
        ).props('data-testid="behind-title"').mark("behind-title")
        _rows(page, figure, rows)
    return None


def _error(page: PageContext, exc: Exception) -> None:
    ui.label(str(exc)).classes("text-negative").props('data-testid="error"').mark(
        "error"
    )


def figure_label(page: PageContext, figure: str) -> str:
    """A figure's name in the user's language."""
    t = page.t
    prefix, _, value = figure.partition(":")
    if prefix == "band" and value:
        return t("team.band", band=band_text(t, value))
    if prefix in ("size", "tier") and value:
        return f"{t(f'team.{prefix}')}: {value}"
    if figure in LABELS:
        return t(LABELS[figure])
    return t(f"kind.{figure}")


def _rows(page: PageContext, figure: str, rows: list[Row]) -> None:
    t = page.t
    amounts = [row["amount"] for row in rows if row["amount"] is not None]
    if amounts:
        total = money_text(sum(amounts, start=Decimal(0)), page.currency)
        summary = t("team.behind_total", n=len(rows), amount=total)
    else:
        summary = t("team.behind_count", n=len(rows))
    ui.label(summary).props('data-testid="behind-count"').mark("behind-count")
    if not rows:
        empty(page)
        return
    with ui.list().props("bordered separator").classes("w-full bg-white"):
        for row in rows:
            external = row["external_id"]
            item = ui.item(
                on_click=lambda external=external: ui.navigate.to(
                    f"/customers/{external}"
                )
            ).props(f'clickable data-testid="behind-row-{external}"')
            with item.mark(f"behind-row-{external}"):
                with ui.item_section():
                    ui.item_label(row["name"] or external)
                    ui.item_label(_caption(page, figure, row)).props("caption")
                if row["amount"] is not None:
                    with ui.item_section().props("side"):
                        ui.label(money_text(row["amount"], page.currency))


def _caption(page: PageContext, figure: str, row: Row) -> str:
    """The account's id, the day and what else the row tells."""
    t = page.t
    parts = [row["external_id"]]
    if row["date"] is not None:
        parts.append(str(row["date"]))
    detail = row["detail"]
    if figure in ("transfers_in", "transfers_out"):
        parts.append(detail or t("team.nobody"))
    elif figure == "nrr":
        opening = money_text(row["opening"], page.currency)
        parts.append(t("team.opening", amount=opening))
    elif detail == "customer":
        parts.append(t("team.paying"))
    elif figure.startswith("renewals_") and detail:
        parts.append(t(f"outcome.{detail}"))
    elif figure.startswith("tasks_") and detail:
        parts.append(detail)
    return " · ".join(parts)
