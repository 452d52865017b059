"""经营概览 — the revenue overview, and the customers behind any of its figures."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from sqlalchemy.orm import Session

from tenure.accounts.service import filter_options
from tenure.auth.scope import account_ids_in_scope, owner_scope
from tenure.revenue import reports
from tenure.revenue.calendar import add_months, month_start
from tenure.revenue.loading import today
from tenure.segments import service as segments
from tenure.web.context import db
from tenure.web.i18n import money_text, percent_text
from tenure.web.pages.common import (
    DIMENSION_PARAMS,
    PageContext,
    empty,
    figure,
    frame,
    link_query,
    open_page,
)

log = logging.getLogger(__name__)

RANGES = (6, 12, 24, 36)
# Stacked bars, bottom to top; retained MRR can be switched off (series index order).
BAR_KINDS = ("retained", "new", "expansion", "reactivation", "contraction", "churn")
COLOURS = {
    "retained": "#b0bec5",
    "new": "#2e7d32",
    "expansion": "#66bb6a",
    "reactivation": "#29b6f6",
    "contraction": "#ffa726",
    "churn": "#e53935",
}


def revenue_page(
    request: Request,
    months: int = 12,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    owner: str | None = None,
    plan: str | None = None,
    retained: int = 1,
    segment: str | None = None,
) -> RedirectResponse | None:
    """MRR, ARR, their movements month by month, and the retention rates."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    months = months if months in RANGES else 12
    where = {
        k: v
        for k, v in zip(
            DIMENSION_PARAMS, (industry, region, tier, owner, plan), strict=True
        )
        if v
    }
    # The filters as they go into links: the dimensions and the saved segment.
    links = {**where, **({"segment": segment} if segment else {})}
    with db() as session:
        scope = segment_scope(session, page, segment)
        options = filter_options(session, owner_scope(session, page.principal))
        options["segment"] = list(segments.segment_choices(session))
        day = today(session)
        first = add_months(month_start(day), -(months - 1))
        bridge = reports.mrr_report(session, "month", first, day, None, where, scope)
        rates = reports.retention_report(session, "month", first, day, where, scope)

    def navigate(**change: Any) -> None:
        params: dict[str, Any] = {
            "months": months,
            **links,
            "retained": retained,
        }
        params.update(change)
        ui.navigate.to(f"/revenue{link_query(**params)}")

    with frame(page, "nav.revenue"):
        _filter_bar(page, options, links, months, navigate)
        if not bridge:
            empty(page)
            return None
        _headline(page, bridge, rates, links)
        _composition(page, bridge, links, bool(retained))
        _trend(page, bridge)
    return None


def segment_scope(
    session: Session, page: PageContext, segment: str | None
) -> frozenset[int] | None:
    """The accounts the user sees, within the saved segment ``segment`` if given."""
    scope = account_ids_in_scope(session, page.principal)
    return segments.within(session, scope, segment, today(session))


def _filter_bar(
    page: PageContext,
    options: dict[str, list[str]],
    where: dict[str, str],
    months: int,
    navigate: Any,
) -> None:
    t = page.t
    with ui.row().classes("w-full items-end gap-2"):
        ui.select(
            {n: f"{n} {t('common.month')}" for n in RANGES},
            value=months,
            label=t("common.interval"),
            on_change=lambda e: navigate(months=e.value),
        ).classes("min-w-[110px]").props('dense data-testid="months"')
        for name in (*DIMENSION_PARAMS, "segment"):
            choices = {"": t("common.all"), **{v: v for v in options.get(name, [])}}
            ui.select(
                choices,
                value=where.get(name, ""),
                label=t(f"dim.{name}"),
                on_change=lambda e, name=name: navigate(**{name: e.value or None}),
            ).classes("min-w-[130px]").props(f'dense data-testid="filter-{name}"')


def _headline(
    page: PageContext,
    bridge: list[dict[str, Any]],
    rates: list[dict[str, Any]],
    where: dict[str, str],
) -> None:
    t, currency = page.t, page.currency
    now = bridge[-1]
    before = bridge[-2] if len(bridge) > 1 else None
    change = None
    if before is not None:
        delta = now["mrr"] - before["mrr"]
        change = f"{'+' if delta >= 0 else ''}{money_text(delta, currency)} " + t(
            "revenue.change"
        )
    # Rates of the last complete month; the current one is still running.
    done = rates[-2] if len(rates) > 1 else rates[-1]
    label = str(done["period"])[:7]
    churn_link = "/revenue/customers" + link_query(
        kind="churn",
        start=done["period"],
        end=add_months(done["period"], 1) - dt.timedelta(days=1),
        **where,
    )
    with ui.row().classes("w-full gap-2"):
        figure(
            t("revenue.mrr"),
            money_text(now["mrr"], currency),
            note=change,
            target="/revenue/customers" + link_query(**where),
            testid="mrr",
        )
        figure(t("revenue.arr"), money_text(now["mrr"] * 12, currency))
        figure(t("revenue.nrr"), percent_text(done["nrr"]), note=label)
        figure(t("revenue.grr"), percent_text(done["grr"]), note=label)
        figure(t("revenue.nrr_12m"), percent_text(done["nrr_12m"]), note=label)
        figure(
            t("revenue.logo_churn"),
            percent_text(done["logo_churn_rate"]),
            note=f"{label} · {done['churned_customers']}",
            target=churn_link,
        )
        figure(t("revenue.arpa"), money_text(done["arpa"], currency), note=label)
        quick = done["quick_ratio"]
        figure(
            t("revenue.quick_ratio"), "–" if quick is None else str(quick), note=label
        )


def _composition(
    page: PageContext,
    bridge: list[dict[str, Any]],
    where: dict[str, str],
    show_retained: bool,
) -> None:
    t = page.t
    periods = [row["period"] for row in bridge]
    series = _bar_series(t, bridge)
    retained_data = series[0]["data"]
    hidden = [None] * len(retained_data)
    if not show_retained:
        series[0]["data"] = hidden

    def open_bar(event: events.EChartPointClickEventArguments) -> None:
        kind = BAR_KINDS[event.series_index]
        start = periods[event.data_index]
        end = add_months(start, 1) - dt.timedelta(days=1)
        if kind == "retained":
            target = "/revenue/customers" + link_query(**where)
        else:
            target = "/revenue/customers" + link_query(
                kind=kind, start=start, end=end, **where
            )
        ui.navigate.to(target)

    def switch(show: bool) -> None:
        # Emptied rather than removed: the other series keep their index and stack.
        chart.options["series"][0]["data"] = retained_data if show else hidden
        chart.update()

    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center"):
            ui.label(t("revenue.composition")).classes("text-subtitle1")
            ui.space()
            ui.switch(
                t("revenue.show_retained"),
                value=show_retained,
                on_change=lambda e: switch(bool(e.value)),
            ).props('data-testid="show-retained"').mark("show-retained")
        ui.label(t("revenue.click_hint")).classes("text-caption text-grey-7")
        chart = ui.echart(
            {
                # Switching retained MRR rescales at once, with no bars in flight.
                "animation": False,
                "grid": {"left": 64, "right": 16, "top": 56, "bottom": 32},
                "legend": {"top": 0},
                "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
                "xAxis": {"type": "category", "data": [str(p)[:7] for p in periods]},
                "yAxis": {"type": "value"},
                "series": series,
            },
            on_point_click=open_bar,
        )
        chart.classes("w-full h-80").props('data-testid="composition"')
        chart.mark("composition")


def _bar_series(t: Any, bridge: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stacked bar series of retained MRR and the MRR movements per month."""

    def value(row: dict[str, Any], kind: str) -> float:
        if kind != "retained":
            return float(row[kind])
        moved = sum(row[k] for k in BAR_KINDS[1:]) + row["fx_impact"]
        opening = row["mrr"] - moved
        return float(opening + row["contraction"] + row["churn"])

    return [
        {
            "type": "bar",
            "name": t(f"kind.{kind}"),
            "stack": "mrr",
            "itemStyle": {"color": COLOURS[kind]},
            "emphasis": {"focus": "series"},
            "data": [round(value(row, kind), 2) for row in bridge],
        }
        for kind in BAR_KINDS
    ]


def _trend(page: PageContext, bridge: list[dict[str, Any]]) -> None:
    with ui.card().classes("w-full"):
        ui.label(page.t("revenue.trend")).classes("text-subtitle1")
        ui.echart(
            {
                "grid": {"left": 64, "right": 16, "top": 16, "bottom": 32},
                "tooltip": {"trigger": "axis"},
                "xAxis": {
                    "type": "category",
                    "data": [str(r["period"])[:7] for r in bridge],
                },
                "yAxis": {"type": "value"},
                "series": [
                    {
                        "type": "line",
                        "name": page.t("revenue.mrr"),
                        "data": [float(r["mrr"]) for r in bridge],
                        "areaStyle": {"opacity": 0.15},
                    }
                ],
            }
        ).classes("w-full h-64")


def customers_behind_page(
    request: Request,
    kind: str | None = None,
    start: str | None = None,
    end: str | None = None,
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    owner: str | None = None,
    plan: str | None = None,
    segment: str | None = None,
) -> RedirectResponse | None:
    """List the customers behind a figure: a movement in a period, or paying now."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    where = {
        k: v
        for k, v in zip(
            DIMENSION_PARAMS, (industry, region, tier, owner, plan), strict=True
        )
        if v
    }
    with frame(page, "revenue.customers_behind"):
        try:
            first = dt.date.fromisoformat(start) if start else None
            last = dt.date.fromisoformat(end) if end else None
        except ValueError:
            ui.label(f"bad date: {start} / {end}").classes("text-negative")
            return None
        with db() as session:
            scope = segment_scope(session, page, segment)
            if kind and first and last:
                rows = reports.movements_report(
                    session, first, last, kind, where, scope
                )
                heading = f"{t('kind.' + kind)} · {first} – {last}"
            else:
                rows = reports.active_customers_report(session, where, scope)
                heading = t("business.active_now")
        shown = {**where, **({"segment": segment} if segment else {})}
        filters = " · ".join(f"{t('dim.' + k)}: {v}" for k, v in shown.items())
        ui.label(heading).classes("text-subtitle1").props('data-testid="drill-title"')
        if filters:
            ui.label(filters).classes("text-caption")
        amount_key = "amount" if kind else "mrr"
        total = sum((row[amount_key] for row in rows), start=0)
        ui.label(
            f"{t('customers.total', n=len(rows))} · {money_text(total, page.currency)}"
        ).props('data-testid="drill-count"')
        if not rows:
            empty(page)
            return None
        with ui.list().props("bordered separator").classes("w-full bg-white"):
            for row in rows:
                with ui.item(
                    on_click=lambda row=row: ui.navigate.to(
                        f"/customers/{row['customer']}"
                    )
                ).props(f'clickable data-testid="drill-row-{row["customer"]}"'):
                    with ui.item_section():
                        ui.item_label(row["name"] or row["customer"])
                        caption = row["customer"]
                        if kind:
                            caption += f" · {row['date']}"
                        ui.item_label(caption).props("caption")
                    with ui.item_section().props("side"):
                        ui.label(money_text(row[amount_key], page.currency))
    return None
