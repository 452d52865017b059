"""Replay movements and owner changes day by day, keeping each book's totals.

The engine behind ``tenure.team.attribution``; see there for the definitions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
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


@dataclass(slots=True)
class _Running:
    mrr: int = 0
    customers: int = 0
    customer_mrr: int = 0


_NOT_BASE = object()


class Replay:
    """Replays movements and owner changes day by day, keeping each book's totals."""

    def __init__(
        self,
        moves: Iterable[MoveRow],
        timeline: OwnerTimeline,
        first: dt.date,
        last: dt.date,
        group_of: GroupOf | None,
        opening: Opening | None,
    ) -> None:
        key: GroupOf = group_of if group_of is not None else (lambda owner: owner)
        self.key = key
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
        accounts = set(self.mrr) | {m[0] for m in self.moves}
        self.owner: dict[int, int | None] = {}
        self.holder: dict[int, Hashable] = {}
        self.running: dict[Hashable, _Running] = defaultdict(_Running)
        changes: list[tuple[dt.date, int, int | None]] = []
        for account in accounts:
            steps = timeline.owners_between(account, first, last)
            owner = steps[0][1]
            self.owner[account], self.holder[account] = owner, key(owner)
            self._add(self.holder[account], account, 1)
            changes.extend((day, account, new) for day, new in steps[1:])
        self.changes = sorted(changes, key=lambda c: c[0])
        self.change_index = 0
        self.collect: Callable[[Hashable], bool] | None = None
        self.entries: list[Entry] = []

    def _change_state(self, account: int, kind: str, amount: int) -> None:
        self.mrr[account] += amount
        if kind in (NEW, REACTIVATION):
            self.customer[account] = True
        elif kind == CHURN:
            self.customer[account] = False

    def _add(self, holder: Hashable, account: int, sign: int) -> None:
        """Add (sign 1) or remove (-1) an account's state from a book's totals."""
        run = self.running[holder]
        mrr, paying = self.mrr[account], self.customer[account]
        run.mrr += sign * mrr
        if paying:
            run.customers += sign
            run.customer_mrr += sign * mrr

    def balances(self, day: dt.date, kind: str) -> None:
        """Record each collected account's balance (OPENING or CLOSING) on ``day``."""
        if self.collect is None:
            return
        for account, holder in self.holder.items():
            mrr, paying = self.mrr[account], self.customer[account]
            if (mrr or paying) and self.collect(holder):
                self.entries.append(
                    Entry(holder, account, day, kind, mrr, customer=paying, base=paying)
                )

    def period(self, start: dt.date, end: dt.date) -> list[OwnerBridgeRow]:
        """Replay ``[start, end)`` and return the row of every book touched."""
        rows: dict[Hashable, OwnerBridgeRow] = {}
        for holder, run in self.running.items():
            if run.mrr or run.customers:
                rows[holder] = OwnerBridgeRow(
                    start, holder, opening_mrr=run.mrr,
                    opening_customers=run.customers, base_mrr=run.customer_mrr,
                )  # fmt: skip

        def row(holder: Hashable) -> OwnerBridgeRow:
            if holder not in rows:
                rows[holder] = OwnerBridgeRow(start, holder)
            return rows[holder]

        base: dict[int, object] = {}
        lost: dict[int, Hashable] = {}
        while True:
            change = self._next_change(end)
            move = self._next_move(end)
            if change is None and move is None:
                break
            if change is not None and (move is None or change[0] <= move[1]):
                self.change_index += 1
                day, account, owner = change
                if account not in base:
                    base[account] = self._base_of(account)
                self._transfer(row, day, account, owner)
                continue
            assert move is not None
            self.index += 1
            account, day, kind, amount = move
            if account not in base:
                base[account] = self._base_of(account)
            holder = self.holder[account]
            target = row(holder)
            column = KIND_COLUMNS[kind]
            setattr(target, column, getattr(target, column) + amount)
            if kind == NEW:
                target.new_accounts.add(account)
            elif kind == CHURN:
                target.churned_accounts.add(account)
            held = base[account] == holder
            if held and kind in GAINS:
                target.gains += amount
            elif held and kind in LOSSES:
                target.losses += amount
                if kind == CHURN:
                    lost[account] = holder
            self._add(holder, account, -1)
            self._change_state(account, kind, amount)
            self._add(holder, account, 1)
            if self.collect is not None and self.collect(holder):
                self.entries.append(
                    Entry(holder, account, day, kind, amount, base=held)
                )
        for account, holder in lost.items():
            if not self.customer[account]:
                rows[holder].lost_customers += 1
        for holder, run in self.running.items():
            if run.mrr or run.customers:
                row(holder)
        for holder, found in rows.items():
            found.mrr = self.running[holder].mrr
            found.customers = self.running[holder].customers
        return sorted(rows.values(), key=lambda r: order(r.owner))

    def _base_of(self, account: int) -> object:
        """The account's holder at the period start if it was a customer then."""
        return self.holder[account] if self.customer[account] else _NOT_BASE

    def _next_change(self, end: dt.date) -> tuple[dt.date, int, int | None] | None:
        if self.change_index < len(self.changes):
            change = self.changes[self.change_index]
            if change[0] < end:
                return change
        return None

    def _next_move(self, end: dt.date) -> MoveRow | None:
        if self.index < len(self.moves) and self.moves[self.index][1] < end:
            return self.moves[self.index]
        return None

    def _transfer(
        self,
        row: Callable[[Hashable], OwnerBridgeRow],
        day: dt.date,
        account: int,
        owner: int | None,
    ) -> None:
        old_owner, old = self.owner[account], self.holder[account]
        new = self.key(owner)
        self.owner[account] = owner
        if new == old:
            return
        mrr, paying = self.mrr[account], self.customer[account]
        self._add(old, account, -1)
        self.holder[account] = new
        self._add(new, account, 1)
        if not (mrr or paying):
            return
        out, into = row(old), row(new)
        out.transfers_out += mrr
        into.transfers_in += mrr
        out.customers_out += paying
        into.customers_in += paying
        if self.collect is not None:
            if self.collect(old):
                self.entries.append(
                    Entry(old, account, day, TRANSFER_OUT, mrr, owner, paying)
                )
            if self.collect(new):
                self.entries.append(
                    Entry(new, account, day, TRANSFER_IN, mrr, old_owner, paying)
                )


def order(key: Hashable) -> tuple[int, str]:
    """Sort keys with nobody (None) last and numbers in numeric order."""
    if key is None:
        return (2, "")
    if isinstance(key, int):
        return (0, f"{key:020d}")
    return (1, str(key))
