"""Tables for playbooks and their runs on accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin

KINDS = ("implementation", "onboarding", "service", "upsell", "renewal", "other")


class Playbook(Base, TimestampMixin):
    """An admin-defined process: ordered steps, each due some days after the start.

    ``steps`` and ``applies_to`` hold validated JSON (see
    ``tenure.playbooks.schemas``); every edit raises ``version``.
    """

    __tablename__ = "playbook"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    applies_to: Mapped[dict[str, Any]] = mapped_column(default=dict)
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )


class PlaybookRun(Base, TimestampMixin):
    """One playbook under way for one account.

    ``steps`` is a copy of the playbook's steps when the run started, each with the
    task it created (or why it was skipped), so editing the playbook later never
    changes a run already under way.
    """

    __tablename__ = "playbook_run"
    __table_args__ = (Index("ix_playbook_run_account_status", "account_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbook.id", ondelete="SET NULL"), index=True
    )
    playbook_version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(12), default="active")
    started_on: Mapped[dt.date]
    completed_on: Mapped[dt.date | None]
    source: Mapped[str] = mapped_column(String(10), default="manual")
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rule.id", ondelete="SET NULL")
    )
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    steps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
