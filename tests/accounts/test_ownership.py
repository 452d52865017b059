"""Who owned an account on a day: inside, before, between and after history rows."""

from __future__ import annotations

import datetime as dt

from tenure.accounts.ownership import OwnerTimeline

D = dt.date


def timeline() -> OwnerTimeline:
    spans = [
        # Account 1: Ann from Jan 10, Bob from Mar 1, nobody from May 1, Cy from Jun 1.
        (1, 11, D(2026, 1, 10), D(2026, 3, 1)),
        (1, 12, D(2026, 3, 1), D(2026, 5, 1)),
        (1, 13, D(2026, 6, 1), None),
        # Account 2: an empty row (ends where it starts) is ignored.
        (2, 11, D(2026, 2, 1), D(2026, 2, 1)),
        (2, 12, D(2026, 2, 1), None),
    ]
    return OwnerTimeline(spans, {1: 13, 2: 12, 3: 14})


def test_a_day_inside_a_row_belongs_to_its_owner() -> None:
    owners = timeline()
    assert owners.owner_on(1, D(2026, 1, 10)) == 11
    assert owners.owner_on(1, D(2026, 2, 28)) == 11
    assert owners.owner_on(1, D(2026, 3, 1)) == 12
    assert owners.owner_on(1, D(2027, 1, 1)) == 13


def test_before_the_first_row_the_first_owner_holds_it() -> None:
    assert timeline().owner_on(1, D(2025, 6, 1)) == 11


def test_a_gap_between_rows_has_no_owner() -> None:
    owners = timeline()
    assert owners.owner_on(1, D(2026, 5, 1)) is None
    assert owners.owner_on(1, D(2026, 5, 31)) is None


def test_without_history_the_current_owner_holds_every_day() -> None:
    owners = timeline()
    assert owners.owner_on(3, D(2020, 1, 1)) == 14
    assert owners.owner_on(4, D(2020, 1, 1)) is None


def test_empty_rows_are_ignored() -> None:
    assert timeline().owner_on(2, D(2026, 1, 1)) == 12


def test_owners_between_lists_each_change() -> None:
    changes = timeline().owners_between(1, D(2026, 2, 1), D(2026, 6, 30))
    assert changes == [
        (D(2026, 2, 1), 11),
        (D(2026, 3, 1), 12),
        (D(2026, 5, 1), None),
        (D(2026, 6, 1), 13),
    ]
