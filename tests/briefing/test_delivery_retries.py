"""Failures are retried with backoff, recorded and, in the end, told to the user.

A real SMTP server that refuses, a local HTTP receiver that answers with errors, a
delivery held by another server: nothing is dropped silently and nothing is sent
twice. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing.delivery import claim_due, deliver_due, run_briefings
from tenure.briefing.models import BriefingDelivery
from tenure.briefing.preferences import add_webhook, delete_webhook
from tenure.db.session import transaction
from tenure.notifications.models import Notification
from tests.briefing.conftest import (
    DAY,
    DeliveryMailbox,
    DeliveryReceiver,
    delivery_at,
    delivery_person,
    delivery_settings,
)

SHANGHAI = "Asia/Shanghai"
SINCE = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
NOW = delivery_at(SHANGHAI, DAY, 8, 31)
MINUTE = dt.timedelta(minutes=1)
REFUSED = "550 mailbox unavailable"


def deliveries(factory: sessionmaker[Session]) -> dict[str, BriefingDelivery]:
    """Every delivery by channel."""
    with factory() as session:
        rows = session.scalars(select(BriefingDelivery))
        return {row.channel: row for row in rows}


def notices(factory: sessionmaker[Session], user_id: int) -> list[Notification]:
    """The user's notifications, oldest first."""
    with factory() as session:
        query = select(Notification).where(Notification.user_id == user_id)
        return list(session.scalars(query.order_by(Notification.id)))


def test_a_refused_email_is_retried_a_minute_later_and_then_sent(
    factory: sessionmaker[Session],
    delivery_mailbox: DeliveryMailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=SINCE)
    delivery_mailbox.refusals.append(REFUSED)

    with caplog.at_level(logging.WARNING, logger="tenure.briefing.sending"):
        run_briefings(factory, NOW)
    email = deliveries(factory)["email"]
    assert (email.status, email.attempts) == ("pending", 1)
    assert email.last_error == f"SMTP {REFUSED}"
    assert email.next_attempt_at == NOW + MINUTE
    assert f"(attempt 1): SMTP {REFUSED}" in caplog.text

    assert run_briefings(factory, NOW + MINUTE / 2).outcomes == []
    (outcome,) = run_briefings(factory, NOW + MINUTE).outcomes
    assert (outcome.status, outcome.attempts, outcome.error) == ("sent", 2, None)
    email = deliveries(factory)["email"]
    assert (email.status, email.last_error, email.sent_at) == (
        "sent",
        None,
        NOW + MINUTE,
    )
    assert len(delivery_mailbox.messages) == 1


def test_after_six_refusals_the_delivery_fails_and_the_user_is_told(
    factory: sessionmaker[Session],
    delivery_mailbox: DeliveryMailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery_settings(factory, delivery_mailbox)
    user = delivery_person(factory, "exec@example.com", since=SINCE)
    delivery_mailbox.refusals.extend([REFUSED] * 6)

    moment, waits = NOW, []
    with caplog.at_level(logging.ERROR, logger="tenure.briefing.sending"):
        for _attempt in range(6):
            run_briefings(factory, moment)
            email = deliveries(factory)["email"]
            if email.status == "pending":
                waits.append(int((email.next_attempt_at - moment) / MINUTE))
                moment = email.next_attempt_at

    assert waits == [1, 5, 15, 30, 60]
    assert (email.status, email.attempts) == ("failed", 6)
    assert "after 6 attempt(s): SMTP 550 mailbox unavailable; given up" in caplog.text
    (notice,) = notices(factory, user)
    assert notice.kind == "briefing_failed" and notice.link == "/me"
    assert notice.title == f"Your briefing of {DAY} was not sent by email"
    assert notice.body is not None and f"SMTP {REFUSED}" in notice.body
    assert run_briefings(factory, moment + dt.timedelta(hours=2)).outcomes == []
    assert delivery_mailbox.messages == []


def test_without_a_mail_server_email_fails_at_once_and_in_app_still_arrives(
    factory: sessionmaker[Session],
) -> None:
    delivery_settings(factory, None)
    user = delivery_person(
        factory, "exec@example.com", since=SINCE, channels=("email", "in_app")
    )

    run_briefings(factory, NOW)

    found = deliveries(factory)
    assert (found["email"].status, found["email"].attempts) == ("failed", 1)
    assert "no mail server is configured (smtp_host)" in str(found["email"].last_error)
    assert found["in_app"].status == "sent"
    by_kind = {notice.kind: notice for notice in notices(factory, user)}
    briefing, failed = by_kind["briefing"], by_kind["briefing_failed"]
    assert (briefing.kind, briefing.link) == ("briefing", f"/m/briefing/{DAY}")
    assert briefing.title == f"Tenure daily briefing — {DAY}"
    assert briefing.body and "MRR" in briefing.body
    assert failed.kind == "briefing_failed" and "smtp_host" in str(failed.body)


def test_a_late_in_app_briefing_says_so_in_the_user_s_language(
    factory: sessionmaker[Session],
) -> None:
    delivery_settings(factory, None)
    user = delivery_person(
        factory, "wang@example.com", since=SINCE, locale="zh-CN", channels=("in_app",)
    )

    run_briefings(factory, delivery_at(SHANGHAI, DAY, 12, 0))

    (notice,) = notices(factory, user)
    assert notice.title == f"(补发) Tenure 每日简报 — {DAY}"


def test_a_webhook_that_refuses_is_retried_with_its_error_recorded(
    factory: sessionmaker[Session], delivery_receiver: DeliveryReceiver
) -> None:
    delivery_settings(factory, None)
    user = delivery_person(factory, "exec@example.com", since=SINCE, channels=())
    with transaction(factory) as session:
        url = delivery_receiver.url("/dingtalk?access_token=t")
        hook = add_webhook(session, user, kind="dingtalk", url=url, secret="SECx")
        channel = f"webhook:{hook.id}"
    delivery_receiver.replies.append(
        (200, '{"errcode": 310000, "errmsg": "sign not match"}')
    )

    run_briefings(factory, NOW)
    refused = deliveries(factory)[channel]
    assert (refused.status, refused.attempts) == ("pending", 1)
    assert refused.last_error == "DingTalk errcode 310000: sign not match"

    (outcome,) = run_briefings(factory, NOW + MINUTE).outcomes
    assert (outcome.channel, outcome.status) == (channel, "sent")
    assert len(delivery_receiver.requests) == 2


def test_an_http_error_from_a_webhook_is_retried(
    factory: sessionmaker[Session], delivery_receiver: DeliveryReceiver
) -> None:
    delivery_settings(factory, None)
    user = delivery_person(factory, "exec@example.com", since=SINCE, channels=())
    with transaction(factory) as session:
        add_webhook(session, user, kind="slack", url=delivery_receiver.url("/slack"))
    delivery_receiver.replies.append((500, "server_error"))

    (outcome,) = run_briefings(factory, NOW).outcomes

    assert (outcome.status, outcome.error) == (
        "pending",
        "Slack HTTP 500: server_error",
    )


def test_a_delivery_another_server_holds_is_left_to_it_until_its_hold_ends(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=SINCE)
    claim_due(factory, NOW)
    with transaction(factory) as session:
        held = update(BriefingDelivery).values(locked_until=NOW + 5 * MINUTE)
        session.execute(held)

    assert deliver_due(factory, NOW + MINUTE) == []
    (outcome,) = deliver_due(factory, NOW + 6 * MINUTE)
    assert outcome.status == "sent" and len(delivery_mailbox.messages) == 1


def test_a_webhook_deleted_before_its_delivery_fails_without_retrying(
    factory: sessionmaker[Session], delivery_receiver: DeliveryReceiver
) -> None:
    delivery_settings(factory, None)
    user = delivery_person(factory, "exec@example.com", since=SINCE, channels=())
    with transaction(factory) as session:
        hook = add_webhook(
            session, user, kind="wecom", url=delivery_receiver.url("/wecom")
        )
    claim_due(factory, NOW)
    with transaction(factory) as session:
        delete_webhook(session, user, hook.id)

    (outcome,) = deliver_due(factory, NOW)

    assert (outcome.status, outcome.error) == (
        "failed",
        f"webhook:{hook.id} was deleted",
    )
    assert delivery_receiver.requests == []
