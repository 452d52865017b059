"""Logging activities and reading an account's timeline, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tenure.auth.scope import Forbidden, owner_scope
from tenure.db.base import utcnow
from tenure.tasks import changes
from tenure.timeline.service import (
    NotFound,
    TimelineError,
    log_activity,
    timeline,
)
from tests.tasks.conftest import Org, People

AN_HOUR = dt.timedelta(hours=1)


def test_a_logged_call_shows_with_its_author_and_contact(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    contact = org.contact(account, "Li Wei")
    when = utcnow() - AN_HOUR
    log_activity(
        session,
        people.csm,
        "A",
        kind="call",
        subject=" Pricing ",
        body="They asked about seats",
        occurred_at=when,
        contact_id=contact,
    )
    (row,) = timeline(session, "A", owner_scope(session, people.csm))
    assert {k: row[k] for k in ("kind", "subject", "body", "author", "contact")} == {
        "kind": "call",
        "subject": "Pricing",
        "body": "They asked about seats",
        "author": "Cam",
        "contact": "Li Wei",
    }
    assert row["occurred_at"] == when


def test_the_timeline_is_newest_first_with_completed_tasks(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    for hours, subject in ((3, "oldest"), (1, "newer")):
        log_activity(
            session,
            people.csm,
            "A",
            kind="note",
            subject=subject,
            occurred_at=utcnow() - hours * AN_HOUR,
        )
    task = org.task(account, "Send the deck")
    changes.complete_task(session, task.id, people.csm, "sent")
    rows = timeline(session, "A", None)
    assert [(r["kind"], r["subject"]) for r in rows] == [
        ("task", "Send the deck"),
        ("note", "newer"),
        ("note", "oldest"),
    ]
    assert rows[0]["task_id"] == task.id


def test_kinds_limit_and_before_narrow_the_timeline(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    now = utcnow()
    for hours, kind in ((4, "call"), (3, "email"), (2, "call"), (1, "call")):
        log_activity(
            session,
            people.csm,
            "A",
            kind=kind,
            subject=f"{kind} {hours}h ago",
            occurred_at=now - hours * AN_HOUR,
        )
    rows = timeline(
        session,
        "A",
        None,
        kinds=["call"],
        limit=2,
        before=now - 90 * dt.timedelta(minutes=1),
    )
    assert [r["subject"] for r in rows] == ["call 2h ago", "call 4h ago"]


def test_only_logged_kinds_can_be_logged(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(TimelineError, match="kind 'task'"):
        log_activity(session, people.csm, "A", kind="task", subject="x")


def test_a_time_without_zone_is_refused(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(TimelineError, match="occurred_at"):
        log_activity(
            session,
            people.csm,
            "A",
            kind="call",
            subject="x",
            occurred_at=dt.datetime(2026, 3, 1, 9, 0),
        )


def test_an_activity_more_than_a_day_ahead_is_refused(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(TimelineError, match="more than a day ahead"):
        log_activity(
            session,
            people.csm,
            "A",
            kind="meeting",
            subject="x",
            occurred_at=utcnow() + dt.timedelta(days=2),
        )


def test_a_contact_of_another_account_is_refused(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    elsewhere = org.contact(org.account("B", people.csm), "Someone")
    with pytest.raises(TimelineError, match="is not a contact of account 'A'"):
        log_activity(
            session, people.csm, "A", kind="call", subject="x", contact_id=elsewhere
        )


def test_an_account_out_of_scope_is_not_found(
    session: Session, org: Org, people: People
) -> None:
    org.account("FAR", people.outsider)
    with pytest.raises(NotFound):
        log_activity(session, people.csm, "FAR", kind="note", subject="x")
    with pytest.raises(NotFound):
        timeline(session, "FAR", owner_scope(session, people.csm))


def test_a_viewer_may_read_but_not_log(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    assert timeline(session, "A", owner_scope(session, people.viewer)) == []
    with pytest.raises(Forbidden):
        log_activity(session, people.viewer, "A", kind="note", subject="x")


def test_an_unknown_kind_filter_is_named(
    session: Session, org: Org, people: People
) -> None:
    org.account("A", people.csm)
    with pytest.raises(TimelineError, match="kind 'chat'"):
        timeline(session, "A", None, kinds=["chat"])
