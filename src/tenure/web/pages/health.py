"""Customer health on the business overview, and the customers behind its bars."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from sqlalchemy.orm import Session

from tenure.accounts.service import AccountQuery, iter_accounts
from tenure.auth.scope import Principal, owner_scope
from tenure.health import service as health
from tenure.health.reads import DISTRIBUTION_FIELDS
from tenure.health.schemas import INSUFFICIENT
from tenure.revenue.loading import today
from tenure.web.context import db
from tenure.web.pages.common import PageContext, empty, frame, link_query, open_page

log = logging.getLogger(__name__)

# Bars and legends read from worst to best, with "no score" last.
BANDS = ("red", "yellow", "green", INSUFFICIENT)
COLOURS = {
    "red": "#e53935",
    "yellow": "#fbc02d",
    "green": "#43a047",
    INSUFFICIENT: "#b0bec5",
}
OTHER_COLOUR = "#7e57c2"
TREND_DAYS = 90
BY_FIELDS = DISTRIBUTION_FIELDS


def band_text(t: Callable[..., str], band: str) -> str:
    """The band's name in the user's language (custom bands keep their own)."""
    key = f"band.{band}"
    text = t(key) if band in COLOURS else band
    return band if text == key else text


def band_chip(t: Callable[..., str], band: str, testid: str | None = None) -> None:
    """Show a band as a coloured chip."""
    chip = ui.chip(band_text(t, band)).props(
        f'dense square text-color=white color="{COLOURS.get(band, OTHER_COLOUR)}"'
    )
    chip.style(f"background: {COLOURS.get(band, OTHER_COLOUR)}")
    if testid:
        chip.props(f'data-testid="{testid}"').mark(testid)


def _band_order(rows: list[dict[str, Any]]) -> list[str]:
    """The standard bands, then any other band the rows name."""
    extra = sorted({row["band"] for row in rows} - set(BANDS))
    return [*BANDS[:3], *extra, INSUFFICIENT]


def _distributions(session: Session, principal: Principal) -> dict[str, Any]:
    """Today's (latest) distribution by each segment field and the 90-day trend."""
    owners = owner_scope(session, principal)
    end = today(session)
    return {
        "by": {f: health.distribution(session, None, f, owners) for f in BY_FIELDS},
        "trend": health.distribution_trend(
            session, end - dt.timedelta(days=TREND_DAYS - 1), end, None, owners
        ),
    }


def health_section(page: PageContext) -> None:
    """The distribution of health by a chosen segment and its trend; bars drill."""
    t = page.t
    with db() as session:
        data = _distributions(session, page.principal)
    state = {"by": BY_FIELDS[-1]}
    with ui.card().classes("w-full").props('data-testid="health-distribution"'):
        if data["by"][state["by"]]["as_of"] is None:
            ui.label(t("health.by_segment")).classes("text-subtitle1")
            empty_health(page)
            return
        with ui.row().classes("w-full items-center"):
            ui.label(t("health.by_segment")).classes("text-subtitle1")
            ui.space()
            ui.select(
                {f: t(f"dim.{f}") for f in BY_FIELDS},
                value=state["by"],
                label=t("health.segment"),
                on_change=lambda e: show(e.value),
            ).props('dense data-testid="health-by"').classes("min-w-[120px]").mark(
                "health-by"
            )
        note = ui.label("").classes("text-caption text-grey-7")
        chart = ui.echart({}, on_point_click=lambda e: open_bar(e))
        chart.classes("w-full").props('data-testid="health-chart"').mark("health-chart")

    def show(by: str) -> None:
        state["by"] = by
        found = data["by"][by]
        note.set_text(
            f"{t('health.scored_on', day=found['as_of'])} · "
            f"{t('customers.total', n=found['total'])} · {t('health.click_hint')}"
        )
        chart.options.clear()
        chart.options.update(_segment_options(t, found["rows"]))
        height = 80 + 36 * len(chart.options["yAxis"]["data"])
        chart.style(f"height: {height}px")
        chart.update()

    def open_bar(event: events.EChartPointClickEventArguments) -> None:
        found = data["by"][state["by"]]
        segments = _segments(found["rows"])
        band = _band_order(found["rows"])[event.series_index]
        segment = segments[event.data_index]
        query = link_query(
            band=band, by=state["by"], segment=segment or "", as_of=found["as_of"]
        )
        ui.navigate.to(f"/health/customers{query}")

    show(state["by"])
    _trend_card(page, data["trend"])


def empty_health(page: PageContext) -> None:
    """Say health has not been scored yet."""
    ui.label(page.t("health.not_scored")).classes("text-grey-7 q-pa-md").props(
        'data-testid="health-empty"'
    )


def _segments(rows: list[dict[str, Any]]) -> list[str | None]:
    """The segment values in the order the chart lists them."""
    return sorted({row["segment"] for row in rows}, key=lambda s: (s is None, s or ""))


def _segment_options(t: Callable[..., str], rows: list[dict[str, Any]]) -> Any:
    """Horizontal stacked bars, one per segment value, one stack per band."""
    segments = _segments(rows)
    counts = {(row["segment"], row["band"]): row["accounts"] for row in rows}
    names = [s if s is not None else t("health.no_value") for s in segments]
    return {
        "animation": False,
        # Room for the legend, which wraps to two lines on a phone.
        "grid": {"left": 8, "right": 16, "top": 56, "bottom": 8, "containLabel": True},
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {"type": "value", "minInterval": 1},
        # Top to bottom in reading order.
        "yAxis": {"type": "category", "data": names, "inverse": True},
        "series": [
            {
                "type": "bar",
                "name": band_text(t, band),
                "stack": "health",
                "itemStyle": {"color": COLOURS.get(band, OTHER_COLOUR)},
                "emphasis": {"focus": "series"},
                "data": [counts.get((s, band), 0) for s in segments],
            }
            for band in _band_order(rows)
        ],
    }


def _trend_card(page: PageContext, rows: list[dict[str, Any]]) -> None:
    """Accounts per band per scored day, as stacked bars; a bar drills to its day."""
    t = page.t
    days = sorted({row["as_of"] for row in rows})
    if not days:
        return
    counts = {(row["as_of"], row["band"]): row["accounts"] for row in rows}
    bands = _band_order(rows)

    def open_day(event: events.EChartPointClickEventArguments) -> None:
        query = link_query(band=bands[event.series_index], as_of=days[event.data_index])
        ui.navigate.to(f"/health/customers{query}")

    with ui.card().classes("w-full").props('data-testid="health-trend"'):
        ui.label(t("health.trend")).classes("text-subtitle1")
        ui.echart(
            {
                "animation": False,
                "grid": {"left": 40, "right": 16, "top": 56, "bottom": 32},
                "legend": {"top": 0},
                "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
                "xAxis": {"type": "category", "data": [str(d)[5:] for d in days]},
                "yAxis": {"type": "value", "minInterval": 1},
                "series": [
                    {
                        "type": "bar",
                        "name": band_text(t, band),
                        "stack": "health",
                        "barMaxWidth": 28,
                        "itemStyle": {"color": COLOURS.get(band, OTHER_COLOUR)},
                        "data": [counts.get((d, band), 0) for d in days],
                    }
                    for band in bands
                ],
            },
            on_point_click=open_day,
        ).classes("w-full h-64").props('data-testid="health-trend-chart"').mark(
            "health-trend-chart"
        )


def health_customers_page(
    request: Request,
    band: str | None = None,
    by: str | None = None,
    segment: str | None = None,
    as_of: str | None = None,
) -> RedirectResponse | None:
    """The customers of one band (and segment value) on one day, worst first."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with frame(page, "health.customers"):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError:
            ui.label(f"bad date: {as_of}").classes("text-negative")
            return None
        if by is not None and by not in BY_FIELDS:
            ui.label(f"unknown segment field: {by}").classes("text-negative")
            return None
        with db() as session:
            owners = owner_scope(session, page.principal)
            scores = health.report_rows(session, day, owners=owners)
            accounts = {
                row["account_id"]: row
                for row in iter_accounts(session, AccountQuery(), owners)
            }
        wanted = segment or None
        rows = [
            (score, accounts[score["account_id"]])
            for score in scores
            if score["account_id"] in accounts
            and (band is None or score["band"] == band)
            and (by is None or accounts[score["account_id"]].get(by) == wanted)
        ]
        rows.sort(key=lambda r: (r[0]["score"] is None, r[0]["score"] or 0))
        parts = [band_text(t, band) if band else t("common.all")]
        if by:
            parts.append(f"{t('dim.' + by)}: {segment or t('health.no_value')}")
        if day:
            parts.append(str(day))
        ui.label(" · ".join(parts)).classes("text-subtitle1").props(
            'data-testid="drill-title"'
        )
        ui.label(t("customers.total", n=len(rows))).props('data-testid="drill-count"')
        if not rows:
            empty(page)
            return None
        _customer_list(page, rows)
    return None


def _customer_list(
    page: PageContext, rows: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    with ui.list().props("bordered separator").classes("w-full bg-white"):
        for score, account in rows:
            external = score["account_id"]
            with ui.item(
                on_click=lambda e=external: ui.navigate.to(f"/customers/{e}")
            ).props(f'clickable data-testid="drill-row-{external}"'):
                with ui.item_section():
                    ui.item_label(account["name"] or external)
                    about = (external, account.get("tier"), account.get("owner_name"))
                    caption = " · ".join(str(v) for v in about if v)
                    ui.item_label(caption).props("caption")
                side = ui.item_section().props("side")
                with side, ui.row().classes("items-center gap-1 no-wrap"):
                    value = score["score"]
                    ui.label("–" if value is None else f"{value:.1f}")
                    band_chip(page.t, score["band"])
