"""Once per user per day: two servers, restarts, late runs, time zones, new subscribers.

Every test ticks ``run_briefings`` at chosen moments against a real SMTP server, on
SQLite and on PostgreSQL. The users' local date is 2026-12-04 unless said otherwise.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.briefing import delivery
from tenure.briefing.delivery import run_briefings
from tenure.briefing.document import BriefingDocument
from tenure.briefing.models import Briefing, BriefingDelivery
from tenure.db.session import make_engine, make_session_factory
from tenure.jobs.scheduler import Scheduler
from tenure.staff.models import StaffUser
from tests.briefing.conftest import (
    DAY,
    DeliveryMailbox,
    delivery_at,
    delivery_person,
    delivery_settings,
)

SHANGHAI = "Asia/Shanghai"
BERLIN = "Europe/Berlin"
LONG_AGO = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def briefings(factory: sessionmaker[Session]) -> list[Briefing]:
    """Every briefing, by user and date."""
    with factory() as session:
        query = select(Briefing).order_by(Briefing.user_id, Briefing.briefing_date)
        return list(session.scalars(query))


def subjects(box: DeliveryMailbox) -> list[str]:
    """The subjects of the emails received, in order."""
    return [str(message["Subject"]) for message in box.messages]


def test_two_servers_ticking_together_send_one_briefing_and_one_email(
    delivery_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    delivery_mailbox: DeliveryMailbox,
) -> None:
    first, second = delivery_processes
    delivery_settings(first, delivery_mailbox)
    delivery_person(first, "exec@example.com", since=LONG_AGO)
    now = delivery_at(SHANGHAI, DAY, 8, 31)

    run_briefings(first, now)
    run_briefings(second, now)

    (briefing,) = briefings(first)
    assert (briefing.briefing_date, briefing.late, briefing.origin) == (
        DAY,
        False,
        "scheduled",
    )
    assert len(delivery_mailbox.messages) == 1


def test_a_server_that_loses_the_race_to_claim_skips_quietly(
    delivery_processes: tuple[sessionmaker[Session], sessionmaker[Session]],
    delivery_mailbox: DeliveryMailbox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first, second = delivery_processes
    delivery_settings(first, delivery_mailbox)
    delivery_person(first, "exec@example.com", since=LONG_AGO)
    now = delivery_at(SHANGHAI, DAY, 8, 31)
    build = delivery.build_briefing
    other: list[delivery.TickResult] = []

    def slow_build(session: Session, user: StaffUser, day: dt.date) -> BriefingDocument:
        # While the first server builds, the second claims and sends the briefing.
        if not other:
            monkeypatch.setattr(delivery, "build_briefing", build)
            other.append(run_briefings(second, now))
        return build(session, user, day)

    monkeypatch.setattr(delivery, "build_briefing", slow_build)
    with caplog.at_level(logging.DEBUG, logger="tenure.briefing.delivery"):
        mine = run_briefings(first, now)

    assert mine.claimed == [] and mine.errors == 0
    assert f"for {DAY} claimed elsewhere" in caplog.text
    assert [c.day for c in other[0].claimed] == [DAY]
    assert len(briefings(first)) == 1 and len(delivery_mailbox.messages) == 1


def test_nothing_goes_before_the_send_time_and_it_goes_on_time_after_it(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=LONG_AGO)
    run_briefings(factory, delivery_at(SHANGHAI, DAY - dt.timedelta(days=1), 9, 0))
    sent_before = len(delivery_mailbox.messages)

    early = run_briefings(factory, delivery_at(SHANGHAI, DAY, 8, 29))
    assert early.claimed == [] and len(delivery_mailbox.messages) == sent_before

    on_time = run_briefings(factory, delivery_at(SHANGHAI, DAY, 8, 31))
    assert [(c.day, c.late) for c in on_time.claimed] == [(DAY, False)]
    assert subjects(delivery_mailbox)[-1] == f"Tenure daily briefing — {DAY}"


def test_a_restarted_server_does_not_send_the_day_again(
    factory: sessionmaker[Session], db_url: str, delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=LONG_AGO)
    run_briefings(factory, delivery_at(SHANGHAI, DAY, 8, 31))

    engine = make_engine(db_url)
    try:
        restarted = run_briefings(
            make_session_factory(engine), delivery_at(SHANGHAI, DAY, 8, 45)
        )
    finally:
        engine.dispose()

    assert restarted.claimed == [] and restarted.outcomes == []
    assert len(delivery_mailbox.messages) == 1 and len(briefings(factory)) == 1


def test_a_server_down_at_the_send_time_sends_once_marked_late(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(
        factory,
        "exec@example.com",
        since=dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC),
    )

    run_briefings(factory, delivery_at(SHANGHAI, DAY, 11, 0))
    run_briefings(factory, delivery_at(SHANGHAI, DAY, 11, 1))

    (briefing,) = briefings(factory)
    assert briefing.late and briefing.briefing_date == DAY
    assert subjects(delivery_mailbox) == [f"(late) Tenure daily briefing — {DAY}"]
    text = delivery_mailbox.messages[0].get_body(("plain",))
    assert text is not None
    assert text.get_content().startswith("(late) ")


def test_a_server_down_three_days_sends_one_late_briefing(
    factory: sessionmaker[Session],
    delivery_mailbox: DeliveryMailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=LONG_AGO)
    run_briefings(factory, delivery_at(SHANGHAI, DAY - dt.timedelta(days=3), 8, 31))

    with caplog.at_level(logging.INFO, logger="tenure.briefing.delivery"):
        run_briefings(factory, delivery_at(SHANGHAI, DAY, 10, 0))

    dates = [(b.briefing_date, b.late) for b in briefings(factory)]
    assert dates == [(DAY - dt.timedelta(days=3), False), (DAY, True)]
    assert len(delivery_mailbox.messages) == 2
    assert "2 missed day(s) from 2026-12-02 to 2026-12-03 are not sent" in caplog.text


def test_users_in_shanghai_and_berlin_each_get_theirs_at_their_own_0830(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    since = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    china = delivery_person(factory, "wang@example.com", since=since, zone=SHANGHAI)
    germany = delivery_person(factory, "anna@example.com", since=since, zone=BERLIN)

    shanghai = run_briefings(factory, dt.datetime(2026, 12, 4, 0, 31, tzinfo=dt.UTC))
    between = run_briefings(factory, dt.datetime(2026, 12, 4, 7, 29, tzinfo=dt.UTC))
    berlin = run_briefings(factory, dt.datetime(2026, 12, 4, 7, 31, tzinfo=dt.UTC))

    assert [(c.user_id, c.day, c.late) for c in shanghai.claimed] == [
        (china, DAY, False)
    ]
    assert between.claimed == []
    assert [(c.user_id, c.day, c.late) for c in berlin.claimed] == [
        (germany, DAY, False)
    ]
    assert delivery_mailbox.recipients == [["wang@example.com"], ["anna@example.com"]]


def test_without_a_zone_of_their_own_a_user_gets_it_in_the_company_zone(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(
        factory, "utc@example.com", since=LONG_AGO, zone=None, send_time="07:00"
    )

    before = run_briefings(factory, dt.datetime(2026, 12, 4, 6, 59, tzinfo=dt.UTC))
    after = run_briefings(factory, dt.datetime(2026, 12, 4, 7, 1, tzinfo=dt.UTC))

    assert [c.day for c in before.claimed] == [DAY - dt.timedelta(days=1)]
    assert [c.day for c in after.claimed] == [DAY]


def test_who_subscribes_after_today_s_time_waits_until_tomorrow(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "new@example.com", since=delivery_at(SHANGHAI, DAY, 9, 0))

    assert run_briefings(factory, delivery_at(SHANGHAI, DAY, 9, 5)).claimed == []
    assert run_briefings(factory, delivery_at(SHANGHAI, DAY, 23, 0)).claimed == []
    tomorrow = DAY + dt.timedelta(days=1)
    claimed = run_briefings(factory, delivery_at(SHANGHAI, tomorrow, 8, 31)).claimed
    assert [(c.day, c.late) for c in claimed] == [(tomorrow, False)]


def test_an_unsubscribed_or_inactive_user_gets_nothing(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    from tenure.briefing.preferences import unsubscribe

    delivery_settings(factory, delivery_mailbox)
    gone = delivery_person(factory, "gone@example.com", since=LONG_AGO)
    left = delivery_person(factory, "left@example.com", since=LONG_AGO)
    with factory.begin() as session:
        assert unsubscribe(session, gone)
        session.get_one(StaffUser, left).is_active = False

    assert run_briefings(factory, delivery_at(SHANGHAI, DAY, 8, 31)).claimed == []
    assert delivery_mailbox.messages == []


def test_each_channel_is_a_delivery_of_its_own(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(
        factory, "exec@example.com", since=LONG_AGO, channels=("email", "in_app")
    )

    result = run_briefings(factory, delivery_at(SHANGHAI, DAY, 8, 31))

    assert sorted((o.channel, o.status, o.attempts) for o in result.outcomes) == [
        ("email", "sent", 1),
        ("in_app", "sent", 1),
    ]
    with factory() as session:
        count = session.scalar(select(func.count()).select_from(BriefingDelivery))
    assert count == 2


def test_the_scheduler_sends_what_is_due_at_every_tick(
    factory: sessionmaker[Session], delivery_mailbox: DeliveryMailbox
) -> None:
    delivery_settings(factory, delivery_mailbox)
    delivery_person(factory, "exec@example.com", since=LONG_AGO)
    scheduler = Scheduler(lambda: factory, lambda: None, interval=3600)

    scheduler.tick()
    scheduler.tick()

    (briefing,) = briefings(factory)
    assert briefing.origin == "scheduled" and len(delivery_mailbox.messages) == 1
