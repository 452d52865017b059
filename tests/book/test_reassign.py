"""Bulk reassignment: the preview, applying it, what it writes, scope, staleness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.accounts.ownership import load_owner_timeline
from tenure.auth.scope import Forbidden, Principal
from tenure.book.reassign import preview_reassignment, reassign
from tenure.book.schemas import BookError, NotFound, Stale
from tenure.revenue.loading import today
from tenure.segments import service as segments
from tenure.tasks.models import Task

from .conftest import Book, People, counts


def apply(session: Session, who: Principal, spec: dict[str, Any]) -> dict[str, Any]:
    """Preview, then apply exactly what the preview showed."""
    shown = preview_reassignment(session, who, spec)
    return reassign(session, who, {**spec, "expected": shown.moves}).details()


@pytest.fixture
def day(session: Session) -> dt.date:
    return today(session)


@pytest.fixture
def cams(book: Book, people: People, day: dt.date) -> list[int]:
    """Three of Cam's accounts, owned since 100 days ago, with MRR."""
    ids = []
    for number, mrr in enumerate((30_000, 20_000, 10_000)):
        account = book.account(f"C{number}", people.csm, mrr=mrr, region="East")
        book.owned_since(account, people.csm, day - dt.timedelta(days=100))
        ids.append(account)
    return ids


def test_a_preview_shows_each_move_with_mrr_tasks_and_totals_and_writes_nothing(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    book.org.task(cams[0], "Call them")
    book.org.task(cams[0], "Unassigned", assignee_id=None)
    book.org.task(cams[0], "Tom's own", assignee_id=people.teammate.user_id)
    before = counts(session)

    shown = preview_reassignment(
        session,
        people.admin,
        {"from_owner": "CAM@example.com", "to": "tom@example.com"},
    ).details()

    assert [
        (m["account_id"], m["from"], m["to"], m["mrr_minor"], m["open_tasks"])
        for m in shown["moves"]
    ] == [
        ("C0", "cam@example.com", "tom@example.com", 30_000, 2),
        ("C1", "cam@example.com", "tom@example.com", 20_000, 0),
        ("C2", "cam@example.com", "tom@example.com", 10_000, 0),
    ]
    assert shown["totals"] == [
        {"owner_id": people.teammate.user_id, "owner": "tom@example.com",
         "name": "Tom", "accounts": 3, "mrr_minor": 60_000},
    ]  # fmt: skip
    assert (shown["count"], shown["mrr_minor"], shown["open_tasks"]) == (3, 60_000, 2)
    assert counts(session) == before
    assert book.owner("C0") == people.csm.user_id


def test_applying_closes_and_opens_history_moves_tasks_and_writes_the_timeline(
    book: Book, people: People, session: Session, cams: list[int], day: dt.date
) -> None:
    task = book.org.task(cams[0], "Call them")
    started = day - dt.timedelta(days=100)

    done = apply(
        session,
        people.manager,
        {"account_ids": ["C0", "C1"], "to": "tom@example.com", "reason": "Cam moves"},
    )

    assert done["moved"] == 2
    tom, cam = people.teammate.user_id, people.csm.user_id
    assert book.history("C0") == [(cam, started, day), (tom, day, None)]
    assert book.owner("C0") == tom
    assert book.owner("C2") == cam
    assert session.get(Task, task.id).assignee_id == tom
    assert book.entries("C0") == ["Reassigned from Cam to Tom: Cam moves"]


def test_each_person_who_gains_or_loses_accounts_is_told_once(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    spec = {"from_owner": "cam@example.com", "to": "tom@example.com", "reason": "Leave"}
    done = apply(session, people.admin, spec)

    (gained,) = book.notices(people.teammate)
    (lost,) = book.notices(people.csm)
    assert (gained.title, gained.body) == ("Accounts reassigned to you: 3", "Leave")
    assert gained.link == "/customers?owner=tom%40example.com"
    assert lost.title == "Your accounts reassigned to others: 3"
    assert done["notified"] == 2


def test_an_inactive_owner_losing_accounts_is_not_told(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    book.deactivate(people.csm)

    spec = {"from_owner": "cam@example.com", "to": "tom@example.com"}
    done = apply(session, people.admin, spec)

    assert book.notices(people.csm) == []
    assert done["notified"] == 1


def test_a_past_day_keeps_the_days_before_with_the_old_owner(
    book: Book, people: People, session: Session, cams: list[int], day: dt.date
) -> None:
    back = day - dt.timedelta(days=45)

    spec = {"account_ids": ["C1"], "to": "tom@example.com", "day": back.isoformat()}
    apply(session, people.admin, spec)

    timeline = load_owner_timeline(session)
    assert timeline.owner_on(cams[1], back - dt.timedelta(days=1)) == people.csm.user_id
    assert timeline.owner_on(cams[1], back) == people.teammate.user_id


def test_an_account_without_history_keeps_its_past_with_its_owner(
    book: Book, people: People, session: Session, day: dt.date
) -> None:
    account = book.account("BARE", people.csm, created=day - dt.timedelta(days=300))

    apply(session, people.admin, {"account_ids": ["BARE"], "to": "tom@example.com"})

    timeline = load_owner_timeline(session)
    assert (
        timeline.owner_on(account, day - dt.timedelta(days=200)) == people.csm.user_id
    )
    assert timeline.owner_on(account, day) == people.teammate.user_id


def test_a_day_before_the_owners_start_or_after_today_is_refused_and_nothing_changes(
    book: Book, people: People, session: Session, cams: list[int], day: dt.date
) -> None:
    before = counts(session)
    too_early = day - dt.timedelta(days=150)
    spec = {"from_owner": "cam@example.com", "to": "tom@example.com"}

    with pytest.raises(BookError, match="has had its owner since"):
        apply(session, people.admin, {**spec, "day": too_early})
    with pytest.raises(BookError, match="is after today"):
        apply(session, people.admin, {**spec, "day": day + dt.timedelta(days=1)})

    assert counts(session) == before
    assert book.owner("C0") == people.csm.user_id


def test_a_preview_that_went_stale_is_refused_saying_what_changed(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    spec = {"from_owner": "cam@example.com", "to": "tom@example.com"}
    shown = preview_reassignment(session, people.admin, spec)
    session.execute(update(Account).where(Account.id == cams[0]).values(owner_id=None))
    book.account("C9", people.csm)
    before = counts(session)

    with pytest.raises(Stale) as caught:
        reassign(session, people.admin, {**spec, "expected": shown.moves})

    assert caught.value.changes == [
        "account 'C0' is no longer in the selection",
        "account 'C9' is now in the selection",
    ]
    assert counts(session) == before


def test_a_changed_owner_inside_the_selection_is_stale(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    spec = {"account_ids": ["C0"], "to": "tom@example.com"}
    shown = preview_reassignment(session, people.admin, spec)
    session.execute(
        update(Account)
        .where(Account.id == cams[0])
        .values(owner_id=people.manager.user_id)
    )

    with pytest.raises(Stale, match=r"account 'C0' is now owned by maya@example\.com"):
        reassign(session, people.admin, {**spec, "expected": shown.moves})


def test_moving_an_account_to_its_own_owner_leaves_it_as_it_is(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    book.account("T1", people.teammate)

    spec = {"account_ids": ["C0", "T1"], "to": "tom@example.com"}
    done = apply(session, people.admin, spec)

    assert done["moved"] == 1
    assert done["unchanged"] == ["T1"]
    assert book.entries("T1") == []


def test_a_team_is_given_the_accounts_evenly_or_least_loaded_first(
    book: Book, people: People, session: Session, day: dt.date
) -> None:
    for number in range(4):
        book.account(f"W{number}", people.outsider, mrr=1000 * (4 - number))
    book.account("TOM1", people.teammate, mrr=500)
    book.account("TOM2", people.teammate, mrr=500)

    spec = {"from_owner": "oz@example.com", "team": "east", "spread": "even"}
    evenly = preview_reassignment(session, people.admin, spec).details()
    loaded = preview_reassignment(
        session, people.admin, {"from_owner": "oz@example.com", "team": "East"}
    ).details()

    # Over the team's CSMs (its lead Maya is left out); Tom starts with two.
    assert [m["to_name"] for m in evenly["moves"]] == ["Cam", "Tom", "Cam", "Tom"]
    assert [m["to_name"] for m in loaded["moves"]] == ["Cam", "Cam", "Cam", "Tom"]
    assert [(t["name"], t["accounts"]) for t in loaded["totals"]] == [
        ("Cam", 3), ("Tom", 1),
    ]  # fmt: skip


def test_a_manager_moves_only_accounts_in_scope_to_people_in_scope(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    book.account("W1", people.outsider, region="East")

    with pytest.raises(NotFound, match="account_ids 'W1': no such account in your"):
        preview_reassignment(
            session, people.manager, {"account_ids": ["W1"], "to": "cam@example.com"}
        )
    with pytest.raises(Forbidden, match=r"oz@example\.com"):
        preview_reassignment(
            session, people.manager, {"account_ids": ["C0"], "to": "oz@example.com"}
        )
    with pytest.raises(Forbidden):
        preview_reassignment(
            session, people.manager, {"region": "East", "team": "West"}
        )
    by_region = preview_reassignment(
        session, people.manager, {"region": "east", "to": "tom@example.com"}
    )
    assert [move["account_id"] for move in by_region.moves] == ["C0", "C1", "C2"]


@pytest.mark.parametrize("role", ["csm", "viewer"])
def test_only_admins_and_managers_may_reassign(
    book: Book, people: People, session: Session, cams: list[int], role: str
) -> None:
    who = people.csm if role == "csm" else people.viewer
    with pytest.raises(Forbidden):
        preview_reassignment(
            session, who, {"account_ids": ["C0"], "to": "tom@example.com"}
        )


def test_an_admin_moves_any_account_to_anyone(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    done = apply(session, people.admin, {"account_ids": ["C0"], "to": "oz@example.com"})
    assert done["moved"] == 1
    assert book.owner("C0") == people.outsider.user_id


def test_a_saved_segment_narrows_the_selection(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    book.account("K1", people.csm, tier="Key")
    segments.create_segment(
        session, {"key": "key-tier", "name": "Key", "definition": {"tier": "Key"}}, None
    )

    spec = {"segment": "key-tier", "from_owner": "cam@example.com"}
    shown = preview_reassignment(
        session, people.admin, {**spec, "to": "tom@example.com"}
    )

    assert [move["account_id"] for move in shown.moves] == ["K1"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"from_owner": "nobody@example.com", "to": "tom@example.com"}, "from_owner"),
        ({"segment": "no-such", "to": "tom@example.com"}, "segment 'no-such'"),
        ({"region": "East", "team": "Moon"}, "team 'Moon': no such team"),
        ({"region": "East", "to": "nobody@example.com"}, "to 'nobody@example.com'"),
    ],
)
def test_unknown_people_segments_and_teams_are_named(
    book: Book, people: People, session: Session, spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(NotFound, match=message):
        preview_reassignment(session, people.admin, spec)


def test_the_owner_named_in_the_selection_is_not_given_back_their_accounts(
    book: Book, people: People, session: Session, cams: list[int]
) -> None:
    spec = {"from_owner": "cam@example.com", "team": "East", "spread": "even"}

    shown = preview_reassignment(session, people.admin, spec)

    assert [move["to_name"] for move in shown.moves] == ["Tom", "Tom", "Tom"]
    assert shown.unchanged == []
