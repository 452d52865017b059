"""The daily briefing as JSON: the caller's preference, webhooks and preview; admins
see what went out on a date.

Every signed-in role manages its own briefing; a bad send time, platform or address
is a 422 naming the field and the value.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, ConfigDict

from tenure.auth.scope import Principal
from tenure.briefing import preferences as prefs
from tenure.briefing.channels import send_test
from tenure.briefing.content import build_briefing
from tenure.briefing.history import deliveries_on
from tenure.db.base import utcnow
from tenure.revenue.loading import today
from tenure.staff.models import StaffUser
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["briefing"], default_response_class=TenureJSON)


class PreferenceChange(BaseModel):
    """The fields of the caller's briefing preference to change."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    send_time: str | None = None
    email: bool | None = None
    in_app: bool | None = None


class NewWebhook(BaseModel):
    """A chat robot webhook: platform, address, optional name and signing secret."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    url: str
    name: str | None = None
    secret: str | None = None


def _me(session: Db, principal: Principal) -> StaffUser:
    user = session.get(StaffUser, principal.user_id)
    if user is None:
        raise not_found(f"staff user {principal.user_id} not found")
    return user


@router.get("/me/briefing")
def get_preference(principal: Caller, session: Db) -> TenureJSON:
    """Whether, when (in which zone) and how the caller gets the daily briefing."""
    return TenureJSON(prefs.describe(session, _me(session, principal)))


@router.put("/me/briefing")
def put_preference(
    change: PreferenceChange, principal: Caller, session: Db
) -> TenureJSON:
    """Change the caller's preference; fields left out keep their value."""
    user = _me(session, principal)
    try:
        prefs.set_preference(session, user.id, **change.model_dump(exclude_unset=True))
    except prefs.PreferenceError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(prefs.describe(session, user))


@router.get("/me/briefing/preview")
def preview(
    principal: Caller,
    session: Db,
    date: Annotated[
        dt.date | None, Query(description="Local date (default: the caller's today)")
    ] = None,
) -> TenureJSON:
    """The caller's briefing for a date as a document, sent nowhere."""
    user = _me(session, principal)
    day = date or utcnow().astimezone(prefs.user_zone(session, user)).date()
    return TenureJSON(build_briefing(session, user, day).to_json())


@router.get("/me/webhooks")
def list_webhooks(principal: Caller, session: Db) -> TenureJSON:
    """The caller's chat webhooks (addresses masked, secrets never shown)."""
    hooks = prefs.list_webhooks(session, principal.user_id)
    return TenureJSON([prefs.webhook_row(hook) for hook in hooks])


@router.post("/me/webhooks", status_code=status.HTTP_201_CREATED)
def add_webhook(new: NewWebhook, principal: Caller, session: Db) -> TenureJSON:
    """Add a chat webhook to the caller's briefing."""
    try:
        hook = prefs.add_webhook(session, principal.user_id, **new.model_dump())
    except prefs.PreferenceError as exc:
        raise unprocessable(str(exc)) from None
    return TenureJSON(prefs.webhook_row(hook), status_code=status.HTTP_201_CREATED)


@router.delete("/me/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(webhook_id: int, principal: Caller, session: Db) -> Response:
    """Delete one of the caller's webhooks."""
    try:
        prefs.delete_webhook(session, principal.user_id, webhook_id)
    except prefs.WebhookNotFound as exc:
        raise not_found(str(exc)) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/webhooks/{webhook_id}/test")
def test_webhook(webhook_id: int, principal: Caller, session: Db) -> TenureJSON:
    """Post a one-line test message to one of the caller's webhooks."""
    try:
        prefs.get_webhook(session, principal.user_id, webhook_id)
    except prefs.WebhookNotFound as exc:
        raise not_found(str(exc)) from None
    outcome = send_test(session, webhook_id)
    return TenureJSON({"ok": outcome.ok, "error": outcome.error})


@router.get("/briefings")
def list_briefings(
    principal: Caller,
    session: Db,
    date: Annotated[
        dt.date | None, Query(description="Local date (default: the company's today)")
    ] = None,
) -> TenureJSON:
    """Every briefing of a date and how each delivery went (admins only)."""
    allow(principal, "manage_settings")
    day = date or today(session)
    return TenureJSON({"date": day, "rows": deliveries_on(session, day)})
