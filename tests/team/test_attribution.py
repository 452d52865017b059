"""Worked examples: a reassignment mid-period, NRR, GRR, logo churn and renewals."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from tenure.accounts.ownership import OwnerTimeline
from tenure.revenue.bridge import MoveRow
from tenure.revenue.calendar import periods
from tenure.team.attribution import (
    TRANSFER_IN,
    TRANSFER_OUT,
    OwnerBridgeRow,
    owner_bridge,
    owner_entries,
    renewal_owner,
)

D = dt.date
ANN, BOB = 11, 12
MARCH = [(D(2026, 3, 1), D(2026, 4, 1))]
APRIL = [(D(2026, 4, 1), D(2026, 5, 1))]

# Account 1: new in January with Ann; +200 on Mar 10 (Ann); handed to Bob on Mar 15;
# -100 on Mar 15 (Bob, the change day is his) and churned by Bob on Apr 10.
MOVES: list[MoveRow] = [
    (1, D(2026, 1, 5), "new", 1_000),
    (1, D(2026, 3, 10), "expansion", 200),
    (1, D(2026, 3, 15), "contraction", -100),
    (1, D(2026, 4, 10), "churn", -1_100),
    # Account 2 stays with Ann all along.
    (2, D(2026, 2, 1), "new", 500),
]
SPANS = [
    (1, ANN, D(2026, 1, 1), D(2026, 3, 15)),
    (1, BOB, D(2026, 3, 15), None),
]
TIMELINE = OwnerTimeline(SPANS, {1: BOB, 2: ANN})


def rows_of(
    spans: list[tuple[dt.date, dt.date]], **kwargs: object
) -> dict[object, OwnerBridgeRow]:
    found = owner_bridge(MOVES, TIMELINE, spans, **kwargs)  # type: ignore[arg-type]
    return {row.owner: row for row in found}


def test_the_old_owner_keeps_what_happened_while_they_held_the_account() -> None:
    ann = rows_of(MARCH)[ANN]
    assert (ann.opening_mrr, ann.expansion, ann.contraction) == (1_500, 200, 0)
    assert (ann.transfers_out, ann.mrr) == (1_200, 500)
    assert ann.nrr == Fraction(1_700, 1_500)
    assert ann.grr == 1


def test_the_new_owner_gets_the_account_and_the_later_movements() -> None:
    bob = rows_of(MARCH)[BOB]
    assert (bob.opening_mrr, bob.transfers_in, bob.contraction) == (0, 1_200, -100)
    assert bob.mrr == 1_100
    assert bob.customers_in == 1
    assert bob.nrr is None, "an account gained mid-period is not in the base"


def test_the_next_period_the_new_owner_answers_for_the_churn() -> None:
    bob = rows_of(APRIL)[BOB]
    assert (bob.opening_mrr, bob.churn, bob.mrr) == (1_100, -1_100, 0)
    assert bob.nrr == 0 and bob.grr == 0
    assert bob.logo_churn_rate == 1
    assert rows_of(APRIL)[ANN].logo_churn_rate == 0


def test_reassigning_later_does_not_rewrite_an_earlier_period() -> None:
    months = list(periods(D(2026, 1, 1), D(2026, 2, 28), "month"))
    rows = owner_bridge(MOVES, TIMELINE, months)
    assert [(r.owner, r.new, r.mrr) for r in rows] == [
        (ANN, 1_000, 1_000),
        (ANN, 500, 1_500),
    ]


def test_a_team_holding_both_owners_sees_no_transfer() -> None:
    team = rows_of(MARCH, group_of=lambda owner: "team")["team"]
    assert (team.transfers_in, team.transfers_out) == (0, 0)
    assert (team.opening_mrr, team.mrr) == (1_500, 1_600)
    assert team.nrr == Fraction(1_600, 1_500)
    assert team.grr == Fraction(1_400, 1_500)


def test_a_gap_in_the_history_is_nobodys_book() -> None:
    spans = [(1, ANN, D(2026, 1, 1), D(2026, 3, 12)), (1, BOB, D(2026, 3, 20), None)]
    rows = {
        r.owner: r
        for r in owner_bridge(MOVES, OwnerTimeline(spans, {1: BOB, 2: ANN}), MARCH)
    }
    assert (rows[None].transfers_in, rows[None].transfers_out) == (1_200, 1_100)
    assert rows[None].contraction == -100
    assert rows[BOB].transfers_in == 1_100


def test_the_entries_name_the_other_side_of_a_transfer() -> None:
    _rows, entries = owner_entries(
        MOVES, TIMELINE, D(2026, 3, 1), D(2026, 3, 31), lambda o: o in (ANN, BOB)
    )
    moved = {(e.owner, e.kind): (e.other, e.amount, e.day) for e in entries}
    assert moved[(ANN, TRANSFER_OUT)] == (BOB, 1_200, D(2026, 3, 15))
    assert moved[(BOB, TRANSFER_IN)] == (ANN, 1_200, D(2026, 3, 15))


def test_a_renewal_belongs_to_the_owner_on_its_due_date() -> None:
    today = D(2026, 3, 25)
    assert renewal_owner(TIMELINE, 1, D(2026, 3, 10), today) == ANN
    assert renewal_owner(TIMELINE, 1, D(2026, 3, 20), today) == BOB
    assert renewal_owner(TIMELINE, 1, D(2027, 1, 1), today) == BOB


def test_a_future_renewal_goes_to_todays_owner_even_before_a_planned_change() -> None:
    planned = OwnerTimeline(
        [(1, ANN, D(2026, 1, 1), D(2026, 6, 1)), (1, BOB, D(2026, 6, 1), None)],
        {1: BOB},
    )
    assert renewal_owner(planned, 1, D(2026, 7, 1), D(2026, 3, 25)) == ANN
