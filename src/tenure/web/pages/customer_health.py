"""The customer 360's health and usage: the score and why, manual input, usage.

The sentiment and override forms themselves are in ``customer_health_forms.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from nicegui import ui

from tenure.auth.scope import can, owner_scope
from tenure.health import service as health
from tenure.revenue.loading import today
from tenure.usage.service import usage_rows
from tenure.web import health as changes
from tenure.web.context import db
from tenure.web.pages.common import PageContext
from tenure.web.pages.customer_health_forms import health_forms
from tenure.web.pages.health import COLOURS, OTHER_COLOUR, band_chip, band_text

log = logging.getLogger(__name__)

USAGE_DAYS = 90
RECENT_SENTIMENT = 3


def health_card(page: PageContext, account_id: str) -> None:
    """Score, band, trend, history, explanation, override and the forms."""
    t = page.t
    with db() as session:
        owners = owner_scope(session, page.principal)
        found = health.account_health(session, account_id, owners)
        sentiment = [
            (e.recorded_on, e.value, e.note)
            for e in health.list_sentiment(session, account_id, owners=owners)
        ][:RECENT_SENTIMENT]
        day = today(session)
    latest = found["latest"]
    with ui.card().classes("w-full").props('data-testid="health"'):
        ui.label(t("customer.health")).classes("text-subtitle1")
        if latest is None:
            ui.label(t("health.not_scored")).classes("text-grey-7")
        else:
            _headline(t, latest, found["trend"])
            _override_in_force(page, account_id, found["override"])
            _history(page, found["history"], latest["bands"])
            _explanation(page, latest)
        if sentiment:
            _sentiment_list(t, sentiment)
        health_forms(page, account_id, latest, day)


def _headline(t: Callable[..., str], latest: dict[str, Any], trend: Any) -> None:
    with ui.row().classes("w-full items-center gap-3"):
        score = latest["score"]
        ui.label("–" if score is None else f"{score:.1f}").classes("text-h4").props(
            'data-testid="health-score"'
        ).mark("health-score")
        band_chip(t, latest["band"], "health-band")
        if trend is not None:
            sign = "+" if trend >= 0 else ""
            ui.label(t("health.change_30", delta=f"{sign}{trend:.1f}")).classes(
                "text-body2 " + ("text-positive" if trend >= 0 else "text-negative")
            )
    parts = [t("health.scored_on", day=latest["as_of"])]
    if latest["scorecard"]:
        card = latest["scorecard"]
        parts.append(t("health.scorecard", name=card["name"], version=card["version"]))
    ui.label(" · ".join(parts)).classes("text-caption text-grey-7")
    if latest["insufficient"] and latest["applied"] is None:
        ui.label(t("health.insufficient_note")).classes("text-body2 text-grey-8")
    applied = latest["applied"]
    if applied is not None:
        key = "health.by_hand" if applied["kind"] == "override" else "health.by_rule"
        ui.label(t(key, reason=applied["reason"])).classes("text-body2 text-bold")


def _override_in_force(
    page: PageContext, account_id: str, override: dict[str, Any] | None
) -> None:
    if override is None:
        return
    t = page.t

    def revoke() -> None:
        with db() as session:
            changes.revoke_override(session, page.principal, account_id, override["id"])
        ui.navigate.reload()

    with ui.row().classes("w-full items-center q-pa-sm bg-amber-1 rounded-borders"):
        with ui.column().classes("gap-0 grow"):
            ui.label(t("health.override")).classes("text-caption text-grey-8")
            ui.label(
                t(
                    "health.override_text",
                    band=band_text(t, override["band"]),
                    day=override["expires_on"],
                    reason=override["reason"],
                )
            ).props('data-testid="health-override"').mark("health-override")
        if can(page.principal, "override_health"):
            ui.button(t("health.revoke"), on_click=revoke).props(
                'flat dense color=negative data-testid="revoke-override"'
            ).mark("revoke-override")


def _history(
    page: PageContext, history: list[dict[str, Any]], bands: list[dict[str, Any]]
) -> None:
    if len(history) < 2:
        return
    t = page.t
    tops = [b["min"] for b in bands[1:]] + [100]
    areas = [
        [
            {"yAxis": band["min"], "itemStyle": {"color": _colour(band["name"])}},
            {"yAxis": top},
        ]
        for band, top in zip(bands, tops, strict=True)
    ]
    ui.label(t("health.history")).classes("text-subtitle2 q-mt-sm")
    ui.echart(
        {
            "animation": False,
            "grid": {"left": 36, "right": 16, "top": 12, "bottom": 28},
            "tooltip": {"trigger": "axis"},
            "xAxis": {"type": "category", "data": [str(r["as_of"]) for r in history]},
            "yAxis": {"type": "value", "min": 0, "max": 100},
            "series": [
                {
                    "type": "line",
                    "name": t("health.score"),
                    "data": [r["score"] for r in history],
                    "connectNulls": False,
                    "markArea": {"silent": True, "data": areas},
                }
            ],
        }
    ).classes("w-full h-48").props('data-testid="health-history"').mark(
        "health-history"
    )


def _colour(band: str) -> str:
    """A light tint of the band's colour, for the history chart's background."""
    return COLOURS.get(band, OTHER_COLOUR) + "22"


def _explanation(page: PageContext, latest: dict[str, Any]) -> None:
    t = page.t
    column = 1 if page.locale == "zh-CN" else 0
    rows = []
    for measure in latest["measures"]:
        label = measure.get("label") or {}
        name = (label.get("zh-CN") if column else label.get("en")) or measure["key"]
        missing = measure["status"] != "scored"
        rows.append(
            {
                "key": measure["key"],
                "measure": name,
                "value": _value_text(measure),
                "points": "–" if missing else f"{measure['points']:.0f}",
                "weight": f"{measure['weight']:g} ({measure['effective_weight']:.0%})",
                "contribution": "–" if missing else f"{measure['contribution']:.1f}",
                "status": t(f"measure.{measure['status']}"),
            }
        )
    columns = [
        {"name": name, "label": t(f"health.{name}"), "field": name, "align": align}
        for name, align in (
            ("measure", "left"),
            ("value", "right"),
            ("points", "right"),
            ("weight", "right"),
            ("contribution", "right"),
            ("status", "left"),
        )
    ]
    ui.label(t("health.explanation")).classes("text-subtitle2 q-mt-sm")
    table = ui.table(columns=columns, rows=rows, row_key="key")
    table.classes("w-full gt-xs").props("flat dense bordered wrap-cells")
    table.props('data-testid="health-measures"').mark("health-measures")
    _explanation_list(t, rows)


def _explanation_list(t: Callable[..., str], rows: list[dict[str, str]]) -> None:
    """The explanation as a list, which fits a phone (Quasar's xs) better."""
    with ui.list().props("bordered separator dense").classes("w-full xs"):
        for row in rows:
            with ui.item():
                with ui.item_section():
                    ui.item_label(row["measure"])
                    ui.item_label(
                        f"{t('health.value')} {row['value']} · "
                        f"{t('health.points')} {row['points']} · "
                        f"{t('health.weight')} {row['weight']}"
                    ).props("caption")
                with ui.item_section().props("side"):
                    ui.item_label(row["contribution"]).classes("text-bold")
                    ui.item_label(row["status"]).props("caption")


def _value_text(measure: dict[str, Any]) -> str:
    """A measure's value: shares of change as percentages, counts as numbers."""
    value = measure["value"]
    if value is None:
        return "–"
    metric = str(measure.get("metric", ""))
    if metric.startswith("mrr_change") or ":change:" in metric:
        return f"{value:+.1%}"
    return f"{value:,.1f}".removesuffix(".0")


def _sentiment_list(
    t: Callable[..., str], entries: list[tuple[dt.date, int, str | None]]
) -> None:
    ui.label(t("health.latest_sentiment")).classes("text-subtitle2 q-mt-sm")
    for recorded_on, value, note in entries:
        text = f"{recorded_on} · {t(f'sentiment.{value}')}"
        ui.label(f"{text} · {note}" if note else text).classes("text-body2")


def usage_card(page: PageContext, account_id: str) -> None:
    """Daily active users and events over the last 90 days."""
    t = page.t
    with db() as session:
        end = today(session)
        start = end - dt.timedelta(days=USAGE_DAYS - 1)
        rows = usage_rows(
            session, account_id, start, end, owner_scope(session, page.principal)
        )
    with ui.card().classes("w-full").props('data-testid="usage"'):
        ui.label(t("usage.title")).classes("text-subtitle1")
        if not any(row["events"] for row in rows):
            ui.label(t("usage.none")).classes("text-grey-7")
            return
        ui.echart(
            {
                "animation": False,
                "grid": {"left": 40, "right": 48, "top": 36, "bottom": 28},
                "legend": {"top": 0},
                "tooltip": {"trigger": "axis"},
                "xAxis": {
                    "type": "category",
                    "data": [str(row["day"])[5:] for row in rows],
                },
                "yAxis": [
                    {"type": "value", "minInterval": 1},
                    {"type": "value", "minInterval": 1, "splitLine": {"show": False}},
                ],
                "series": [
                    {
                        "type": "bar",
                        "name": t("usage.active_users"),
                        "data": [row["active_users"] for row in rows],
                        "itemStyle": {"color": "#90caf9"},
                    },
                    {
                        "type": "line",
                        "name": t("usage.events"),
                        "yAxisIndex": 1,
                        "showSymbol": False,
                        "data": [row["events"] for row in rows],
                        "itemStyle": {"color": "#1565c0"},
                    },
                ],
            }
        ).classes("w-full h-56").props('data-testid="usage-chart"').mark("usage-chart")
