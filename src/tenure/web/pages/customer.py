"""Customer 360: profile, health, usage, tasks, playbooks, timeline, billing."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.accounts import service as accounts
from tenure.auth.scope import owner_scope
from tenure.web.context import db
from tenure.web.i18n import money_text
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.customer_health import health_card, usage_card
from tenure.web.pages.customer_work import CustomerWork, watch_toggle

log = logging.getLogger(__name__)

PROFILE_FIELDS = ("industry", "region", "size", "tier", "plan", "status")


def customer_page(request: Request, account_id: str) -> RedirectResponse | None:
    """One customer's 360."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        owners = owner_scope(session, page.principal)
        try:
            detail = accounts.account_detail(session, account_id, owners)
            account_pk = accounts.account_id_in_scope(session, account_id, owners)
        except accounts.NotFound:
            detail = None
    with frame(page, "nav.customers"):
        if detail is None:
            ui.label(t("customer.not_found")).classes("text-h6").props(
                'data-testid="not-found"'
            )
            ui.link(t("common.back"), "/customers")
            return None
        _profile(page, detail["profile"])
        watch_toggle(page, account_id, account_pk)
        churned = detail["profile"].get("status") == "churned"
        work = CustomerWork(page, account_id, account_pk, churned)
        with ui.row().classes("w-full gap-3 items-stretch"):
            work.tasks()
            work.playbooks()
        health_card(page, account_id)
        usage_card(page, account_id)
        work.timeline()
        _history(page, detail)
        _section(page, "customer.movements", detail["movements"], "movements")
        _section(page, "customer.renewals", detail["renewals"], "renewals")
        _section(page, "customer.subscriptions", detail["subscriptions"], "subs")
        _section(page, "customer.contracts", detail["contracts"], "contracts")
        _section(page, "customer.contacts", detail["contacts"], "contacts")
    return None


def _profile(page: PageContext, profile: dict[str, Any]) -> None:
    t = page.t
    with ui.card().classes("w-full").props('data-testid="profile"'):
        ui.label(profile["name"]).classes("text-h5").props(
            'data-testid="customer-name"'
        )
        ui.label(profile["account_id"]).classes("text-caption text-grey-7")
        with ui.row().classes("w-full gap-6"):
            with ui.column().classes("gap-0"):
                ui.label("MRR").classes("text-caption text-grey-8")
                ui.label(money_text(profile["mrr"], profile["currency"])).classes(
                    "text-h6"
                )
            with ui.column().classes("gap-0"):
                ui.label(t("customer.owner")).classes("text-caption text-grey-8")
                ui.label(profile.get("owner_name") or profile.get("owner") or "–")
            with ui.column().classes("gap-0"):
                ui.label(t("customer.since")).classes("text-caption text-grey-8")
                ui.label(_text(profile.get("customer_since")))
            for name in PROFILE_FIELDS:
                value = profile.get(name)
                if name == "status" and value:
                    value = t(f"status.{value}")
                with ui.column().classes("gap-0"):
                    ui.label(t(f"dim.{name}")).classes("text-caption text-grey-8")
                    ui.label(_text(value))
        if profile.get("tags"):
            with ui.row().classes("gap-1"):
                for tag in profile["tags"]:
                    ui.chip(tag, icon="sell").props("dense outline")
        custom = profile.get("custom_attributes") or {}
        if custom:
            ui.label(t("customer.custom")).classes("text-caption text-grey-8")
            with ui.row().classes("gap-4"):
                for key, value in sorted(custom.items()):
                    ui.label(f"{key}: {_text(value)}").classes("text-body2")


def _history(page: PageContext, detail: dict[str, Any]) -> None:
    history = detail["mrr_history"]
    if not history:
        return
    with ui.card().classes("w-full"):
        ui.label(page.t("customer.mrr_history")).classes("text-subtitle1")
        ui.echart(
            {
                "grid": {"left": 64, "right": 16, "top": 16, "bottom": 32},
                "tooltip": {"trigger": "axis"},
                "xAxis": {
                    "type": "category",
                    "data": [str(row["month"])[:7] for row in history],
                },
                "yAxis": {"type": "value"},
                "series": [
                    {
                        "type": "line",
                        "step": "end",
                        "name": "MRR",
                        "data": [float(row["mrr"]) for row in history],
                        "areaStyle": {"opacity": 0.15},
                    }
                ],
            }
        ).classes("w-full h-56")


def _section(
    page: PageContext, title_key: str, rows: list[dict[str, Any]], testid: str
) -> None:
    """Show a list of records as a table whose columns are the records' fields."""
    with ui.card().classes("w-full").props(f'data-testid="{testid}"'):
        ui.label(page.t(title_key)).classes("text-subtitle1")
        if not rows:
            ui.label(page.t("customer.not_yet")).classes("text-grey-7")
            return
        fields = [k for k, v in rows[0].items() if not isinstance(v, list | dict)]
        ui.table(
            columns=[
                {"name": f, "label": f.replace("_", " "), "field": f, "align": "left"}
                for f in fields
            ],
            rows=[{f: _text(row.get(f)) for f in fields} for row in rows],
            pagination=10,
        ).classes("w-full").props("flat dense")


def _text(value: Any) -> str:
    """Show a value as plain text: dates as YYYY-MM-DD, decimals as written."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)
