"""The demo company's briefing subscriptions: leaders and CSMs, by email and in-app.

They start when the demo is loaded, so the first briefing goes out at the next
08:30 in each person's time zone; ``tenure briefing send`` sends one now.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.briefing.preferences import subscribe
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

SUBSCRIBED_ROLES = ("executive", "manager", "csm")
SEND_TIME = "08:30"


def subscribe_staff(session: Session) -> int:
    """Subscribe the executives, managers and CSMs; return how many."""
    query = select(StaffUser.id).where(
        StaffUser.role.in_(SUBSCRIBED_ROLES), StaffUser.is_active.is_(True)
    )
    user_ids = list(session.scalars(query.order_by(StaffUser.id)))
    for user_id in user_ids:
        subscribe(session, user_id, send_time=SEND_TIME, email=True, in_app=True)
    log.info("demo briefing: %d staff subscribed at %s", len(user_ids), SEND_TIME)
    return len(user_ids)
