"""团队业绩 — team and personal performance: people ranked, teams compared, trend.

A thin page over ``tenure.team.page``: a CSM sees their own figures, a manager
their team's people and total, an executive or admin every person and the teams
compared, with a team selector. Figures belong to the owner at the time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import Forbidden, can
from tenure.revenue.loading import today
from tenure.team.figures import RANKINGS, rank
from tenure.team.page import TeamPage, team_page
from tenure.team.periods import PRESETS, preset_span
from tenure.team.reads import COMPARING_ROLES, TeamError, directory
from tenure.web.context import db
from tenure.web.i18n import money_text, percent_text
from tenure.web.pages.common import PageContext, figure, frame, link_query, open_page
from tenure.web.pages.team_charts import health_chart, trend_chart
from tenure.web.pages.team_tables import (
    behind_link,
    book_table,
    comparison_table,
    ranking_choices,
    ranking_table,
)

log = logging.getLogger(__name__)


def team_performance_page(
    request: Request,
    period: str = "this_month",
    start: str | None = None,
    end: str | None = None,
    team: str | None = None,
    rank_by: str = "mrr",
) -> RedirectResponse | None:
    """The team page for the period, team and ranking in the query string."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with frame(page, "team.title"):
        if not can(page.principal, "view_team"):
            ui.label(page.t("team.not_permitted")).classes("text-negative").props(
                'data-testid="not-permitted"'
            ).mark("not-permitted")
            return None
        choice = period if period in PRESETS else "this_month"
        ranking = rank_by if rank_by in RANKINGS else "mrr"
        try:
            with db() as session:
                first, last = preset_span(
                    choice, today(session), _date(start), _date(end)
                )
                team_id = (int(team) or None) if team and team.isdigit() else None
                found = team_page(session, page.principal, first, last, team_id)
                teams = directory(session).teams
        except (TeamError, Forbidden) as exc:
            ui.label(str(exc)).classes("text-negative").props(
                'data-testid="error"'
            ).mark("error")
            return None
        state = {"period": choice, "start": start, "end": end, "team": team_id,
                 "rank_by": ranking}  # fmt: skip
        _content(page, found, teams, state)
    return None


def _date(text: str | None) -> dt.date | None:
    """A date from the query string (None if missing); a bad one is named."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise TeamError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _link(state: dict[str, Any], **change: Any) -> str:
    params = {**state, **change}
    if params["period"] != "custom":
        params["start"] = params["end"] = None
    return "/team" + link_query(**params)


def _content(
    page: PageContext, found: TeamPage, teams: dict[int, str], state: dict[str, Any]
) -> None:
    t = page.t
    figures = found.performance
    start, end = figures.start, figures.end
    _filters(page, teams, state, start, end)
    ui.label(t("team.attribution_help")).classes("text-caption text-grey-7")
    if found.comparison is not None:
        with ui.card().classes("w-full"):
            ui.label(t("team.comparison")).classes("text-subtitle1")
            comparison_table(
                page, found.comparison, lambda team: _link(state, team=team)
            )
    _headline(page, figures.total, figures.people, start, end)
    with ui.card().classes("w-full"):
        ui.label(t("team.trend")).classes("text-subtitle1")
        trend_chart(page, found.trend)
    with ui.card().classes("w-full"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(t("team.ranking")).classes("text-subtitle1")
            ui.space()
            ui.select(
                ranking_choices(page),
                value=state["rank_by"],
                label=t("team.rank_by"),
                on_change=lambda e: ui.navigate.to(_link(state, rank_by=e.value)),
            ).classes("min-w-[220px]").props('dense data-testid="rank-by"').mark(
                "rank-by"
            )
        _help(page)
        ranking_table(page, rank(figures.people, state["rank_by"]), start, end)
    with ui.row().classes("w-full gap-3 items-stretch"):
        with ui.card().classes("grow basis-[420px]"):
            ui.label(t("team.health")).classes("text-subtitle1")
            health_chart(page, figures.people, start, end)
        with ui.card().classes("grow basis-[420px]"):
            ui.label(t("team.book")).classes("text-subtitle1")
            book_table(page, figures.people, start, end)


def _filters(
    page: PageContext,
    teams: dict[int, str],
    state: dict[str, Any],
    start: dt.date,
    end: dt.date,
) -> None:
    t = page.t
    with ui.row().classes("w-full items-end gap-2"):
        ui.select(
            {p: t(f"team.period.{p}") for p in PRESETS},
            value=state["period"],
            label=t("team.period"),
            on_change=lambda e: _period(state, e.value, start, end),
        ).classes("min-w-[160px]").props('dense data-testid="period"').mark("period")
        if state["period"] == "custom":
            first = ui.input(t("common.from"), value=str(start)).props(
                'dense type=date data-testid="start"'
            )
            last = ui.input(t("common.to"), value=str(end)).props(
                'dense type=date data-testid="end"'
            )
            ui.button(
                t("common.apply"),
                on_click=lambda: ui.navigate.to(
                    _link(state, start=first.value, end=last.value)
                ),
            ).props('flat dense data-testid="apply"')
        if page.principal.role in COMPARING_ROLES:
            choices: dict[Any, str] = {0: t("team.all_teams")}
            choices.update(dict(sorted(teams.items(), key=lambda item: item[1])))
            ui.select(
                choices,
                value=state["team"] or 0,
                label=t("team.team"),
                on_change=lambda e: ui.navigate.to(_link(state, team=e.value or None)),
            ).classes("min-w-[160px]").props('dense data-testid="team"').mark("team")
        ui.label(f"{start} – {end}").classes("text-caption q-ml-sm").props(
            'data-testid="span"'
        ).mark("span")


def _period(state: dict[str, Any], chosen: str, start: dt.date, end: dt.date) -> None:
    if chosen == "custom":
        ui.navigate.to(_link(state, period="custom", start=start, end=end))
    else:
        ui.navigate.to(_link(state, period=chosen))


def _help(page: PageContext) -> None:
    t = page.t
    with ui.row().classes("items-center gap-3 text-caption text-grey-7"):
        for key in ("team.nrr_help", "team.rates_help"):
            with ui.icon("info", size="xs").classes("cursor-help"):
                ui.tooltip(t(key)).classes("max-w-[420px] text-body2")
        ui.label(t("team.click_hint"))


def _headline(
    page: PageContext,
    total: dict[str, Any],
    people: list[dict[str, Any]],
    start: dt.date,
    end: dt.date,
) -> None:
    """The total's figures; a CSM's link to the accounts behind them."""
    t, currency = page.t, page.currency
    alone = len(people) == 1 and people[0]["owner_id"] == page.principal.user_id
    owner = page.principal.user_id

    def target(figure: str) -> str | None:
        return behind_link(owner, figure, start, end) if alone else None

    net = total["transfers_in"] - total["transfers_out"]
    cards = (
        ("team.mrr", money_text(total["mrr"], currency),
         f"{t('team.opening_mrr')} {money_text(total['opening_mrr'], currency)}",
         "mrr", "total-mrr"),
        ("team.net_new_mrr", money_text(total["net_new_mrr"], currency),
         f"{t('team.transfers')} {money_text(net, currency)}", None, "total-net-new"),
        ("team.nrr", percent_text(total["nrr"]),
         f"{t('team.grr')} {percent_text(total['grr'])}", "nrr", "total-nrr"),
        ("team.logo_churn", percent_text(total["logo_churn_rate"]),
         money_text(total["churn"], currency), "churn", "total-churn"),
        ("team.rate_by_count", percent_text(total["rate_by_count"]),
         f"{total['renewed_count']} / {total['due_count']}", "renewals_due",
         "total-renewal-count"),
        ("team.gross_rate_by_amount", percent_text(total["gross_rate_by_amount"]),
         f"{t('team.net_rate_by_amount')} "
         f"{percent_text(total['net_rate_by_amount'])}", None,
         "total-renewal-amount"),
        ("team.tasks_overdue", str(total["tasks_overdue"]),
         f"{t('team.tasks_completed')} {total['tasks_completed']}", "tasks_overdue",
         "total-overdue"),
    )  # fmt: skip
    headline = ui.row().classes("w-full gap-2").props('data-testid="headline"')
    with headline.mark("headline"):
        for key, value, note, drill, testid in cards:
            link = target(drill) if drill else None
            figure(t(key), value, note=note, target=link, testid=testid)
