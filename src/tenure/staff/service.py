"""Staff users: their preferences, their managers, finding them by email."""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.staff.models import StaffUser, Team

log = logging.getLogger(__name__)


def set_locale(session: Session, user_id: int, locale: str) -> None:
    """Remember the language a staff user reads Tenure in."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise LookupError(f"no staff user {user_id}")
    user.locale = locale


def manager_of(session: Session, user_id: int) -> int | None:
    """Return the id of the manager of ``user_id``'s team, if the team has one.

    A manager's own manager is not looked up: a manager leading their own team is
    their own manager.
    """
    user = session.get(StaffUser, user_id)
    if user is None or user.team_id is None:
        return None
    team = session.get(Team, user.team_id)
    return team.manager_id if team is not None else None


def user_by_email(session: Session, email: str) -> StaffUser | None:
    """Return the active staff user with ``email`` (case-insensitive), if any."""
    found = session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    return found if found is not None and found.is_active else None
