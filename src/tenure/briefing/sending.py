"""Send one delivery of a briefing: take it, send it, record what happened.

A delivery is taken with a guarded UPDATE that holds it for a few minutes, so two
processes never send the same one; it is sent outside any transaction (a slow mail
server holds no lock on the database); the result is recorded only while the hold
is still ours. In-app deliveries are written and recorded in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.channels import (
    ChannelError,
    SmtpConfig,
    channel_label,
    chat_message,
    email_message,
    marked,
    notify_failure,
    send_email,
    send_in_app,
    send_webhook,
)
from tenure.briefing.document import BriefingDocument
from tenure.briefing.models import Briefing, BriefingDelivery, ChatWebhook
from tenure.db.session import transaction
from tenure.settings import service as settings
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

LOCK = dt.timedelta(minutes=5)
BACKOFF_MINUTES = (1, 5, 15, 30, 60)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    """How one delivery went: sent, pending (tried again later) or failed."""

    delivery_id: int
    briefing_id: int
    user_id: int
    channel: str
    status: str
    attempts: int
    error: str | None = None


@dataclass(frozen=True)
class _Hook:
    kind: str
    url: str
    secret: str | None
    name: str
    active: bool


@dataclass(frozen=True)
class _Job:
    """What sending one delivery needs, read in a short transaction."""

    delivery_id: int
    channel: str
    doc: BriefingDocument
    to: str
    base_url: str
    smtp: SmtpConfig | None
    hook: _Hook | None


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return dt.timedelta(minutes=BACKOFF_MINUTES[min(attempts, MAX_ATTEMPTS - 1) - 1])


def _take(
    factory: sessionmaker[Session],
    delivery_id: int,
    now: dt.datetime,
    lock: dt.datetime,
    manual: bool,
) -> bool:
    """Hold the delivery until ``lock`` if nobody holds it; True if we do."""
    statement = update(BriefingDelivery).where(
        BriefingDelivery.id == delivery_id,
        or_(
            BriefingDelivery.locked_until.is_(None),
            BriefingDelivery.locked_until < now,
        ),
    )
    if manual:
        statement = statement.where(BriefingDelivery.status != "sent")
    else:
        statement = statement.where(BriefingDelivery.status == "pending")
    with transaction(factory) as session:
        result = session.execute(
            statement.values(locked_until=lock).execution_options(
                synchronize_session=False
            )
        )
        return getattr(result, "rowcount", 0) == 1


def _load(factory: sessionmaker[Session], delivery_id: int) -> _Job:
    """Read the delivery's briefing, its user and its channel's settings."""
    with factory() as session:
        delivery = session.get(BriefingDelivery, delivery_id)
        assert delivery is not None
        briefing = session.get(Briefing, delivery.briefing_id)
        assert briefing is not None
        user = session.get(StaffUser, briefing.user_id)
        assert user is not None
        doc = marked(BriefingDocument.from_json(briefing.content), briefing.late)
        smtp = SmtpConfig.load(session) if delivery.channel == "email" else None
        hook = None
        if delivery.channel.startswith("webhook:"):
            row = session.get(ChatWebhook, int(delivery.channel.split(":", 1)[1]))
            if row is not None:
                hook = _Hook(row.kind, row.url, row.secret, row.name, row.active)
        return _Job(
            delivery_id=delivery.id,
            channel=delivery.channel,
            doc=doc,
            to=user.email,
            base_url=settings.get(session, "public_url"),
            smtp=smtp,
            hook=hook,
        )


def _send_external(job: _Job, now: dt.datetime) -> None:
    """Send an email or a webhook message; raise ChannelError on a refusal."""
    if job.channel == "email":
        assert job.smtp is not None
        email = email_message(job.doc, job.to, job.smtp.sender, job.base_url, now)
        send_email(job.smtp, email)
        return
    if job.hook is None:
        raise ChannelError(f"{job.channel} was deleted", final=True)
    if not job.hook.active:
        raise ChannelError(f"{job.channel} ({job.hook.name}) is off", final=True)
    message = chat_message(job.doc, job.hook.kind, job.base_url)
    send_webhook(job.hook.kind, job.hook.url, job.hook.secret, message)


def _held(delivery_id: int, lock: dt.datetime) -> ColumnElement[bool]:
    """The delivery, while it is still held until ``lock`` (by us)."""
    return and_(
        BriefingDelivery.id == delivery_id, BriefingDelivery.locked_until == lock
    )


def _record_sent(
    session: Session, delivery_id: int, now: dt.datetime, lock: dt.datetime
) -> Outcome | None:
    """Mark the delivery sent if we still hold it; None if we lost it."""
    delivery = session.get(BriefingDelivery, delivery_id)
    assert delivery is not None
    result = session.execute(
        update(BriefingDelivery)
        .where(_held(delivery_id, lock))
        .values(
            status="sent",
            sent_at=now,
            attempts=BriefingDelivery.attempts + 1,
            last_error=None,
            locked_until=None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        log.warning("delivery %d was taken over while sending", delivery_id)
        return None
    briefing = session.get(Briefing, delivery.briefing_id)
    assert briefing is not None
    log.info(
        "briefing %d sent by %s",
        delivery.briefing_id,
        delivery.channel,
        extra={"delivery_id": delivery_id, "user_id": briefing.user_id},
    )
    return Outcome(
        delivery_id,
        delivery.briefing_id,
        briefing.user_id,
        delivery.channel,
        "sent",
        delivery.attempts + 1,
    )


class _LostHold(Exception):
    """The delivery's hold ran out and another process took it."""


def _deliver_in_app(
    factory: sessionmaker[Session], job: _Job, now: dt.datetime, lock: dt.datetime
) -> Outcome | None:
    """Write the notification and mark the delivery sent, together."""
    try:
        with transaction(factory) as session:
            send_in_app(session, job.doc)
            outcome = _record_sent(session, job.delivery_id, now, lock)
            if outcome is None:
                raise _LostHold
            return outcome
    except _LostHold:
        return None


def _record_failure(
    factory: sessionmaker[Session],
    delivery_id: int,
    now: dt.datetime,
    lock: dt.datetime,
    error: str,
    final: bool,
) -> Outcome | None:
    """Count the failed attempt: retry later, or give up and tell the user."""
    with transaction(factory) as session:
        delivery = session.get(BriefingDelivery, delivery_id)
        assert delivery is not None
        attempts = delivery.attempts + 1
        again = delivery.status == "failed"
        give_up = final or again or attempts >= MAX_ATTEMPTS
        values: dict[str, object] = {
            "attempts": attempts,
            "last_error": error[:ERROR_CHARS],
            "locked_until": None,
        }
        if give_up:
            values["status"] = "failed"
        else:
            values["next_attempt_at"] = now + backoff(attempts)
        result = session.execute(
            update(BriefingDelivery)
            .where(_held(delivery_id, lock))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            log.warning("delivery %d was taken over while sending", delivery_id)
            return None
        briefing = session.get(Briefing, delivery.briefing_id)
        assert briefing is not None
        context = {"delivery_id": delivery_id, "user_id": briefing.user_id}
        if not give_up:
            log.warning(
                "briefing %d not sent by %s (attempt %d): %s; tried again at %s",
                briefing.id,
                delivery.channel,
                attempts,
                error,
                values["next_attempt_at"],
                extra=context,
            )
            status = "pending"
        else:
            log.error(
                "briefing %d not sent by %s after %d attempt(s): %s; given up",
                briefing.id,
                delivery.channel,
                attempts,
                error,
                extra=context,
            )
            status = "failed"
            if not again:
                _tell_user(session, briefing, delivery.channel, error)
        return Outcome(
            delivery_id,
            briefing.id,
            briefing.user_id,
            delivery.channel,
            status,
            attempts,
            error,
        )


def _tell_user(session: Session, briefing: Briefing, channel: str, error: str) -> None:
    """Notify the user in-app which channel failed and why."""
    user = session.get(StaffUser, briefing.user_id)
    if user is None:
        return
    hook_name = None
    if channel.startswith("webhook:"):
        hook = session.get(ChatWebhook, int(channel.split(":", 1)[1]))
        hook_name = hook.name if hook is not None else None
    label = channel_label(channel, user.locale, hook_name)
    notify_failure(session, user, briefing.briefing_date, label, error)


def deliver_one(
    factory: sessionmaker[Session],
    delivery_id: int,
    now: dt.datetime,
    *,
    manual: bool = False,
) -> Outcome | None:
    """Send one delivery if nobody else holds it; None if someone does.

    ``manual`` also takes a failed delivery and one whose retry is not yet due.
    """
    lock = now + LOCK
    if not _take(factory, delivery_id, now, lock, manual):
        return None
    try:
        job = _load(factory, delivery_id)
        if job.channel == "in_app":
            return _deliver_in_app(factory, job, now, lock)
        _send_external(job, now)
    except ChannelError as exc:
        error, final = str(exc), exc.final
    except Exception as exc:
        log.exception("delivery %d failed unexpectedly", delivery_id)
        error, final = f"{type(exc).__name__}: {exc}", False
    else:
        with transaction(factory) as session:
            return _record_sent(session, delivery_id, now, lock)
    return _record_failure(factory, delivery_id, now, lock, error, final)
