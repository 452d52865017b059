"""The caller's notifications as JSON: the newest with the unread count; mark read."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from tenure.notifications import service as notifications
from tenure.notifications.models import Notification
from tenure.web.api.deps import Caller, Db, TenureJSON, unprocessable

log = logging.getLogger(__name__)

router = APIRouter(tags=["notifications"], default_response_class=TenureJSON)

MAX_IDS = 1000


class ReadMark(BaseModel):
    """Which notifications to mark read: ``ids``, or ``all`` of them."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int] | None = Field(default=None, min_length=1, max_length=MAX_IDS)
    all: bool = False


def _row(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "details": dict(note.details or {}),
        "created_at": note.created_at,
        "read_at": note.read_at,
    }


@router.get("/notifications")
def list_notifications(
    principal: Caller,
    session: Db,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TenureJSON:
    """The caller's newest notifications, read or not, and how many are unread."""
    rows = notifications.recent(session, principal.user_id, limit=limit)
    return TenureJSON(
        {
            "unread": notifications.unread_count(session, principal.user_id),
            "rows": [_row(note) for note in rows],
        }
    )


@router.post("/notifications/read")
def mark_read(mark: ReadMark, principal: Caller, session: Db) -> TenureJSON:
    """Mark the given notifications of the caller read, or all of them."""
    if mark.all == (mark.ids is not None):
        raise unprocessable("give either 'ids' or 'all': true, not both or neither")
    marked = notifications.mark_read(session, principal.user_id, mark.ids)
    return TenureJSON(
        {
            "marked": marked,
            "unread": notifications.unread_count(session, principal.user_id),
        }
    )
