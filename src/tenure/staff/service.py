"""Staff users' own preferences."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)


def set_locale(session: Session, user_id: int, locale: str) -> None:
    """Remember the language a staff user reads Tenure in."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise LookupError(f"no staff user {user_id}")
    user.locale = locale
