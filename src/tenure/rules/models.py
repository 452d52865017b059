"""Tables for rules, each account's last state under a rule, and firings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin, utcnow


class Rule(Base, TimestampMixin):
    """A signal to watch and what to do when an account starts to show it.

    ``trigger`` and ``action`` hold validated JSON (see ``tenure.rules.schemas``);
    ``segment_id`` limits the rule to a saved segment's accounts.
    """

    __tablename__ = "rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(default=dict)
    action: Mapped[dict[str, Any]] = mapped_column(default=dict)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("saved_segment.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )


class RuleState(Base):
    """Whether an account showed a rule's signal when the rule was last evaluated.

    A rule fires on the change from not showing to showing, so this row is what
    keeps it from firing again every day while the signal lasts.
    """

    __tablename__ = "rule_state"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("rule.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    matched: Mapped[bool]
    evaluated_on: Mapped[dt.date]
    since: Mapped[dt.date | None]


class RuleFiring(Base):
    """One rule firing for one account: the signal values and what it created."""

    __tablename__ = "rule_firing"
    __table_args__ = (Index("ix_rule_firing_rule_day", "rule_id", "fired_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rule.id", ondelete="CASCADE"))
    rule_version: Mapped[int] = mapped_column(default=1)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    fired_on: Mapped[dt.date]
    signal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str] = mapped_column(String(20))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="SET NULL")
    )
    playbook_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbook_run.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
