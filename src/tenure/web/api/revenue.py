"""Revenue figures as JSON: the same rows, field names and values as the CLI reports."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tenure.auth.scope import account_ids_in_scope
from tenure.revenue import reports
from tenure.revenue.loading import today
from tenure.revenue.models import MOVEMENT_KINDS
from tenure.revenue.overview import business_overview
from tenure.revenue.renewals import OUTCOMES
from tenure.revenue.service import StaleFactsError
from tenure.segments import service as segments
from tenure.segments.schemas import SegmentError
from tenure.web.api.deps import Caller, Db, TenureJSON, unprocessable

log = logging.getLogger(__name__)

router = APIRouter(default_response_class=TenureJSON)

Rows = list[dict[str, Any]]
IntervalParam = Annotated[
    str, Query(pattern="^(day|week|month|quarter|year)$", description="Period length")
]
StartParam = Annotated[
    dt.date | None, Query(description="First day (default: 11 periods back)")
]
EndParam = Annotated[dt.date | None, Query(description="Last day (default: today)")]
ByParam = Annotated[
    str | None,
    Query(
        pattern=f"^({'|'.join(reports.DIMENSIONS)})$",
        description="Break down by this dimension",
    ),
]


def filters(
    industry: str | None = None,
    region: str | None = None,
    tier: str | None = None,
    owner: Annotated[str | None, Query(description="Owner's email")] = None,
    plan: str | None = None,
    currency: str | None = None,
    customer: Annotated[str | None, Query(description="One account's id")] = None,
) -> dict[str, str]:
    """Keep only accounts with these dimension values (the CLI's --where)."""
    given = {
        "industry": industry,
        "region": region,
        "tier": tier,
        "owner": owner,
        "plan": plan,
        "currency": currency,
        "customer": customer,
    }
    return {key: value for key, value in given.items() if value is not None}


Where = Annotated[dict[str, str], Depends(filters)]


def scope(
    principal: Caller,
    session: Db,
    segment: Annotated[
        str | None, Query(description="A saved segment's key (members today)")
    ] = None,
) -> frozenset[int] | None:
    """The accounts a report covers: the caller's scope, within a segment if given."""
    accounts = account_ids_in_scope(session, principal)
    if segment is None or not segment.strip():
        return accounts
    try:
        found = segments.get_segment(session, segment)
        members = segments.member_ids(session, found, today(session), accounts)
    except SegmentError as exc:
        raise unprocessable(f"segment '{segment}': {exc.reason}") from None
    return frozenset(members)


Scope = Annotated[frozenset[int] | None, Depends(scope)]


def _run(build: Any, *args: Any, **kwargs: Any) -> TenureJSON:
    """Run a report and return its rows; decimals stay numbers, as in the CLI."""
    try:
        rows: Rows = build(*args, **kwargs)
    except (reports.ReportError, StaleFactsError) as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(rows)


def _span(
    session: Session, interval: str, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    try:
        return reports.report_span(session, interval, start, end)
    except reports.ReportError as exc:
        raise unprocessable(str(exc)) from None


@router.get("/revenue/mrr", tags=["revenue"])
def mrr(
    accounts: Scope,
    session: Db,
    where: Where,
    interval: IntervalParam = "month",
    start: StartParam = None,
    end: EndParam = None,
    by: ByParam = None,
) -> TenureJSON:
    """MRR and its movements per period: period, [group], mrr, new, expansion, ..."""
    first, last = _span(session, interval, start, end)
    return _run(
        reports.mrr_report, session, interval, first, last, by, where,
        accounts,
    )  # fmt: skip


@router.get("/revenue/retention", tags=["revenue"])
def retention(
    accounts: Scope,
    session: Db,
    where: Where,
    interval: IntervalParam = "month",
    start: StartParam = None,
    end: EndParam = None,
) -> TenureJSON:
    """NRR, GRR, logo and revenue churn, quick ratio, ARPA and LTV per period."""
    first, last = _span(session, interval, start, end)
    return _run(
        reports.retention_report, session, interval, first, last, where,
        accounts,
    )  # fmt: skip


@router.get("/revenue/cohorts", tags=["revenue"])
def cohorts(
    accounts: Scope,
    session: Db,
    where: Where,
    start: StartParam = None,
    end: EndParam = None,
) -> TenureJSON:
    """Logo and revenue retention of monthly cohorts."""
    first, last = _span(session, "month", start, end)
    return _run(reports.cohorts_report, session, first, last, where, accounts)


@router.get("/revenue/movements", tags=["revenue"])
def movements(
    accounts: Scope,
    session: Db,
    where: Where,
    start: Annotated[dt.date, Query(description="First day")],
    end: Annotated[dt.date, Query(description="Last day (inclusive)")],
    kind: Annotated[
        str | None, Query(pattern=f"^({'|'.join(MOVEMENT_KINDS)})$")
    ] = None,
) -> TenureJSON:
    """The customers behind the movements between two dates: the drill-down."""
    if end < start:
        raise unprocessable(f"end {end} is before start {start}")
    return _run(
        reports.movements_report, session, start, end, kind, where,
        accounts,
    )  # fmt: skip


@router.get("/revenue/customers", tags=["revenue"])
def paying_customers(accounts: Scope, session: Db, where: Where) -> TenureJSON:
    """Today's paying customers and their MRR, biggest first."""
    return _run(reports.active_customers_report, session, where, accounts)


@router.get("/renewals", tags=["renewals"])
def renewals(
    accounts: Scope,
    session: Db,
    where: Where,
    interval: IntervalParam = "month",
    start: StartParam = None,
    end: EndParam = None,
    by: ByParam = None,
) -> TenureJSON:
    """Terms due per period, outcomes, rates by count (续约率) and amount (续费率)."""
    first, last = _span(session, interval, start, end)
    return _run(
        reports.renewals_report, session, interval, first, last, by, where,
        accounts,
    )  # fmt: skip


@router.get("/renewals/terms", tags=["renewals"])
def renewal_terms(
    accounts: Scope,
    session: Db,
    where: Where,
    start: Annotated[dt.date, Query(description="First due day")],
    end: Annotated[dt.date, Query(description="Last due day (inclusive)")],
    outcome: Annotated[str | None, Query(pattern=f"^({'|'.join(OUTCOMES)})$")] = None,
) -> TenureJSON:
    """The renewal terms due between two dates, biggest first: the drill-down."""
    if end < start:
        raise unprocessable(f"end {end} is before start {start}")
    return _run(
        reports.renewal_terms_report, session, start, end, outcome, where,
        accounts,
    )  # fmt: skip


@router.get("/overview", tags=["revenue"])
def overview(accounts: Scope, session: Db) -> TenureJSON:
    """Active customers now and their trend, arrivals, churn, customers by segment."""
    try:
        return TenureJSON(business_overview(session, accounts))
    except StaleFactsError as exc:
        raise unprocessable(str(exc)) from None
