"""Tables for health scorecards, daily score snapshots, overrides and sentiment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin, utcnow


class Scorecard(Base, TimestampMixin):
    """A health model for one segment: its measures, bands and exceptions.

    ``definition`` holds the validated scorecard (see ``tenure.health.schemas``); the
    segment with the lowest ``priority`` number that matches an account scores it, and
    the default scorecard scores every account no segment claims.
    """

    __tablename__ = "scorecard"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    priority: Mapped[int] = mapped_column(default=100)
    is_default: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    segment: Mapped[dict[str, Any]] = mapped_column(default=dict)
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )


class HealthSnapshot(Base):
    """An account's health on one day: the score, its band and every measure behind it.

    ``score`` is empty when too little data was available ("insufficient data");
    ``measures`` lists each measure's value, points, weight and status as scored.
    """

    __tablename__ = "health_snapshot"
    __table_args__ = (Index("ix_health_snapshot_as_of_band", "as_of", "band"),)

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    as_of: Mapped[dt.date] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int | None] = mapped_column(
        ForeignKey("scorecard.id", ondelete="SET NULL")
    )
    scorecard_version: Mapped[int] = mapped_column(default=1)
    score: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    band: Mapped[str] = mapped_column(String(20))
    computed_score: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    reason: Mapped[str | None] = mapped_column(String(500))
    measures: Mapped[list[Any]] = mapped_column(JSON, default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class HealthOverride(Base):
    """A health band (or score) set by hand, with a reason, until it expires."""

    __tablename__ = "health_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    band: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    reason: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[dt.date]
    expires_on: Mapped[dt.date]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class SentimentEntry(Base):
    """A CSM's read of how a customer feels, on a 1 (very unhappy) to 5 scale."""

    __tablename__ = "sentiment_entry"
    __table_args__ = (Index("ix_sentiment_account_date", "account_id", "recorded_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    value: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    recorded_on: Mapped[dt.date]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
