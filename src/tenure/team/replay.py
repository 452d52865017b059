"""Replay movements and owner changes day by day, keeping each owner's book.

The engine behind ``tenure.team.attribution`` (see there for the definitions). A
replay keeps one running book per owner; the rows of any grouping of owners
(people, teams, everyone in a view) are sums of their owners' parts, except
transfers and retention, which depend on the grouping and are kept per grouping
as the replay goes. So one pass over the movements answers several groupings.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from tenure.accounts.ownership import OwnerTimeline
from tenure.revenue.bridge import KIND_COLUMNS, MoveRow
from tenure.revenue.timeline import CHURN, NEW, REACTIVATION
from tenure.team.rows import (
    GAINS,
    LOSSES,
    TRANSFER_IN,
    TRANSFER_OUT,
    Entry,
    GroupOf,
    Opening,
    OwnerBridgeRow,
)

log = logging.getLogger(__name__)

Owner = int | None
# Whether a base account is still held by its starting book, per grouping.
_ALL_HELD: tuple[bool, ...] = (True,)
_NONE_HELD: tuple[bool, ...] = ()


@dataclass(slots=True)
class _Running:
    mrr: int = 0
    customers: int = 0
    customer_mrr: int = 0


def _identity(owner: Owner) -> Hashable:
    return owner


def order(key: Hashable) -> tuple[int, str]:
    """Sort keys with nobody (None) last and numbers in numeric order."""
    if key is None:
        return (2, "")
    if isinstance(key, int):
        return (0, f"{key:020d}")
    return (1, str(key))


class Replay:
    """Replays ``first..last`` (inclusive) one period at a time, in order."""

    def __init__(
        self,
        moves: Iterable[MoveRow],
        timeline: OwnerTimeline,
        first: dt.date,
        last: dt.date,
        groupings: Sequence[GroupOf | None],
        opening: Opening | None,
    ) -> None:
        self.groupings = [g or _identity for g in groupings] or [_identity]
        self._keys: dict[Owner, tuple[Hashable, ...]] = {}
        self.mrr: dict[int, int] = defaultdict(int)
        self.customer: dict[int, bool] = defaultdict(bool)
        for account, (mrr, active) in (opening or {}).items():
            self.mrr[account], self.customer[account] = mrr, active
        self.moves = sorted((m for m in moves if m[1] <= last), key=lambda m: m[1])
        self.index = 0
        while self.index < len(self.moves) and self.moves[self.index][1] < first:
            account, _day, kind, amount = self.moves[self.index]
            self._change_state(account, kind, amount)
            self.index += 1
        self.owner: dict[int, Owner] = {}
        self.running: dict[Owner, _Running] = defaultdict(_Running)
        changes: list[tuple[dt.date, int, Owner]] = []
        for account in set(self.mrr) | {m[0] for m in self.moves}:
            steps = timeline.owners_between(account, first, last)
            self.owner[account] = steps[0][1]
            self._add(steps[0][1], account, 1)
            if len(steps) > 1:
                changes.extend((day, account, new) for day, new in steps[1:])
        self.changes = sorted(changes, key=lambda c: c[0])
        self.change_index = 0
        # Entries of the first grouping's keys that ``collect`` accepts.
        self.collect: Callable[[Hashable], bool] | None = None
        self.entries: list[Entry] = []

    def keys(self, owner: Owner) -> tuple[Hashable, ...]:
        """The owner's key in each grouping."""
        found = self._keys.get(owner)
        if found is None:
            found = tuple(group(owner) for group in self.groupings)
            self._keys[owner] = found
        return found

    def _change_state(self, account: int, kind: str, amount: int) -> None:
        self.mrr[account] += amount
        if kind in (NEW, REACTIVATION):
            self.customer[account] = True
        elif kind == CHURN:
            self.customer[account] = False

    def _add(self, owner: Owner, account: int, sign: int) -> None:
        """Add (sign 1) or remove (-1) an account's state from an owner's book."""
        mrr, paying = self.mrr[account], self.customer[account]
        if not (mrr or paying):
            return
        run = self.running[owner]
        run.mrr += sign * mrr
        if paying:
            run.customers += sign
            run.customer_mrr += sign * mrr

    def balances(self, day: dt.date, kind: str) -> None:
        """Record each collected account's balance (OPENING or CLOSING) on ``day``."""
        if self.collect is None:
            return
        for account, owner in self.owner.items():
            mrr, paying = self.mrr[account], self.customer[account]
            holder = self.keys(owner)[0]
            if (mrr or paying) and self.collect(holder):
                self.entries.append(
                    Entry(holder, account, day, kind, mrr, customer=paying, base=paying)
                )

    def period(self, start: dt.date, end: dt.date) -> list[list[OwnerBridgeRow]]:
        """Replay ``[start, end)``; per grouping, the row of every book touched."""
        opened = {
            owner: (run.mrr, run.customers, run.customer_mrr)
            for owner, run in self.running.items()
            if run.mrr or run.customers
        }
        state = _Period(start, len(self.groupings))
        while True:
            change = self._next_change(end)
            move = self._next_move(end)
            if change is None and move is None:
                break
            if change is not None and (move is None or change[0] <= move[1]):
                self.change_index += 1
                self._transfer(state, *change)
            else:
                assert move is not None
                self.index += 1
                self._move(state, *move)
        return [
            self._rows(state, opened, index) for index in range(len(self.groupings))
        ]

    def _rows(
        self, state: _Period, opened: dict[Owner, tuple[int, int, int]], index: int
    ) -> list[OwnerBridgeRow]:
        """The rows of grouping ``index``: its owners' parts added up."""
        rows: dict[Hashable, OwnerBridgeRow] = {}

        def row(owner: Owner) -> OwnerBridgeRow:
            return state.row(rows, self.keys(owner)[index])

        for owner, (mrr, customers, customer_mrr) in opened.items():
            found = row(owner)
            found.opening_mrr += mrr
            found.opening_customers += customers
            found.base_mrr += customer_mrr
        for owner, moved in state.moved.items():
            found = row(owner)
            for column in KIND_COLUMNS.values():
                setattr(found, column, getattr(found, column) + getattr(moved, column))
            found.new_accounts |= moved.new_accounts
            found.churned_accounts |= moved.churned_accounts
        for owner, run in self.running.items():
            if run.mrr or run.customers:
                found = row(owner)
                found.mrr += run.mrr
                found.customers += run.customers
        for key, extra in state.extra[index].items():
            found = state.row(rows, key)
            found.transfers_in += extra.transfers_in
            found.transfers_out += extra.transfers_out
            found.customers_in += extra.customers_in
            found.customers_out += extra.customers_out
            found.gains += extra.gains
            found.losses += extra.losses
        for account, key in state.lost[index].items():
            if not self.customer[account]:
                state.row(rows, key).lost_customers += 1
        return sorted(rows.values(), key=lambda r: order(r.owner))

    def _next_change(self, end: dt.date) -> tuple[dt.date, int, Owner] | None:
        if self.change_index < len(self.changes):
            change = self.changes[self.change_index]
            if change[0] < end:
                return change
        return None

    def _next_move(self, end: dt.date) -> MoveRow | None:
        if self.index < len(self.moves) and self.moves[self.index][1] < end:
            return self.moves[self.index]
        return None

    def _base(self, state: _Period, account: int) -> tuple[bool, Owner]:
        """Whether the account was a customer at the period start, and its owner."""
        found = state.base.get(account)
        if found is None:
            found = state.base[account] = (self.customer[account], self.owner[account])
        return found

    def _move(
        self, state: _Period, account: int, day: dt.date, kind: str, amount: int
    ) -> None:
        in_base, base = self._base(state, account)
        owner = self.owner[account]
        moved = state.moved.get(owner)
        if moved is None:
            moved = state.moved[owner] = OwnerBridgeRow(state.start, owner)
        column = KIND_COLUMNS[kind]
        setattr(moved, column, getattr(moved, column) + amount)
        if kind == NEW:
            moved.new_accounts.add(account)
        elif kind == CHURN:
            moved.churned_accounts.add(account)
        keys = self.keys(owner)
        # Held since the start: by the same book, in each grouping.
        held = _NONE_HELD
        if in_base:
            held = _ALL_HELD if base == owner else self._held(keys, self.keys(base))
        if held is not _NONE_HELD and (kind in GAINS or kind in LOSSES):
            for index, key in enumerate(keys):
                if held is _ALL_HELD or held[index]:
                    extra = state.extra_row(index, key)
                    if kind in GAINS:
                        extra.gains += amount
                    else:
                        extra.losses += amount
                    if kind == CHURN:
                        state.lost[index][account] = key
        mrr, paying = self.mrr[account], self.customer[account]
        run = self.running[owner]
        run.mrr += amount
        if paying:
            run.customers -= 1
            run.customer_mrr -= mrr
        self._change_state(account, kind, amount)
        if self.customer[account]:
            run.customers += 1
            run.customer_mrr += mrr + amount
        if self.collect is not None and self.collect(keys[0]):
            first = held is _ALL_HELD or (held is not _NONE_HELD and held[0])
            self.entries.append(Entry(keys[0], account, day, kind, amount, base=first))

    @staticmethod
    def _held(
        keys: tuple[Hashable, ...], base_keys: tuple[Hashable, ...]
    ) -> tuple[bool, ...]:
        return tuple(k == b for k, b in zip(keys, base_keys, strict=True))

    def _transfer(
        self, state: _Period, day: dt.date, account: int, owner: Owner
    ) -> None:
        self._base(state, account)
        old = self.owner[account]
        if owner == old:
            return
        self._add(old, account, -1)
        self.owner[account] = owner
        self._add(owner, account, 1)
        mrr, paying = self.mrr[account], self.customer[account]
        if not (mrr or paying):
            return
        old_keys, new_keys = self.keys(old), self.keys(owner)
        for index, (was, now) in enumerate(zip(old_keys, new_keys, strict=True)):
            if was == now:
                continue
            out, into = state.extra_row(index, was), state.extra_row(index, now)
            out.transfers_out += mrr
            into.transfers_in += mrr
            out.customers_out += paying
            into.customers_in += paying
        was, now = old_keys[0], new_keys[0]
        if self.collect is None or was == now:
            return
        if self.collect(was):
            self.entries.append(
                Entry(was, account, day, TRANSFER_OUT, mrr, owner, paying)
            )
        if self.collect(now):
            self.entries.append(Entry(now, account, day, TRANSFER_IN, mrr, old, paying))


class _Period:
    """What one period collects as the replay goes."""

    def __init__(self, start: dt.date, groupings: int) -> None:
        self.start = start
        self.base: dict[int, tuple[bool, Owner]] = {}
        self.moved: dict[Owner, OwnerBridgeRow] = {}
        self.extra: list[dict[Hashable, OwnerBridgeRow]] = [
            {} for _ in range(groupings)
        ]
        self.lost: list[dict[int, Hashable]] = [{} for _ in range(groupings)]

    def extra_row(self, index: int, key: Hashable) -> OwnerBridgeRow:
        """Grouping ``index``'s transfers and retention of ``key``."""
        return self.row(self.extra[index], key)

    def row(
        self, rows: dict[Hashable, OwnerBridgeRow], key: Hashable
    ) -> OwnerBridgeRow:
        """The row of ``key`` in ``rows``, added if missing."""
        found = rows.get(key)
        if found is None:
            found = rows[key] = OwnerBridgeRow(self.start, key)
        return found
