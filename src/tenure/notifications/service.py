"""Write and read in-app notifications."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenure.db.base import utcnow
from tenure.notifications.models import Notification

log = logging.getLogger(__name__)


def notify(
    session: Session,
    user_id: int,
    kind: str,
    title: str,
    *,
    body: str | None = None,
    link: str | None = None,
    details: dict[str, Any] | None = None,
) -> Notification:
    """Add a notification for ``user_id``, shown in their notification centre."""
    note = Notification(
        user_id=user_id,
        kind=kind,
        title=title[:300],
        body=body,
        link=link,
        details=details or {},
    )
    session.add(note)
    session.flush()
    return note


def unread_count(session: Session, user_id: int) -> int:
    """How many of ``user_id``'s notifications are unread."""
    query = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def recent(session: Session, user_id: int, limit: int = 50) -> list[Notification]:
    """``user_id``'s newest notifications, read or not."""
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_read(session: Session, user_id: int, ids: list[int] | None = None) -> int:
    """Mark ``user_id``'s notifications read (all unread ones without ``ids``)."""
    statement = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    result = session.execute(
        statement.values(read_at=utcnow()).execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def find(session: Session, user_id: int, note_id: int) -> Notification | None:
    """``user_id``'s notification ``note_id``; another user's is not found."""
    note = session.get(Notification, note_id)
    return note if note is not None and note.user_id == user_id else None
