"""Tables for customer accounts, owner history and contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin


class Account(Base, TimestampMixin):
    """A customer: the company that pays, identified by the source system's id."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    industry: Mapped[str | None] = mapped_column(String(100), index=True)
    region: Mapped[str | None] = mapped_column(String(100), index=True)
    size: Mapped[str | None] = mapped_column(String(50))
    tier: Mapped[str | None] = mapped_column(String(50), index=True)
    # Set with the tier by the tier rules: 0-100, higher is served first.
    priority: Mapped[int | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_created_at: Mapped[dt.date | None]


class AccountOwnerHistory(Base):
    """Who owned an account from one date until the next change."""

    __tablename__ = "account_owner_history"
    __table_args__ = (
        Index("ix_owner_history_account_start", "account_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]


class Contact(Base, TimestampMixin):
    """A person at a customer account."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    is_primary: Mapped[bool] = mapped_column(default=False)
