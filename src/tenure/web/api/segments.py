"""Saved segments, tier rules and the caller's watch list as JSON.

Every role reads segments and tiers, with member counts and rows limited to its
data scope; changing them needs ``manage_operations`` (admins and managers). The
watch list is the caller's own, so every role keeps one, of accounts in scope.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal, owner_scope
from tenure.revenue.loading import today
from tenure.segments import service as segments
from tenure.segments import tiers, watch
from tenure.segments.schemas import NotFound, SegmentError
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["segments"], default_response_class=TenureJSON)

Spec = Annotated[
    dict[str, Any], Body(description="A segment: key, name, description, definition")
]
AsOf = Annotated[dt.date | None, Query(description="Members on this day (today)")]
Limit = Annotated[int | None, Query(ge=1, le=10_000, description="At most this many")]


class WatchReason(BaseModel):
    """Why the caller watches an account."""

    reason: str | None = Field(default=None, max_length=300)


def _owners(session: Session, principal: Principal) -> frozenset[int] | None:
    return owner_scope(session, principal)


def _failed(exc: SegmentError) -> HTTPException:
    """The response to a segment error: 404 unknown, 409 in use, else 422."""
    if isinstance(exc, NotFound):
        return not_found(str(exc))
    if isinstance(exc, segments.SegmentInUse):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    return unprocessable(str(exc))


def _one(session: Session, key: str, owners: frozenset[int] | None) -> dict[str, Any]:
    row = segments.get_segment(session, key)
    count = len(
        segments.member_ids(
            session, row, today(session), segments.scope_ids(session, owners)
        )
    )
    return segments.segment_row(row, count)


@router.get("/segments")
def list_segments(principal: Caller, session: Db, as_of: AsOf = None) -> TenureJSON:
    """Every saved segment by name, with its members in the caller's scope."""
    owners = _owners(session, principal)
    return TenureJSON(segments.list_segments(session, owners, as_of))


@router.post("/segments", status_code=status.HTTP_201_CREATED)
def create_segment(spec: Spec, principal: Caller, session: Db) -> TenureJSON:
    """Save a segment; errors name the field and value at fault."""
    allow(principal, "manage_operations")
    try:
        row = segments.create_segment(session, spec, principal.user_id)
        found = _one(session, row.key, _owners(session, principal))
    except SegmentError as exc:
        raise _failed(exc) from None
    return TenureJSON(found, status_code=status.HTTP_201_CREATED)


@router.post("/segments/preview")
def preview(
    definition: Annotated[dict[str, Any], Body(description="An unsaved filter")],
    principal: Caller,
    session: Db,
    as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=500)] = segments.PREVIEW_ROWS,
) -> TenureJSON:
    """How many accounts in scope an unsaved filter holds, and the first of them."""
    day = as_of or today(session)
    owners = _owners(session, principal)
    try:
        found = segments.preview(session, definition, day, owners, limit)
    except SegmentError as exc:
        raise _failed(exc) from None
    return TenureJSON(found)


@router.get("/segments/{key}")
def get_segment(key: str, principal: Caller, session: Db) -> TenureJSON:
    """One saved segment with its filter and members in scope."""
    try:
        return TenureJSON(_one(session, key, _owners(session, principal)))
    except SegmentError as exc:
        raise _failed(exc) from None


@router.put("/segments/{key}")
def update_segment(key: str, spec: Spec, principal: Caller, session: Db) -> TenureJSON:
    """Replace a segment's key, name, description and filter."""
    allow(principal, "manage_operations")
    try:
        row = segments.update_segment(session, key, spec, principal.user_id)
        found = _one(session, row.key, _owners(session, principal))
    except SegmentError as exc:
        raise _failed(exc) from None
    return TenureJSON(found)


@router.delete("/segments/{key}", status_code=status.HTTP_204_NO_CONTENT)
def delete_segment(key: str, principal: Caller, session: Db) -> Response:
    """Delete a segment; 409 while a rule uses it."""
    allow(principal, "manage_operations")
    try:
        segments.delete_segment(session, key)
    except SegmentError as exc:
        raise _failed(exc) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/segments/{key}/accounts")
def segment_accounts(
    key: str, principal: Caller, session: Db, as_of: AsOf = None, limit: Limit = None
) -> TenureJSON:
    """The segment's accounts in scope, biggest MRR first: total and rows."""
    day = as_of or today(session)
    try:
        rows = segments.members(session, key, day, _owners(session, principal))
    except SegmentError as exc:
        raise _failed(exc) from None
    return TenureJSON({"total": len(rows), "rows": rows[:limit] if limit else rows})


@router.get("/tiers")
def list_tiers(principal: Caller, session: Db) -> TenureJSON:
    """The tier rules in order: tier, position, priority, definition."""
    return TenureJSON([tiers.tier_row(rule) for rule in tiers.list_tier_rules(session)])


@router.put("/tiers")
def replace_tiers(
    rules: Annotated[list[Any], Body(description="Every tier rule, first first")],
    principal: Caller,
    session: Db,
    apply: Annotated[
        bool, Query(description="Also assign tiers now, as the daily job does")
    ] = False,
) -> TenureJSON:
    """Replace the whole ordered list of tier rules, all or nothing."""
    allow(principal, "manage_operations")
    try:
        rows = tiers.replace_tier_rules(session, rules)
    except SegmentError as exc:
        raise _failed(exc) from None
    body: dict[str, Any] = {"rules": [tiers.tier_row(row) for row in rows]}
    if apply:
        body["assigned"] = tiers.assign_tiers(session, today(session)).details()
    return TenureJSON(body)


@router.get("/watchlist")
def watch_list(principal: Caller, session: Db) -> TenureJSON:
    """The caller's watched accounts, highest priority first."""
    return TenureJSON(watch.watched(session, principal.user_id))


@router.put("/watchlist/{account_id}")
def watch_account(
    account_id: str,
    principal: Caller,
    session: Db,
    body: Annotated[WatchReason | None, Body()] = None,
) -> TenureJSON:
    """Watch an account in scope (again: change why)."""
    reason = body.reason if body is not None else None
    try:
        entry = watch.watch(session, principal.user_id, account_id, reason)
    except SegmentError as exc:
        raise _failed(exc) from None
    return TenureJSON(
        {"account_id": account_id, "watched": True, "reason": entry.reason}
    )


@router.delete("/watchlist/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
def unwatch_account(account_id: str, principal: Caller, session: Db) -> Response:
    """Stop watching an account."""
    try:
        watch.unwatch(session, principal.user_id, account_id)
    except SegmentError as exc:
        raise _failed(exc) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
