"""Table of assignment rules that give new accounts their owner."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, TimestampMixin

# How a rule that names a team picks the person: the one with the fewest active
# accounts, or each member in turn.
STRATEGIES = ("user", "least_loaded", "round_robin")


class AssignmentRule(Base, TimestampMixin):
    """Accounts that match ``conditions`` get an owner chosen by ``strategy``.

    Rules are tried by ``position``; the first that matches decides. ``conditions``
    maps a field (region, industry, tier, plan, size) to the values it accepts; an
    empty mapping matches every account.
    """

    __tablename__ = "assignment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    strategy: Mapped[str] = mapped_column(String(20), default="user")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("team.id", ondelete="SET NULL")
    )
    # The round-robin strategy's last pick, so that the turn survives restarts.
    last_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
