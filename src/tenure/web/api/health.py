"""Customer health and usage as JSON: scores and why, distributions, scorecards.

Reads are open to every role within its data scope; scorecard changes need
``manage_health`` (admins), overrides ``override_health`` (admins and managers)
and sentiment ``write_accounts``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal, owner_scope
from tenure.health import service as health
from tenure.health.models import SentimentEntry
from tenure.health.reads import DISTRIBUTION_FIELDS, override_row
from tenure.health.schemas import ScorecardRead
from tenure.health.scorecards import to_read
from tenure.revenue.loading import today
from tenure.usage.service import usage_rows
from tenure.web import health as changes
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"], default_response_class=TenureJSON)

USAGE_DAYS = 90
MAX_USAGE_DAYS = 731
Row = dict[str, Any]
ByParam = Annotated[
    str | None,
    Query(
        pattern=f"^({'|'.join(DISTRIBUTION_FIELDS)})$",
        description="Count by this account field",
    ),
]


class NewOverride(BaseModel):
    """A band set by hand until ``expires_on`` (the first day it no longer holds)."""

    band: str = Field(min_length=1, max_length=20)
    reason: str = Field(min_length=1, max_length=2000)
    expires_on: dt.date
    score: float | None = Field(default=None, ge=0, le=100)


class NewSentiment(BaseModel):
    """How the customer feels, 1 (very unhappy) to 5 (very happy), and why."""

    value: int = Field(ge=1, le=5)
    note: str | None = Field(default=None, max_length=2000)


def _sentiment(entry: SentimentEntry) -> Row:
    return {
        "id": entry.id,
        "value": entry.value,
        "note": entry.note,
        "recorded_on": entry.recorded_on,
    }


def _scorecard(card: ScorecardRead) -> Row:
    data: Row = card.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _owners(session: Session, principal: Principal) -> frozenset[int] | None:
    return owner_scope(session, principal)


@router.get("/accounts/{account_id}/health")
def account_health(account_id: str, principal: Caller, session: Db) -> TenureJSON:
    """The latest score explained measure by measure, its history and the override."""
    try:
        found = health.account_health(session, account_id, _owners(session, principal))
    except health.NotFound:
        raise not_found(f"no account '{account_id}'") from None
    return TenureJSON(found)


@router.get("/accounts/{account_id}/usage", tags=["usage"])
def account_usage(
    account_id: str,
    principal: Caller,
    session: Db,
    start: Annotated[dt.date | None, Query(description="First day (90 days)")] = None,
    end: Annotated[dt.date | None, Query(description="Last day (today)")] = None,
) -> TenureJSON:
    """Daily active users, events and features used; idle days as zeros."""
    last = end or today(session)
    first = start or last - dt.timedelta(days=USAGE_DAYS - 1)
    if last < first:
        raise unprocessable(f"end {last} is before start {first}")
    if (last - first).days >= MAX_USAGE_DAYS:
        raise unprocessable(
            f"start {first} to end {last} is more than {MAX_USAGE_DAYS} days"
        )
    try:
        rows = usage_rows(session, account_id, first, last, _owners(session, principal))
    except LookupError:
        raise not_found(f"no account '{account_id}'") from None
    return TenureJSON(rows)


@router.get("/health/scores")
def scores(
    principal: Caller,
    session: Db,
    as_of: Annotated[
        dt.date | None, Query(description="That day's scores (each latest)")
    ] = None,
    account: Annotated[str | None, Query(description="One account's id")] = None,
) -> TenureJSON:
    """Rows of ``tenure report health``: account_id, score, band, as_of."""
    owners = _owners(session, principal)
    return TenureJSON(health.report_rows(session, as_of, account, owners))


@router.get("/health/distribution")
def distribution(
    principal: Caller,
    session: Db,
    by: ByParam = None,
    as_of: Annotated[dt.date | None, Query(description="Day (latest)")] = None,
) -> TenureJSON:
    """Accounts per band, and per industry, region or tier, on one day."""
    owners = _owners(session, principal)
    return TenureJSON(health.distribution(session, as_of, by, owners))


@router.get("/health/trend")
def trend(
    principal: Caller,
    session: Db,
    by: ByParam = None,
    start: Annotated[dt.date | None, Query(description="First day (90 days)")] = None,
    end: Annotated[dt.date | None, Query(description="Last day (today)")] = None,
) -> TenureJSON:
    """Accounts per day and band (and segment): as_of, segment, band, accounts."""
    last = end or today(session)
    first = start or last - dt.timedelta(days=USAGE_DAYS - 1)
    try:
        rows = health.distribution_trend(
            session, first, last, by, _owners(session, principal)
        )
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(rows)


@router.get("/health/scorecards")
def list_scorecards(principal: Caller, session: Db) -> TenureJSON:
    """Every scorecard in priority order, with its id and version."""
    return TenureJSON([_scorecard(c) for c in health.list_scorecards(session)])


@router.post("/health/scorecards", status_code=status.HTTP_201_CREATED)
def create_scorecard(
    spec: Annotated[dict[str, Any], Body(description="A scorecard as exported")],
    principal: Caller,
    session: Db,
) -> TenureJSON:
    """Create a scorecard; errors name the scorecard, measure and field."""
    allow(principal, "manage_health")
    try:
        row = health.create(session, spec, by=principal.user_id)
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(_scorecard(to_read(row)), status_code=status.HTTP_201_CREATED)


@router.get(
    "/health/scorecards/export",
    responses={200: {"content": {"application/json": {}}}},
)
def export_scorecards(principal: Caller, session: Db) -> TenureJSON:
    """Every scorecard as one JSON document that import reads back."""
    allow(principal, "manage_health")
    return TenureJSON(
        health.export_scorecards(session),
        headers={"Content-Disposition": 'attachment; filename="scorecards.json"'},
    )


@router.post("/health/scorecards/import")
def import_scorecards(
    document: Annotated[dict[str, Any], Body(description="An export document")],
    principal: Caller,
    session: Db,
    replace: Annotated[
        bool, Query(description="Also delete the scorecards it does not name")
    ] = False,
) -> Row:
    """Create or update scorecards by name, all or nothing."""
    allow(principal, "manage_health")
    try:
        result = health.import_scorecards(
            session, document, replace=replace, by=principal.user_id
        )
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "deleted": result.deleted,
    }


@router.put("/health/scorecards/{scorecard_id}")
def update_scorecard(
    scorecard_id: int,
    changes_: Annotated[dict[str, Any], Body(description="Fields to change")],
    principal: Caller,
    session: Db,
) -> TenureJSON:
    """Change a scorecard; its version goes up when anything changed."""
    allow(principal, "manage_health")
    try:
        row = health.update_scorecard(
            session, scorecard_id, changes_, by=principal.user_id
        )
    except health.NotFound as exc:
        raise not_found(str(exc)) from None
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(_scorecard(to_read(row)))


@router.delete(
    "/health/scorecards/{scorecard_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_scorecard(scorecard_id: int, principal: Caller, session: Db) -> Response:
    """Delete a scorecard (the default only when it is the last one)."""
    allow(principal, "manage_health")
    try:
        health.delete_scorecard(session, scorecard_id)
    except health.NotFound as exc:
        raise not_found(str(exc)) from None
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/accounts/{account_id}/health/overrides", status_code=status.HTTP_201_CREATED
)
def create_override(
    account_id: str, new: NewOverride, principal: Caller, session: Db
) -> TenureJSON:
    """Set the account's band by hand, from today until ``expires_on``."""
    allow(principal, "override_health")
    try:
        row = changes.set_override(
            session,
            principal,
            account_id,
            band=new.band,
            reason=new.reason,
            expires_on=new.expires_on,
            score=new.score,
        )
    except health.NotFound:
        raise not_found(f"no account '{account_id}'") from None
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(override_row(row), status_code=status.HTTP_201_CREATED)


@router.delete("/accounts/{account_id}/health/overrides/{override_id}")
def revoke_override(
    account_id: str, override_id: int, principal: Caller, session: Db
) -> TenureJSON:
    """Revoke an override now."""
    allow(principal, "override_health")
    try:
        row = changes.revoke_override(session, principal, account_id, override_id)
    except health.NotFound as exc:
        raise not_found(str(exc)) from None
    return TenureJSON(override_row(row))


@router.post("/accounts/{account_id}/sentiment", status_code=status.HTTP_201_CREATED)
def add_sentiment(
    account_id: str, new: NewSentiment, principal: Caller, session: Db
) -> TenureJSON:
    """Record how the customer feels today (1 to 5) with a note."""
    allow(principal, "write_accounts")
    try:
        entry = changes.add_sentiment(
            session, principal, account_id, value=new.value, note=new.note
        )
    except health.NotFound:
        raise not_found(f"no account '{account_id}'") from None
    except health.HealthError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(_sentiment(entry), status_code=status.HTTP_201_CREATED)
