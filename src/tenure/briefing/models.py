"""Tables of briefing preferences, chat webhooks, briefings and their deliveries.

A briefing is one user's for one local date, unique on both: whichever process
inserts it first sends it, so a restart or a second server never sends it twice.
Each channel's delivery is its own row with attempts, the next retry and the last
error, so a failure is retried and never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin, utcnow

WEBHOOK_KINDS = ("wecom", "dingtalk", "feishu", "slack")
DELIVERY_STATUSES = ("pending", "sent", "failed")


class BriefingPreference(Base, TimestampMixin):
    """Whether, when and where a staff user gets the daily briefing."""

    __tablename__ = "briefing_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    # Local time of day in the user's time zone, "HH:MM".
    send_time: Mapped[str] = mapped_column(String(5), default="08:30")
    email: Mapped[bool] = mapped_column(default=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    # When the current subscription began (turning it back on restarts it): no
    # briefing is sent for a slot before it.
    subscribed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ChatWebhook(Base, TimestampMixin):
    """A chat robot webhook (WeCom, DingTalk, Feishu, Slack) for a user's briefing."""

    __tablename__ = "chat_webhook"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(1000))
    # DingTalk and Feishu robots may require signed requests.
    secret: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Briefing(Base):
    """One user's briefing for one local date, frozen when it was claimed."""

    __tablename__ = "briefing"
    __table_args__ = (
        UniqueConstraint("user_id", "briefing_date", name="uq_briefing_user_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE")
    )
    briefing_date: Mapped[dt.date]
    scheduled_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Sent after its scheduled time because the server was down or busy then.
    late: Mapped[bool] = mapped_column(default=False)
    # "scheduled" by the job, "manual" from `tenure briefing send`.
    origin: Mapped[str] = mapped_column(String(20), default="scheduled")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BriefingDelivery(Base):
    """One channel's delivery of a briefing: email, in_app or webhook:<id>."""

    __tablename__ = "briefing_delivery"
    __table_args__ = (
        UniqueConstraint("briefing_id", "channel", name="uq_briefing_delivery"),
        Index("ix_briefing_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    briefing_id: Mapped[int] = mapped_column(
        ForeignKey("briefing.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A process working on the delivery holds it until then.
    locked_until: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]
