"""Tables for saved segments, tier rules and the key-account watch list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin, utcnow


class SavedSegment(Base, TimestampMixin):
    """A named filter over account attributes, MRR, health, usage and tags.

    ``definition`` holds the validated filter (see ``tenure.segments.schemas``).
    """

    __tablename__ = "saved_segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )


class TierRule(Base, TimestampMixin):
    """A tier (KA, A, B, ...) and the filter that earns it; lowest position first.

    The first rule whose filter an account matches gives the account its tier and
    ``priority`` (0-100, higher is served first).
    """

    __tablename__ = "tier_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int]
    priority: Mapped[int] = mapped_column(default=50)
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WatchEntry(Base):
    """An account a staff user keeps an eye on, with why."""

    __tablename__ = "watch_entry"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
