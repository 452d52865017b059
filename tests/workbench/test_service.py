"""The workbench's reads: figures, bands, renewals, changes and the team, per book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from tenure.auth.scope import Principal
from tenure.health.models import HealthSnapshot
from tenure.staff.models import StaffUser, Team
from tenure.tasks.service import create_task
from tenure.workbench import service as bench
from tests.health.conftest import AS_OF, Company, days_before


def _principal(session: Session, user_id: int) -> Principal:
    user = session.get(StaffUser, user_id)
    assert user is not None
    return Principal(user.id, user.email, user.name, user.role, user.team_id, None)


def _team(company: Company) -> tuple[int, int, int]:
    """A manager leading a team of two CSMs; returns their ids."""
    session = company.session
    manager = company.staff("lead@example.com")
    team = Team(name="East", manager_id=manager)
    session.add(team)
    session.flush()
    csms = []
    for email in ("ann@example.com", "bo@example.com"):
        user_id = company.staff(email)
        user = session.get(StaffUser, user_id)
        assert user is not None
        user.team_id = team.id
        csms.append(user_id)
    manager_user = session.get(StaffUser, manager)
    assert manager_user is not None
    manager_user.role = "manager"
    manager_user.team_id = team.id
    session.flush()
    return manager, csms[0], csms[1]


def _snapshot(session: Session, account: int, day: dt.date, band: str) -> None:
    session.add(HealthSnapshot(account_id=account, as_of=day, band=band, score=50.0))
    session.flush()


def test_figures_count_the_persons_open_due_and_overdue_tasks(company: Company) -> None:
    session = company.session
    _manager, ann, bo = _team(company)
    mine = company.customer("A-1", mrr=10_000, owner_id=ann)
    theirs = company.customer("B-1", mrr=30_000, owner_id=bo)
    for due, account, who in (
        (AS_OF, mine, ann),
        (days_before(2), mine, ann),
        (days_before(-5), mine, ann),
        (AS_OF, theirs, bo),
    ):
        create_task(session, account_id=account, type="risk", title="Call",
                    actor_id=None, assignee_id=who, due_on=due)  # fmt: skip
    company.renewal(mine, days_before(-30))
    company.renewal(mine, days_before(-200))
    book = bench.book_for(session, _principal(session, ann), "me")

    numbers = bench.figures(session, book, AS_OF)

    assert (numbers["open_tasks"], numbers["due_today"], numbers["overdue"]) == (
        3,
        1,
        1,
    )
    assert numbers["customers"] == 1
    assert numbers["mrr"] == Decimal("100.00")
    assert numbers["renewals"] == 1


def test_a_managers_team_view_covers_the_team_and_lists_each_person(
    company: Company,
) -> None:
    session = company.session
    manager, ann, bo = _team(company)
    outsider = company.staff("zed@example.com")
    for external, owner in (("A-1", ann), ("B-1", bo), ("Z-1", outsider)):
        account = company.customer(external, owner_id=owner)
        create_task(
            session,
            account_id=account,
            type="risk",
            title="Call",
            actor_id=None,
            assignee_id=owner,
            due_on=days_before(1),
        )
    book = bench.book_for(session, _principal(session, manager), "team")

    numbers = bench.figures(session, book, AS_OF)
    people = {row["email"]: row for row in bench.team(session, book, AS_OF)}

    assert numbers["customers"] == 2
    assert numbers["overdue"] == 2
    assert set(people) == {"lead@example.com", "ann@example.com", "bo@example.com"}
    assert people["ann@example.com"]["overdue"] == 1


def test_health_changes_compare_the_latest_day_with_a_week_or_more_before(
    company: Company,
) -> None:
    session = company.session
    _manager, ann, _bo = _team(company)
    falling = company.customer("A-1", owner_id=ann)
    steady = company.customer("A-2", owner_id=ann)
    for account, before, now in ((falling, "green", "red"), (steady, "green", "green")):
        _snapshot(session, account, days_before(7), before)
        _snapshot(session, account, AS_OF, now)
    book = bench.book_for(session, _principal(session, ann), "me")

    changes = bench.health_changes(session, book, AS_OF)
    bands = {row["band"]: row["accounts"] for row in bench.bands(session, book)}

    assert [(c["account_id"], c["from"], c["to"]) for c in changes] == [
        ("A-1", "green", "red")
    ]
    assert bands == {"red": 1, "green": 1}


def test_renewals_list_open_terms_of_the_next_90_days_soonest_first(
    company: Company,
) -> None:
    session = company.session
    _manager, ann, _bo = _team(company)
    account = company.customer("A-1", owner_id=ann)
    company.renewal(account, days_before(-60))
    company.renewal(account, days_before(-10))
    company.renewal(account, days_before(-20), outcome="renewed")
    company.renewal(account, days_before(-120))
    book = bench.book_for(session, _principal(session, ann), "me")

    rows = bench.renewals(session, book, AS_OF)

    assert [row["days_left"] for row in rows] == [10, 60]


def test_mrr_changes_list_the_last_two_weeks_movements_newest_first(
    company: Company,
) -> None:
    session = company.session
    _manager, ann, _bo = _team(company)
    account = company.customer("A-1", owner_id=ann, since=days_before(100))
    company.movement(account, days_before(3), "expansion", 5_000, 15_000)
    company.movement(account, days_before(30), "contraction", -1_000, 10_000)
    book = bench.book_for(session, _principal(session, ann), "me")

    rows = bench.mrr_changes(session, book, AS_OF)

    assert [(row["change"], row["amount"]) for row in rows] == [
        ("expansion", Decimal("50.00"))
    ]
