"""业务概览 — the business overview: customers now, their trend, health, segments."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import account_ids_in_scope
from tenure.revenue.overview import SEGMENTS, business_overview
from tenure.web.context import db
from tenure.web.pages.common import figure, frame, link_query, open_page
from tenure.web.pages.health import health_section

log = logging.getLogger(__name__)


def business_page(request: Request) -> RedirectResponse | None:
    """Show active customers now and their trend, who came and went, by segment."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        data = business_overview(session, account_ids_in_scope(session, page.principal))
    day = data["as_of"]
    yesterday, month = data["yesterday"], data["this_month"]

    def moves(kind: str, span: dict[str, object]) -> str:
        query = link_query(kind=kind, start=span["start"], end=span["end"])
        return f"/revenue/customers{query}"

    with frame(page, "nav.business"):
        with ui.row().classes("w-full gap-2"):
            figure(
                t("business.active_now"),
                f"{data['active_customers']:,}",
                note=str(day),
                target="/revenue/customers",
                testid="active-customers",
            )
            figure(
                t("business.new_yesterday"),
                str(yesterday["new_customers"]),
                target=moves("new", yesterday),
            )
            figure(
                t("business.churned_yesterday"),
                str(yesterday["churned_customers"]),
                target=moves("churn", yesterday),
            )
            figure(
                t("business.new_month"),
                str(month["new_customers"]),
                target=moves("new", month),
            )
            figure(
                t("business.returned_month"),
                str(month["returned_customers"]),
                target=moves("reactivation", month),
            )
            figure(
                t("business.churned_month"),
                str(month["churned_customers"]),
                target=moves("churn", month),
                testid="churned-month",
            )
        with ui.card().classes("w-full"):
            ui.label(t("business.trend")).classes("text-subtitle1")
            ui.echart(
                {
                    "grid": {"left": 48, "right": 16, "top": 16, "bottom": 32},
                    "tooltip": {"trigger": "axis"},
                    "xAxis": {
                        "type": "category",
                        "data": [str(r["period"])[:7] for r in data["trend"]],
                    },
                    "yAxis": {"type": "value", "minInterval": 1},
                    "series": [
                        {
                            "type": "line",
                            "name": t("business.active_now"),
                            "data": [r["customers"] for r in data["trend"]],
                            "smooth": True,
                            "areaStyle": {"opacity": 0.15},
                        }
                    ],
                }
            ).classes("w-full h-64")
        health_section(page)
        ui.label(t("business.by_segment")).classes("text-subtitle1")
        with ui.row().classes("w-full gap-2"):
            for name in SEGMENTS:
                segment_chart(t(f"dim.{name}"), name, data["segments"][name])
    return None


def segment_chart(title: str, dimension: str, counts: list[dict[str, object]]) -> None:
    """A pie of active customers by one segment; a slice opens its customers."""

    def open_segment(event: object) -> None:
        name = getattr(event, "name", "")
        ui.navigate.to(f"/revenue/customers{link_query(**{dimension: name})}")

    with ui.card().classes("grow min-w-[280px]"):
        ui.label(title).classes("text-subtitle2")
        ui.echart(
            {
                "tooltip": {"trigger": "item"},
                "series": [
                    {
                        "type": "pie",
                        "radius": ["35%", "65%"],
                        "data": [
                            {"name": c["segment"], "value": c["customers"]}
                            for c in counts
                        ],
                        "label": {"formatter": "{b}: {c}"},
                    }
                ],
            },
            on_point_click=open_segment,
        ).classes("w-full h-64")
