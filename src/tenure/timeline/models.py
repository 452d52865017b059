"""Tables for timeline activities and churn reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin

KINDS = ("note", "call", "meeting", "email", "follow_up", "task", "system")
# Kinds a person logs by hand; "task" and "system" entries are written by Tenure.
LOGGED_KINDS = ("note", "call", "meeting", "email", "follow_up")
CHURN_REASONS = (
    "price",
    "product_fit",
    "missing_feature",
    "support",
    "competitor",
    "budget",
    "champion_left",
    "acquired",
    "business_closed",
    "other",
)


class Activity(Base, TimestampMixin):
    """Something that happened with a customer, logged against the account.

    ``occurred_at`` is when it happened (a call last Tuesday), ``created_at`` when
    it was written down. A "task" entry records a completed task (``task_id``).
    """

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_account_occurred", "account_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[dt.datetime]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL")
    )
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ChurnReview(Base, TimestampMixin):
    """Why a churned customer left, what happened and what the team learned."""

    __tablename__ = "churn_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    churned_on: Mapped[dt.date | None]
    reason: Mapped[str] = mapped_column(String(30))
    what_happened: Mapped[str] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    preventable: Mapped[bool | None]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
