"""Team and personal performance as JSON (or CSV): people, teams, trend, drill-down.

Needs the ``view_team`` permission (a viewer gets 403). A CSM sees their own row,
a manager their teams, executives and admins everyone and the team comparison.
Figures are attributed to the owner at the time (``tenure.team.attribution``).
Without dates a figure covers the current month to date; the trend its last 12
periods to today.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from tenure.revenue.loading import today
from tenure.revenue.reports import ReportError, report_span
from tenure.revenue.service import StaleFactsError
from tenure.team import performance as team
from tenure.team.behind import behind as accounts_behind
from tenure.team.export import COMPARISON_COLUMNS, PERSON_COLUMNS, csv_text
from tenure.team.figures import rank
from tenure.team.reads import TeamError
from tenure.team.trend import team_trend
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    answering,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["team"], default_response_class=TenureJSON)

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
StartParam = Annotated[
    dt.date | None, Query(description="First day (default: the month's first)")
]
EndParam = Annotated[dt.date | None, Query(description="Last day (default: today)")]
TeamParam = Annotated[int | None, Query(description="Keep one team's people")]
FormatParam = Annotated[str, Query(pattern="^(json|csv)$")]
BOTH: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}, "text/csv": {}}}
}


def answered() -> AbstractContextManager[None]:
    """Turn the team area's errors into 403 and 422 responses."""
    return answering(invalid=(TeamError, ReportError, StaleFactsError))


def _span(
    session: Session, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    last = end or today(session)
    return start or last.replace(day=1), last


def _csv(rows: list[dict[str, Any]], columns: tuple[str, ...], name: str) -> Response:
    return Response(
        csv_text(rows, columns),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/team/performance", responses=BOTH)
def performance(
    principal: Caller,
    session: Db,
    start: StartParam = None,
    end: EndParam = None,
    team_id: Annotated[int | None, Query(alias="team")] = None,
    rank_by: Annotated[
        str | None, Query(alias="rank", description="Rank people by this figure")
    ] = None,
    format: FormatParam = "json",
) -> Response:
    """Each person's figures and the total; ``format=csv``: the people and total."""
    allow(principal, "view_team")
    with answered():
        first, last = _span(session, start, end)
        found = team.performance(session, principal, first, last, team_id)
        people = rank(found.people, rank_by) if rank_by else found.people
    if format == "csv":
        total = {**found.total, "name": "total"}
        return _csv([*people, total], PERSON_COLUMNS, "team")
    return TenureJSON(
        {
            "start": found.start,
            "end": found.end,
            "today": found.today,
            "currency": found.currency,
            "team_id": found.team_id,
            "people": people,
            "total": found.total,
        }
    )


@router.get("/team/comparison", responses=BOTH)
def comparison(
    principal: Caller,
    session: Db,
    start: StartParam = None,
    end: EndParam = None,
    format: FormatParam = "json",
) -> Response:
    """One row per team and one for no team (executives and admins)."""
    allow(principal, "view_team")
    with answered():
        first, last = _span(session, start, end)
        rows = team.team_comparison(session, principal, first, last)
    if format == "csv":
        return _csv(rows, COMPARISON_COLUMNS, "teams")
    return TenureJSON(rows)


@router.get("/team/trend")
def trend(
    principal: Caller,
    session: Db,
    interval: Annotated[str, Query(description="day, week, month, quarter, year")] = (
        "month"
    ),
    start: Annotated[
        dt.date | None, Query(description="First day (default: 11 periods back)")
    ] = None,
    end: EndParam = None,
    team_id: Annotated[int | None, Query(alias="team")] = None,
    owner: Annotated[int | None, Query(description="One person's staff id")] = None,
) -> TenureJSON:
    """MRR and its movements per period, of the caller's view or one person."""
    allow(principal, "view_team")
    with answered():
        first, last = report_span(session, interval, start, end)
        rows = team_trend(session, principal, interval, first, last, team_id, owner)
    return TenureJSON(rows)


@router.get("/team/behind")
def behind(
    principal: Caller,
    session: Db,
    owner: Annotated[str, Query(description="A staff id, or 'none' for nobody")],
    figure: Annotated[str, Query(description="e.g. churn, mrr, renewals_due")],
    start: StartParam = None,
    end: EndParam = None,
) -> TenureJSON:
    """The accounts behind one person's figure; their amounts add up to it."""
    allow(principal, "view_team")
    owner_id = _owner(owner)
    with answered():
        first, last = _span(session, start, end)
        rows = accounts_behind(session, principal, owner_id, figure, first, last)
    return TenureJSON(rows)


def _owner(text: str) -> int | None:
    """A staff id from the query, or None for 'none' (accounts without an owner)."""
    if text.strip().lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise unprocessable(f"owner '{text}' must be a staff id or 'none'") from None
