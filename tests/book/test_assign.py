"""Assigning unowned accounts by rule: order, strategies, history, notices, reruns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tenure.book.assign import assign_new_accounts, preview_assignment
from tenure.book.models import AssignmentRule
from tenure.staff.models import StaffUser

from .conftest import TODAY, Book, People, counts

DAY = TODAY


def test_the_first_active_matching_rule_by_position_decides(
    book: Book, people: People
) -> None:
    book.account("A1", region="East", tier="Strategic")
    book.rule("Any East", conditions={"region": ["East"]}, user_id=people.csm.user_id)
    book.rule(
        "Strategic East",
        conditions={"region": ["east"], "tier": ["Strategic"]},
        user_id=people.teammate.user_id,
        position=0,
    )
    book.rule("Off", active=False, user_id=people.outsider.user_id, position=0)

    result = assign_new_accounts(book.session, None, DAY)

    assert result.assigned == 1
    assert book.owner("A1") == people.teammate.user_id
    assert book.entries("A1") == ["Assigned to Tom by rule Strategic East"]


def test_a_plan_condition_matches_the_main_plans_external_id(
    book: Book, people: People
) -> None:
    book.account("PRO", plan="pro-annual", mrr=100)
    book.account("BASIC", plan="basic", mrr=100)
    book.rule("Pro", conditions={"plan": ["pro-annual"]}, user_id=people.csm.user_id)

    result = assign_new_accounts(book.session, None, DAY)

    assert book.owner("PRO") == people.csm.user_id
    assert result.unmatched == ["BASIC"]
    assert book.owner("BASIC") is None


def test_an_inactive_user_is_skipped_for_the_next_rule(
    book: Book, people: People
) -> None:
    book.account("A1", region="East")
    book.rule("Cam", user_id=people.csm.user_id)
    book.rule("Tom", user_id=people.teammate.user_id)
    book.deactivate(people.csm)

    assign_new_accounts(book.session, None, DAY)

    assert book.owner("A1") == people.teammate.user_id


def test_least_loaded_gives_to_the_fewest_active_customers_ties_by_name(
    book: Book, people: People
) -> None:
    east = book.team_id("East")
    book.account("OLD1", people.teammate, mrr=100)
    book.account("NEW1", region="East")
    book.account("NEW2", region="East")
    book.account("NEW3", region="East")
    book.rule("East", strategy="least_loaded", team_id=east)

    result = assign_new_accounts(book.session, None, DAY)

    # The CSMs Cam and Tom (one customer), not Maya who leads the team: Cam, then
    # Cam again (a tie, broken by name), then Tom.
    by_id = {row["account_id"]: row["to"] for row in result.rows()}
    assert by_id == {
        "NEW1": "cam@example.com",
        "NEW2": "cam@example.com",
        "NEW3": "tom@example.com",
    }


def test_round_robin_carries_its_turn_from_one_run_to_the_next(
    book: Book, people: People, session: Session
) -> None:
    east = book.team_id("East")
    rule = book.rule("East", strategy="round_robin", team_id=east)
    owners = []
    for number in range(4):
        book.account(f"N{number}", region="East")
        assign_new_accounts(session, None, DAY)
        owners.append(book.owner(f"N{number}"))

    # The team's CSMs in turn; Maya, who leads it, is not one of them.
    cam, tom = people.csm, people.teammate
    assert owners == [cam.user_id, tom.user_id, cam.user_id, tom.user_id]
    assert session.get(AssignmentRule, rule.id).last_user_id == tom.user_id


def test_inactive_team_members_are_skipped(book: Book, people: People) -> None:
    book.rule("East", strategy="round_robin", team_id=book.team_id("East"))
    book.deactivate(people.csm)
    book.deactivate(people.manager)
    book.account("A1")
    book.account("A2")

    result = assign_new_accounts(book.session, None, DAY)

    assert set(result.per_owner()) == {"tom@example.com"}


def test_a_rule_with_nobody_to_give_to_leaves_the_account_to_the_next(
    book: Book, people: People
) -> None:
    west = book.team_id("West")
    book.rule("West", strategy="least_loaded", team_id=west)
    book.rule("Fallback", user_id=people.manager.user_id)
    book.deactivate(people.outsider)
    book.account("A1")

    assign_new_accounts(book.session, None, DAY)

    assert book.owner("A1") == people.manager.user_id


def test_the_first_owner_starts_at_the_accounts_creation(
    book: Book, people: People
) -> None:
    book.account("A1", created=dt.date(2025, 6, 1))
    book.rule("Cam", user_id=people.csm.user_id)

    assign_new_accounts(book.session, None, DAY)

    assert book.history("A1") == [(people.csm.user_id, dt.date(2025, 6, 1), None)]


def test_each_new_owner_is_told_once_with_the_count_and_a_link(
    book: Book, people: People
) -> None:
    for number in range(3):
        book.account(f"A{number}")
    book.rule("Cam", user_id=people.csm.user_id)

    assign_new_accounts(book.session, None, DAY)

    (notice,) = book.notices(people.csm)
    assert notice.title == "New accounts assigned to you: 3"
    assert notice.link == "/customers?owner=cam%40example.com"
    assert notice.details["accounts"] == 3


def test_a_notice_is_in_the_owners_language(book: Book, people: People) -> None:
    book.session.get_one(StaffUser, people.csm.user_id).locale = "zh-CN"
    book.account("A1")
    book.rule("Cam", user_id=people.csm.user_id)

    assign_new_accounts(book.session, None, DAY)

    assert book.notices(people.csm)[0].title == "新分配给你的客户：1 个"


def test_owned_accounts_are_never_touched_and_a_rerun_assigns_nothing(
    book: Book, people: People, session: Session
) -> None:
    book.account("OWNED", people.outsider)
    book.account("NEW")
    book.rule("Cam", user_id=people.csm.user_id)

    first = assign_new_accounts(session, None, DAY)
    before = counts(session)
    second = assign_new_accounts(session, None, DAY)

    assert first.assigned == 1
    assert book.owner("OWNED") == people.outsider.user_id
    assert second.assigned == 0
    assert counts(session) == before


def test_only_the_given_accounts_are_assigned(book: Book, people: People) -> None:
    wanted = book.account("A1")
    book.account("A2")
    book.rule("Cam", user_id=people.csm.user_id)

    assign_new_accounts(book.session, [wanted], DAY)

    assert (book.owner("A1"), book.owner("A2")) == (people.csm.user_id, None)


def test_a_preview_shows_who_would_get_what_and_writes_nothing(
    book: Book, people: People, session: Session
) -> None:
    book.account("A1", region="East")
    book.account("A2", region="Mars")
    rule = book.rule("East", strategy="round_robin", team_id=book.team_id("East"))
    book.rule("Only East", conditions={"region": ["East"]}, user_id=people.csm.user_id)
    before = counts(session)

    result = preview_assignment(session)

    assert [(r["account_id"], r["rule"], r["to"]) for r in result.rows()] == [
        ("A1", "East", "cam@example.com"),
        ("A2", "East", "tom@example.com"),
    ]
    assert counts(session) == before
    assert session.get(AssignmentRule, rule.id).last_user_id is None
