"""Tables for tasks, their comments and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin, utcnow

TYPES = ("risk", "opportunity", "renewal", "onboarding", "follow_up")
PRIORITIES = ("urgent", "high", "normal", "low")
STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_STATUSES = ("open", "in_progress")
SOURCES = ("rule", "playbook", "manual")


class Task(Base, TimestampMixin):
    """One piece of work for an account, owned by an assignee, due on a date.

    ``signal`` keeps what created the task (a rule's trigger values, a playbook
    step), so that "why does this task exist?" is answered on the task itself.
    ``personal`` tasks stay with their assignee when the account changes owner.
    """

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_assignee_status_due", "assignee_id", "status", "due_on"),
        Index("ix_task_account_status", "account_id", "status"),
        Index("ix_task_rule_account_status", "rule_id", "account_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="open")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    due_on: Mapped[dt.date | None]
    source: Mapped[str] = mapped_column(String(10), default="manual")
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("rule.id", ondelete="SET NULL")
    )
    playbook_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbook_run.id", ondelete="SET NULL"), index=True
    )
    playbook_step: Mapped[int | None]
    personal: Mapped[bool] = mapped_column(default=False)
    signal: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    outcome: Mapped[str | None] = mapped_column(Text)


class TaskComment(Base):
    """A comment on a task."""

    __tablename__ = "task_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class TaskEvent(Base):
    """One change in a task's life: created, a field changed, commented, reassigned.

    ``actor_id`` is empty when Tenure itself acted (a rule, an owner change).
    """

    __tablename__ = "task_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(String(20))
    field: Mapped[str | None] = mapped_column(String(30))
    old: Mapped[str | None] = mapped_column(String(300))
    new: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(500))
