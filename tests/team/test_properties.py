"""Property tests: each owner's bridge holds, transfers cancel out, totals match."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from tenure.accounts.ownership import OwnerTimeline, Span
from tenure.revenue.bridge import KIND_COLUMNS, MoveRow, bridge
from tenure.revenue.calendar import INTERVALS, periods
from tenure.team.attribution import (
    CLOSING,
    OPENING,
    TRANSFER_IN,
    TRANSFER_OUT,
    OwnerBridgeRow,
    owner_bridge,
    owner_bridges,
    owner_entries,
)

BASE = dt.date(2025, 1, 1)
DAYS = 400
OWNERS = (1, 2, 3, None)
COLUMNS = tuple(KIND_COLUMNS.values())

days = st.integers(0, DAYS).map(lambda n: BASE + dt.timedelta(n))


@st.composite
def account_moves(draw: st.DrawFn, account: int) -> list[MoveRow]:
    """A well-formed history: new, then changes, churn and comebacks, some fx."""
    moves: list[MoveRow] = []
    mrr, paying, ever = 0, False, False
    for day in sorted(draw(st.lists(days, max_size=8, unique=True))):
        if not paying:
            amount = draw(st.integers(1, 5_000))
            kind = "reactivation" if ever else "new"
            paying = ever = True
        else:
            kind = draw(st.sampled_from(("expansion", "contraction", "churn", "fx")))
            if kind == "churn":
                amount, paying = -mrr, False
            elif kind == "expansion":
                amount = draw(st.integers(1, 3_000))
            else:
                amount = -draw(st.integers(0, max(mrr - 1, 0)))
        mrr += amount
        moves.append((account, day, kind, amount))
    return moves


@st.composite
def histories(draw: st.DrawFn, account: int) -> list[Span]:
    """Owner history rows of one account, with gaps and none at all allowed."""
    starts = sorted(draw(st.lists(days, max_size=4, unique=True)))
    spans: list[Span] = []
    for index, start in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else None
        end = following
        if draw(st.booleans()) and following is not None:
            end = start + (following - start) // 2 or following
        spans.append((account, draw(st.sampled_from(OWNERS)), start, end))
    return spans


@st.composite
def companies(draw: st.DrawFn) -> tuple[list[MoveRow], OwnerTimeline]:
    count = draw(st.integers(1, 6))
    moves: list[MoveRow] = []
    spans: list[Span] = []
    current: dict[int, int | None] = {}
    for account in range(1, count + 1):
        moves.extend(draw(account_moves(account)))
        spans.extend(draw(histories(account)))
        current[account] = draw(st.sampled_from(OWNERS))
    return moves, OwnerTimeline(spans, current)


@st.composite
def spans_of_periods(draw: st.DrawFn) -> list[tuple[dt.date, dt.date]]:
    first, last = sorted((draw(days), draw(days)))
    return list(periods(first, last, draw(st.sampled_from(INTERVALS[1:]))))


def by_period(rows: list[OwnerBridgeRow]) -> dict[dt.date, list[OwnerBridgeRow]]:
    grouped: dict[dt.date, list[OwnerBridgeRow]] = defaultdict(list)
    for row in rows:
        grouped[row.period].append(row)
    return grouped


@settings(max_examples=150, deadline=None)
@given(companies(), spans_of_periods())
def test_each_owners_bridge_holds_and_transfers_cancel(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    rows = owner_bridge(moves, timeline, spans)
    for row in rows:
        assert row.closing_from_movements() == row.mrr, row
    for period_rows in by_period(rows).values():
        assert sum(r.transfers_in for r in period_rows) == sum(
            r.transfers_out for r in period_rows
        )
        assert sum(r.customers_in for r in period_rows) == sum(
            r.customers_out for r in period_rows
        )


@settings(max_examples=150, deadline=None)
@given(companies(), spans_of_periods())
def test_all_owners_together_are_the_company_bridge(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    grouped = by_period(owner_bridge(moves, timeline, spans))
    for total in bridge(moves, spans):
        mine = grouped.get(total.period, [])
        for column in (*COLUMNS, "opening_mrr", "mrr", "customers"):
            assert sum(getattr(r, column) for r in mine) == getattr(total, column)
        assert sum(r.opening_customers for r in mine) == total.opening_customers


@settings(max_examples=150, deadline=None)
@given(companies(), spans_of_periods())
def test_each_movement_goes_to_the_owner_on_its_day(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    expected: dict[tuple[dt.date, Hashable, str], int] = defaultdict(int)
    for account, day, kind, amount in moves:
        for start, end in spans:
            if start <= day < end:
                owner = timeline.owner_on(account, day)
                expected[(start, owner, KIND_COLUMNS[kind])] += amount
    for row in owner_bridge(moves, timeline, spans):
        for column in COLUMNS:
            want = expected.pop((row.period, row.owner, column), 0)
            assert getattr(row, column) == want
    assert not any(expected.values())


@settings(max_examples=150, deadline=None)
@given(companies(), spans_of_periods())
def test_a_closing_balance_is_the_next_opening(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    grouped = by_period(owner_bridge(moves, timeline, spans))
    for (start, _end), (following, _) in itertools.pairwise(spans):
        closing = {r.owner: r.mrr for r in grouped.get(start, [])}
        opening = {r.owner: r.opening_mrr for r in grouped.get(following, [])}
        assert {k: v for k, v in closing.items() if v} == {
            k: v for k, v in opening.items() if v
        }


@settings(max_examples=150, deadline=None)
@given(companies(), spans_of_periods())
def test_a_group_adds_its_members_up_without_inner_transfers(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    members = {1, 2}
    grouped = by_period(
        owner_bridge(moves, timeline, spans, group_of=lambda o: o in members)
    )
    people = by_period(owner_bridge(moves, timeline, spans))
    for period, rows in people.items():
        team = next((r for r in grouped.get(period, []) if r.owner is True), None)
        inside = [r for r in rows if r.owner in members]
        for column in (*COLUMNS, "opening_mrr", "mrr"):
            want = sum(getattr(r, column) for r in inside)
            assert (getattr(team, column) if team else 0) == want
        net = sum(r.transfers_in - r.transfers_out for r in inside)
        assert (team.transfers_in - team.transfers_out if team else 0) == net


@settings(max_examples=100, deadline=None)
@given(companies(), spans_of_periods())
def test_one_replay_of_several_groupings_gives_each_groupings_rows(
    company: tuple[list[MoveRow], OwnerTimeline],
    spans: list[tuple[dt.date, dt.date]],
) -> None:
    moves, timeline = company
    groupings = [None, lambda o: o in (1, 2), lambda o: o is None]
    together = owner_bridges(moves, timeline, spans, groupings)
    for grouping, rows in zip(groupings, together, strict=True):
        assert rows == owner_bridge(moves, timeline, spans, grouping)


@settings(max_examples=150, deadline=None)
@given(companies(), days, st.integers(0, 120), st.sampled_from(OWNERS))
def test_the_entries_behind_a_row_add_up_to_it(
    company: tuple[list[MoveRow], OwnerTimeline],
    start: dt.date,
    length: int,
    owner: int | None,
) -> None:
    moves, timeline = company
    end = start + dt.timedelta(days=length)
    rows, entries = owner_entries(moves, timeline, start, end, lambda o: o == owner)
    row = next((r for r in rows if r.owner == owner), OwnerBridgeRow(start, owner))
    totals: dict[str, int] = defaultdict(int)
    for entry in entries:
        assert entry.owner == owner
        totals[entry.kind] += entry.amount
    assert totals[OPENING] == row.opening_mrr
    assert totals[CLOSING] == row.mrr
    assert totals[TRANSFER_IN] == row.transfers_in
    assert totals[TRANSFER_OUT] == row.transfers_out
    for kind, column in KIND_COLUMNS.items():
        assert totals[kind] == getattr(row, column)
    base = sum(e.amount for e in entries if e.kind == OPENING and e.base)
    assert base == row.base_mrr
