"""Rules as JSON: list, create, change and delete them, preview, firings, run now.

Every role reads rules; creating, changing, deleting and running them needs
``manage_operations`` (admins and managers). Previews and firings list only the
accounts in the caller's data scope.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal, owner_scope
from tenure.revenue.loading import today
from tenure.rules import service as rules
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["rules"], default_response_class=TenureJSON)

Spec = Annotated[dict[str, Any], Body(description="A rule: name, trigger, action")]
AsOf = Annotated[dt.date | None, Query(description="The day to preview (today)")]


def _owners(session: Session, principal: Principal) -> frozenset[int] | None:
    return owner_scope(session, principal)


@router.get("/rules")
def list_rules(principal: Caller, session: Db) -> TenureJSON:
    """Every rule with its open task count and last firing."""
    return TenureJSON(rules.list_rules(session))


@router.post("/rules", status_code=status.HTTP_201_CREATED)
def create_rule(spec: Spec, principal: Caller, session: Db) -> TenureJSON:
    """Create a rule; errors name the field and value at fault."""
    allow(principal, "manage_operations")
    try:
        row = rules.create_rule(session, spec, principal.user_id)
    except rules.RuleError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(
        rules.get_rule(session, row.id), status_code=status.HTTP_201_CREATED
    )


@router.post("/rules/preview")
def preview_spec(
    spec: Spec, principal: Caller, session: Db, as_of: AsOf = None
) -> TenureJSON:
    """The accounts an unsaved rule would fire for, with the signal values."""
    day = as_of or today(session)
    try:
        rows = rules.preview(session, spec, day, _owners(session, principal))
    except rules.RuleError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(rows)


@router.post("/rules/evaluate")
def evaluate(principal: Caller, session: Db) -> TenureJSON:
    """Evaluate every active rule for today now, as the daily job does."""
    allow(principal, "manage_operations")
    stats = rules.evaluate_rules(session, today(session))
    return TenureJSON(stats.details())


@router.get("/rules/{rule_id}")
def get_rule(rule_id: int, principal: Caller, session: Db) -> TenureJSON:
    """One rule with its open task count and last firing."""
    try:
        return TenureJSON(rules.get_rule(session, rule_id))
    except rules.NotFound as exc:
        raise not_found(str(exc)) from None


@router.put("/rules/{rule_id}")
def update_rule(
    rule_id: int, changes: Spec, principal: Caller, session: Db
) -> TenureJSON:
    """Change the fields given; the version goes up when anything changed."""
    allow(principal, "manage_operations")
    try:
        rules.update_rule(session, rule_id, changes, principal.user_id)
    except rules.NotFound as exc:
        raise not_found(str(exc)) from None
    except rules.RuleError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(rules.get_rule(session, rule_id))


@router.delete("/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rule(rule_id: int, principal: Caller, session: Db) -> Response:
    """Delete a rule; the tasks it created stay."""
    allow(principal, "manage_operations")
    try:
        rules.delete_rule(session, rule_id)
    except rules.NotFound as exc:
        raise not_found(str(exc)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/rules/{rule_id}/preview")
def preview_rule(
    rule_id: int, principal: Caller, session: Db, as_of: AsOf = None
) -> TenureJSON:
    """The accounts the rule would fire for on the day, and whether deduplicated."""
    day = as_of or today(session)
    try:
        rows = rules.preview(session, rule_id, day, _owners(session, principal))
    except rules.NotFound as exc:
        raise not_found(str(exc)) from None
    except rules.RuleError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(rows)


@router.get("/rules/{rule_id}/firings")
def firings(
    rule_id: int,
    principal: Caller,
    session: Db,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many")] = 100,
) -> TenureJSON:
    """The rule's most recent firings, newest first."""
    try:
        rows = rules.firings(session, rule_id, limit, _owners(session, principal))
    except rules.NotFound as exc:
        raise not_found(str(exc)) from None
    return TenureJSON(rows)
