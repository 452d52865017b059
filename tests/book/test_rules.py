"""Assignment rules kept in one order: create, insert, move, change and delete."""

from __future__ import annotations

import pytest

from tenure.book import rules
from tenure.book.schemas import BookError, NotFound

from .conftest import Book, People


def names(book: Book) -> list[str]:
    return [row["name"] for row in rules.list_rules(book.session)]


def test_a_new_rule_goes_last_unless_placed(book: Book, people: People) -> None:
    book.rule("A", user_id=people.csm.user_id)
    book.rule("B", user_id=people.csm.user_id)
    book.rule("C", user_id=people.csm.user_id, position=1)

    rows = rules.list_rules(book.session)

    assert [(row["name"], row["position"]) for row in rows] == [
        ("A", 0), ("C", 1), ("B", 2),
    ]  # fmt: skip


def test_moving_a_rule_swaps_it_with_its_neighbour(book: Book, people: People) -> None:
    a = book.rule("A", user_id=people.csm.user_id)
    book.rule("B", user_id=people.csm.user_id)
    c = book.rule("C", user_id=people.csm.user_id)

    rules.move_rule(book.session, c.id, -1)
    assert names(book) == ["A", "C", "B"]
    rules.move_rule(book.session, a.id, -1)
    assert names(book) == ["A", "C", "B"]
    rules.move_rule(book.session, a.id, 5)
    assert names(book) == ["C", "B", "A"]


def test_deleting_a_rule_closes_the_gap(book: Book, people: People) -> None:
    book.rule("A", user_id=people.csm.user_id)
    b = book.rule("B", user_id=people.csm.user_id)
    book.rule("C", user_id=people.csm.user_id)

    rules.delete_rule(book.session, b.id)

    rows = rules.list_rules(book.session)
    assert [(row["name"], row["position"]) for row in rows] == [("A", 0), ("C", 1)]


def test_a_new_strategy_drops_the_target_it_no_longer_takes(
    book: Book, people: People
) -> None:
    rule = book.rule("A", user_id=people.csm.user_id)

    changes = {"strategy": "round_robin", "team_id": book.team_id("East")}
    rules.update_rule(book.session, rule.id, changes)

    row = rules.get_rule(book.session, rule.id)
    assert (row["strategy"], row["user_id"], row["team"]) == (
        "round_robin",
        None,
        "East",
    )


def test_a_change_keeps_the_fields_not_given(book: Book, people: People) -> None:
    rule = book.rule("A", conditions={"tier": ["Key"]}, user_id=people.csm.user_id)

    rules.update_rule(book.session, rule.id, {"active": False})

    row = rules.get_rule(book.session, rule.id)
    assert (row["active"], row["conditions"], row["user"]) == (
        False, {"tier": ["Key"]}, "cam@example.com",
    )  # fmt: skip


def test_an_inactive_or_unknown_user_and_an_unknown_team_are_refused(
    book: Book, people: People
) -> None:
    book.deactivate(people.csm)
    inactive = f"user_id {people.csm.user_id}: is not an active staff user"
    with pytest.raises(BookError, match=inactive):
        book.rule("A", user_id=people.csm.user_id)
    with pytest.raises(BookError, match="user_id 99999"):
        book.rule("A", user_id=99999)
    with pytest.raises(BookError, match="team_id 99999: no such team"):
        book.rule("A", strategy="least_loaded", team_id=99999)


def test_a_name_is_used_once(book: Book, people: People) -> None:
    book.rule("A", user_id=people.teammate.user_id)
    with pytest.raises(BookError, match="name 'A': an assignment rule has this name"):
        book.rule("A", user_id=people.teammate.user_id)


def test_an_unknown_rule_is_not_found(book: Book) -> None:
    with pytest.raises(NotFound, match="rule_id 42"):
        rules.get_rule(book.session, 42)
    with pytest.raises(NotFound):
        rules.delete_rule(book.session, 42)
