"""续约续费 — renewals: terms due, rates by count and amount, forecast and actual."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from tenure.auth.scope import account_ids_in_scope
from tenure.revenue import reports
from tenure.revenue.calendar import add_months, month_start, period_start
from tenure.revenue.loading import today
from tenure.web.context import db
from tenure.web.i18n import money_text, percent_text
from tenure.web.pages.common import PageContext, empty, figure, frame, link_query
from tenure.web.pages.common import open_page as open_context

log = logging.getLogger(__name__)

# A term is marked high value when its amount is in the top fifth of those listed.
HIGH_VALUE_SHARE = Decimal("0.2")


def renewals_page(request: Request) -> RedirectResponse | None:
    """Terms due this month and quarter, renewal rates, forecast against actual."""
    page = open_context(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        scope = account_ids_in_scope(session, page.principal)
        day = today(session)
        month = month_start(day)
        quarter = period_start(day, "quarter")
        month_end = add_months(month, 1) - dt.timedelta(days=1)
        quarter_end = add_months(quarter, 3) - dt.timedelta(days=1)
        this_month = reports.renewals_report(
            session, "month", month, month_end, accounts=scope
        )[0]
        this_quarter = reports.renewals_report(
            session, "quarter", quarter, quarter_end, accounts=scope
        )[0]
        by_month = reports.renewals_report(
            session, "month", add_months(month, -6), add_months(month, 6),
            accounts=scope,
        )  # fmt: skip
        terms = reports.renewal_terms_report(
            session, quarter, quarter_end, accounts=scope
        )
    with frame(page, "nav.renewals"):
        _summary(page, "renewals.this_month", this_month, month, month_end, "month")
        _summary(
            page, "renewals.this_quarter", this_quarter, quarter, quarter_end, "quarter"
        )
        _forecast_chart(page, by_month)
        ui.label(f"{t('renewals.terms')} · {quarter} – {quarter_end}").classes(
            "text-subtitle1"
        )
        term_list(page, terms)
    return None


def _summary(
    page: PageContext,
    title_key: str,
    row: dict[str, Any],
    start: dt.date,
    end: dt.date,
    testid: str,
) -> None:
    t, currency = page.t, page.currency

    def terms(outcome: str | None = None) -> str:
        return "/renewals/terms" + link_query(start=start, end=end, outcome=outcome)

    ui.label(f"{t(title_key)} · {start} – {end}").classes("text-subtitle1")
    with ui.row().classes("w-full gap-2"):
        figure(t("renewals.due"), str(row["due_count"]), target=terms())
        figure(
            t("renewals.renewed"), str(row["renewed_count"]), target=terms("renewed")
        )
        figure(
            t("renewals.churned"),
            str(row["churned_count"]),
            target=terms("churned"),
            testid=f"churned-{testid}",
        )
        figure(t("renewals.open"), str(row["open_count"]), target=terms("open"))
        figure(t("renewals.due_amount"), money_text(row["due_amount"], currency))
        figure(t("renewals.rate_by_count"), percent_text(row["rate_by_count"]))
        figure(
            t("renewals.gross_rate_by_amount"),
            percent_text(row["gross_rate_by_amount"]),
        )
        figure(
            t("renewals.net_rate_by_amount"), percent_text(row["net_rate_by_amount"])
        )


def _forecast_chart(page: PageContext, rows: list[dict[str, Any]]) -> None:
    t = page.t
    periods = [row["period"] for row in rows]

    def open_month(event: events.EChartPointClickEventArguments) -> None:
        start = periods[event.data_index]
        end = add_months(start, 1) - dt.timedelta(days=1)
        ui.navigate.to("/renewals/terms" + link_query(start=start, end=end))

    with ui.card().classes("w-full"):
        ui.label(t("renewals.forecast_vs_actual")).classes("text-subtitle1")
        ui.echart(
            {
                "grid": {"left": 64, "right": 16, "top": 40, "bottom": 32},
                "legend": {"top": 0},
                "tooltip": {"trigger": "axis"},
                "xAxis": {"type": "category", "data": [str(p)[:7] for p in periods]},
                "yAxis": {"type": "value"},
                "series": [
                    {
                        "type": "bar",
                        "name": t(name),
                        "data": [float(row[key] or 0) for row in rows],
                    }
                    for name, key in (
                        ("renewals.due_amount", "due_amount"),
                        ("renewals.forecast", "forecast_amount"),
                        ("renewals.actual", "renewed_amount"),
                    )
                ],
            },
            on_point_click=open_month,
        ).classes("w-full h-72")


def term_list(page: PageContext, terms: list[dict[str, Any]]) -> None:
    """List renewal terms, biggest first, marking the high-value ones."""
    t = page.t
    if not terms:
        empty(page)
        return
    amounts = sorted((row["due_amount"] for row in terms), reverse=True)
    cut = amounts[max(0, int(len(amounts) * HIGH_VALUE_SHARE) - 1)]
    with ui.list().props("bordered separator").classes("w-full bg-white"):
        for row in terms:
            high = row["due_amount"] >= cut and row["due_amount"] > 0
            with ui.item(
                on_click=lambda row=row: ui.navigate.to(f"/customers/{row['customer']}")
            ).props(f'clickable data-testid="term-{row["customer"]}"'):
                with ui.item_section().props("avatar"):
                    if high:
                        ui.icon("star", color="amber").tooltip(t("renewals.high_value"))
                with ui.item_section():
                    ui.item_label(row["name"] or row["customer"])
                    ui.item_label(
                        f"{row['customer']} · {row['due_date']} · {row['source_id']}"
                    ).props("caption")
                with ui.item_section().props("side"):
                    ui.label(money_text(row["due_amount"], page.currency))
                    ui.badge(t(f"outcome.{row['outcome']}"))


def renewal_terms_page(
    request: Request,
    start: str | None = None,
    end: str | None = None,
    outcome: str | None = None,
) -> RedirectResponse | None:
    """The renewal terms behind a figure: due in a period, with one outcome."""
    page = open_context(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with frame(page, "renewals.terms"):
        try:
            first = dt.date.fromisoformat(start or "")
            last = dt.date.fromisoformat(end or "")
        except ValueError:
            ui.label(f"bad dates: {start} / {end}").classes("text-negative")
            return None
        with db() as session:
            scope = account_ids_in_scope(session, page.principal)
            try:
                terms = reports.renewal_terms_report(
                    session, first, last, outcome or None, accounts=scope
                )
            except reports.ReportError as exc:
                ui.label(str(exc)).classes("text-negative")
                return None
        heading = f"{first} – {last}"
        if outcome:
            heading += f" · {t('outcome.' + outcome)}"
        ui.label(heading).classes("text-subtitle1").props('data-testid="terms-title"')
        ui.label(t("customers.total", n=len(terms)))
        term_list(page, terms)
    return None
