"""The demo company's briefing subscriptions: leaders and CSMs, in-app and by email.

Email is subscribed only when a mail server is configured (``smtp_host``), so that a
demo without one does not collect a failure notice beside every briefing. The
subscriptions start when the demo is loaded; ``send_today`` sends today's briefing
at once (``tenure demo`` does), and the next goes out at 08:30 in each person's
time zone.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.delivery import send_now
from tenure.briefing.preferences import subscribe, subscribers
from tenure.settings import service as settings
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
    email = bool(settings.get(session, "smtp_host"))
    for user_id in user_ids:
        subscribe(session, user_id, send_time=SEND_TIME, email=email, in_app=True)
    log.info("demo briefing: %d staff subscribed at %s", len(user_ids), SEND_TIME)
    return len(user_ids)


def send_today(factory: sessionmaker[Session], now: dt.datetime) -> int:
    """Send every subscriber today's briefing now; return how many were sent."""
    with factory() as session:
        subs = subscribers(session)
    sent = 0
    for sub in subs:
        result = send_now(factory, sub, now.astimezone(sub.zone).date(), now)
        sent += bool(result.outcomes)
    log.info("demo briefing: today's briefing sent to %d staff", sent)
    return sent
