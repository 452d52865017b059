"""Tables for event sources (write keys) and per-account daily usage rollups.

Raw events live in the DuckDB event store (``tenure.usage.store``); the system of
record holds only what the rollup job copies out of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, utcnow


class EventSource(Base):
    """A producer of usage events, authenticated by a write key kept only as a hash."""

    __tablename__ = "event_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class UsageDaily(Base):
    """One account's product usage on one day (in the configured time zone)."""

    __tablename__ = "usage_daily"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(primary_key=True, index=True)
    active_users: Mapped[int]
    events: Mapped[int]
    features_used: Mapped[int]
    event_counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_seen_at: Mapped[dt.datetime]
