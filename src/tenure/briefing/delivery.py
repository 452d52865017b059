"""Send each subscriber's briefing once a day, whatever restarts or second servers.

A tick finds each subscriber's latest slot (their send time on a local date, not
before they subscribed) and claims it by inserting the (user, date) briefing with
one delivery row per channel; the unique key makes exactly one process win. Each
delivery is then taken with a guarded UPDATE that holds it for five minutes, sent
outside any transaction, and recorded: sent, or retried after 1, 5, 15, 30 and 60
minutes, and failed after six attempts with an in-app notice to the user.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.content import build_briefing
from tenure.briefing.models import Briefing, BriefingDelivery, BriefingPreference
from tenure.briefing.preferences import Subscriber, subscribers
from tenure.briefing.sending import Outcome, deliver_one
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

LATE_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    """A briefing this process claimed."""

    briefing_id: int
    user_id: int
    day: dt.date
    late: bool


@dataclass
class TickResult:
    """What one tick did: the briefings it claimed and the deliveries it made."""

    claimed: list[Claim] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    errors: int = 0


def local_time(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``at`` on local date ``day`` in ``zone``, as UTC."""
    return dt.datetime.combine(day, at, tzinfo=zone).astimezone(dt.UTC)


def latest_slot(
    now: dt.datetime, at: dt.time, zone: zoneinfo.ZoneInfo, since: dt.datetime
) -> tuple[dt.date, dt.datetime] | None:
    """The latest local date whose send time has come by ``now``, and that time.

    None if that time is before ``since`` (when the subscription began): nothing is
    ever sent for a slot that passed before someone subscribed.
    """
    day = now.astimezone(zone).date()
    scheduled = local_time(day, at, zone)
    if scheduled > now:
        day -= dt.timedelta(days=1)
        scheduled = local_time(day, at, zone)
    if scheduled < since:
        return None
    return day, scheduled


def _first_slot_day(sub: Subscriber) -> dt.date:
    """The first local date whose send time is not before the subscription."""
    day = sub.since.astimezone(sub.zone).date()
    if local_time(day, sub.send_time, sub.zone) < sub.since:
        day += dt.timedelta(days=1)
    return day


def _channels(pref: BriefingPreference, webhook_ids: tuple[int, ...]) -> list[str]:
    """The delivery channels of a preference: email, in_app, webhook:<id>."""
    names = []
    if pref.email:
        names.append("email")
    if pref.in_app:
        names.append("in_app")
    names.extend(f"webhook:{hook_id}" for hook_id in webhook_ids)
    return names


def claim(
    factory: sessionmaker[Session],
    sub: Subscriber,
    day: dt.date,
    *,
    now: dt.datetime,
    scheduled_at: dt.datetime,
    origin: str = "scheduled",
) -> Claim | None:
    """Build and insert ``sub``'s briefing for ``day``; None if it already exists.

    The briefing and its deliveries are inserted in one transaction; a unique
    violation means another process claimed it first, which is not an error.
    """
    late = origin == "scheduled" and now - scheduled_at > LATE_AFTER
    session = factory()
    try:
        taken = select(Briefing.id).where(
            Briefing.user_id == sub.user.id, Briefing.briefing_date == day
        )
        if session.scalar(taken) is not None:
            return None
        user = session.get(StaffUser, sub.user.id)
        pref = session.get(BriefingPreference, sub.user.id)
        if user is None or pref is None:
            return None
        doc = build_briefing(session, user, day)
        briefing = Briefing(
            user_id=user.id,
            briefing_date=day,
            scheduled_at=scheduled_at,
            late=late,
            origin=origin,
            content=doc.to_json(),
        )
        session.add(briefing)
        session.flush()
        briefing_id = briefing.id
        for channel in _channels(pref, sub.webhook_ids):
            session.add(
                BriefingDelivery(
                    briefing_id=briefing_id,
                    channel=channel,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                )
            )
        session.commit()
    except IntegrityError:
        session.rollback()
        log.debug("briefing of user %d for %s claimed elsewhere", sub.user.id, day)
        return None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    log.info(
        "briefing of %s for %s claimed (%s%s)",
        sub.user.email,
        day,
        origin,
        ", late" if late else "",
        extra={"user_id": sub.user.id, "briefing_id": briefing_id},
    )
    return Claim(briefing_id, sub.user.id, day, late)


def _log_missed(sub: Subscriber, day: dt.date, previous: dt.date | None) -> None:
    """Say which earlier days were missed while no process ran: only one is sent."""
    first = _first_slot_day(sub)
    if previous is not None:
        first = max(first, previous + dt.timedelta(days=1))
    if first < day:
        log.info(
            "briefing of %s: %d missed day(s) from %s to %s are not sent; "
            "only %s is, marked late",
            sub.user.email,
            (day - first).days,
            first,
            day - dt.timedelta(days=1),
            day,
            extra={"user_id": sub.user.id},
        )


def claim_due(factory: sessionmaker[Session], now: dt.datetime) -> TickResult:
    """Claim every subscriber's latest slot that has no briefing yet."""
    result = TickResult()
    with factory() as session:
        due = []
        for sub in subscribers(session):
            slot = latest_slot(now, sub.send_time, sub.zone, sub.since)
            if slot is not None:
                due.append((sub, *slot))
        latest = dict(
            session.execute(
                select(Briefing.user_id, func.max(Briefing.briefing_date)).group_by(
                    Briefing.user_id
                )
            ).all()
        )
    for sub, day, scheduled_at in due:
        previous = latest.get(sub.user.id)
        if previous is not None and previous >= day:
            continue
        try:
            claimed = claim(factory, sub, day, now=now, scheduled_at=scheduled_at)
        except Exception:
            result.errors += 1
            log.exception(
                "briefing of %s for %s not claimed; tried again next tick",
                sub.user.email,
                day,
            )
            continue
        if claimed is not None:
            result.claimed.append(claimed)
            if claimed.late:
                _log_missed(sub, day, previous)
    return result


def deliver_due(factory: sessionmaker[Session], now: dt.datetime) -> list[Outcome]:
    """Send every pending delivery whose time has come and that nobody holds."""
    query = (
        select(BriefingDelivery.id)
        .where(
            BriefingDelivery.status == "pending",
            BriefingDelivery.next_attempt_at <= now,
            or_(
                BriefingDelivery.locked_until.is_(None),
                BriefingDelivery.locked_until < now,
            ),
        )
        .order_by(BriefingDelivery.id)
    )
    with factory() as session:
        ids = list(session.scalars(query))
    outcomes = []
    for delivery_id in ids:
        outcome = deliver_one(factory, delivery_id, now)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def run_briefings(factory: sessionmaker[Session], now: dt.datetime) -> TickResult:
    """One tick: claim the briefings that are due, then send what is due."""
    result = claim_due(factory, now)
    result.outcomes = deliver_due(factory, now)
    return result


@dataclass(frozen=True)
class ManualSend:
    """What ``send_now`` did for one user: nothing if it was sent already."""

    briefing_id: int
    claimed: bool
    # Deliveries not yet sent when it started; those another process held are
    # missing from the outcomes.
    unsent: int
    outcomes: list[Outcome]

    @property
    def already_sent(self) -> bool:
        """The briefing existed and every channel had taken it."""
        return not self.claimed and not self.unsent


def send_now(
    factory: sessionmaker[Session], sub: Subscriber, day: dt.date, now: dt.datetime
) -> ManualSend:
    """Claim ``sub``'s briefing for ``day`` by hand and deliver whatever is unsent.

    A briefing already sent is not sent again; a failed or pending channel of an
    existing briefing is tried once more now.
    """
    claimed = claim(factory, sub, day, now=now, scheduled_at=now, origin="manual")
    with factory() as session:
        briefing_id = session.scalar(
            select(Briefing.id).where(
                Briefing.user_id == sub.user.id, Briefing.briefing_date == day
            )
        )
        if briefing_id is None:
            raise LookupError(f"briefing of {sub.user.email} for {day} not found")
        unsent = list(
            session.scalars(
                select(BriefingDelivery.id)
                .where(
                    BriefingDelivery.briefing_id == briefing_id,
                    BriefingDelivery.status != "sent",
                )
                .order_by(BriefingDelivery.id)
            )
        )
    outcomes = []
    for delivery_id in unsent:
        outcome = deliver_one(factory, delivery_id, now, manual=True)
        if outcome is not None:
            outcomes.append(outcome)
    return ManualSend(briefing_id, claimed is not None, len(unsent), outcomes)
