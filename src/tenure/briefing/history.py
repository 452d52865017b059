"""What went out: the briefings of a date and how each of their deliveries went."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.briefing.models import Briefing, BriefingDelivery, ChatWebhook
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

COLUMNS = (
    "date",
    "user",
    "origin",
    "late",
    "channel",
    "status",
    "attempts",
    "sent_at",
    "next_attempt_at",
    "last_error",
)


def deliveries_on(
    session: Session, day: dt.date, user_id: int | None = None
) -> list[dict[str, Any]]:
    """One row per delivery of the briefings of local date ``day``, by user."""
    query = (
        select(Briefing, BriefingDelivery, StaffUser.email)
        .join(StaffUser, StaffUser.id == Briefing.user_id)
        .outerjoin(BriefingDelivery, BriefingDelivery.briefing_id == Briefing.id)
        .where(Briefing.briefing_date == day)
        .order_by(StaffUser.email, BriefingDelivery.id)
    )
    if user_id is not None:
        query = query.where(Briefing.user_id == user_id)
    rows = session.execute(query).all()
    names = dict(session.execute(select(ChatWebhook.id, ChatWebhook.name)).all())
    found = []
    for briefing, delivery, email in rows:
        row: dict[str, Any] = {
            "briefing_id": briefing.id,
            "date": briefing.briefing_date,
            "user": email,
            "origin": briefing.origin,
            "late": briefing.late,
            "scheduled_at": briefing.scheduled_at,
        }
        if delivery is not None:
            row.update(
                channel=delivery.channel,
                channel_name=_channel_name(delivery.channel, names),
                status=delivery.status,
                attempts=delivery.attempts,
                sent_at=delivery.sent_at,
                next_attempt_at=(
                    delivery.next_attempt_at if delivery.status == "pending" else None
                ),
                last_error=delivery.last_error,
            )
        found.append(row)
    return found


def _channel_name(channel: str, names: dict[int, str]) -> str:
    """'email', 'in_app' or the webhook's name (its channel if it was deleted)."""
    if channel.startswith("webhook:"):
        return names.get(int(channel.split(":", 1)[1]), channel)
    return channel
