"""The team page's charts: the 12-month trend and the health of each book."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from nicegui import events, ui

from tenure.web.pages.common import PageContext, empty
from tenure.web.pages.health import BANDS, OTHER_COLOUR, band_text
from tenure.web.pages.health import COLOURS as BAND_COLOURS
from tenure.web.pages.revenue import COLOURS as KIND_COLOURS
from tenure.web.pages.team_tables import behind_link, person_name

log = logging.getLogger(__name__)

Row = dict[str, Any]
MOVEMENTS = ("new", "expansion", "reactivation", "contraction", "churn")
TRANSFER_COLOUR = "#7e57c2"


def trend_chart(page: PageContext, rows: list[Row]) -> None:
    """Stacked bars of the movements (transfers net) and the MRR line, per month."""
    t = page.t
    if not rows:
        empty(page)
        return
    months = [str(row["period"])[:7] for row in rows]
    series: list[Row] = [
        {
            "type": "bar", "name": t(f"kind.{kind}"), "stack": "moves",
            "itemStyle": {"color": KIND_COLOURS[kind]},
            "data": [float(row[kind]) for row in rows],
        }
        for kind in MOVEMENTS
    ]  # fmt: skip
    series.append(
        {
            "type": "bar", "name": t("team.transfers"), "stack": "moves",
            "itemStyle": {"color": TRANSFER_COLOUR},
            "data": [float(r["transfers_in"] - r["transfers_out"]) for r in rows],
        }
    )  # fmt: skip
    series.append(
        {
            "type": "line", "name": t("team.mrr"), "yAxisIndex": 1,
            "data": [float(row["mrr"]) for row in rows],
        }
    )  # fmt: skip
    chart = ui.echart(
        {
            "animation": False,
            "grid": {"left": 64, "right": 72, "top": 56, "bottom": 32},
            "legend": {"top": 0},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": {"type": "category", "data": months},
            "yAxis": [
                {"type": "value"},
                {"type": "value", "splitLine": {"show": False}},
            ],
            "series": series,
        }
    )
    chart.classes("w-full h-80").props('data-testid="trend"').mark("trend")


def health_chart(
    page: PageContext, people: list[Row], start: dt.date, end: dt.date
) -> None:
    """One stacked bar per person: their accounts by latest health band."""
    t = page.t
    shown = [row for row in people if row["bands"]]
    if not shown:
        empty(page)
        return
    extra = sorted({b for row in shown for b in row["bands"]} - set(BANDS))
    bands = [b for b in BANDS if any(b in row["bands"] for row in shown)] + extra
    names = [person_name(page, row) for row in shown]

    def open_band(event: events.EChartPointClickEventArguments) -> None:
        row = shown[event.data_index]
        band = bands[event.series_index]
        ui.navigate.to(behind_link(row["owner_id"], f"band:{band}", start, end))

    chart = ui.echart(
        {
            "animation": False,
            "grid": {"left": 140, "right": 16, "top": 32, "bottom": 24},
            "legend": {"top": 0},
            "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
            "xAxis": {"type": "value"},
            "yAxis": {"type": "category", "data": names, "inverse": True},
            "series": [
                {
                    "type": "bar",
                    "name": band_text(t, band),
                    "stack": "bands",
                    "itemStyle": {"color": BAND_COLOURS.get(band, OTHER_COLOUR)},
                    "data": [row["bands"].get(band, 0) for row in shown],
                }
                for band in bands
            ],
        },
        on_point_click=open_band,
    )
    height = max(160, 40 + 28 * len(shown))
    chart.classes("w-full").style(f"height: {height}px")
    chart.props('data-testid="health"').mark("health")
