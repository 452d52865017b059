"""The MRR bridge per period (and per group): opening, movements, closing.

Pure aggregation over stored movements. Contraction and churn are negative, so for
every row: previous period's MRR + new + expansion + reactivation + contraction +
churn + fx_impact = MRR, per group and in total.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tenure.revenue.timeline import CHURN, FX, NEW, REACTIVATION

MoveRow = tuple[int, dt.date, str, int]
"""A stored movement: account id, date, kind, amount in reporting minor units."""

KIND_COLUMNS = {
    "new": "new",
    "expansion": "expansion",
    "reactivation": "reactivation",
    "contraction": "contraction",
    "churn": "churn",
    FX: "fx_impact",
}


@dataclass
class BridgeRow:
    """One period (and group) of the MRR bridge, in reporting minor units."""

    period: dt.date
    group: str | None
    opening_mrr: int = 0
    mrr: int = 0
    new: int = 0
    expansion: int = 0
    reactivation: int = 0
    contraction: int = 0
    churn: int = 0
    fx_impact: int = 0
    opening_customers: int = 0
    customers: int = 0
    new_customers: int = 0
    churned_customers: int = 0
    accounts: set[int] = field(default_factory=set, repr=False)
    new_accounts: set[int] = field(default_factory=set, repr=False)
    churned_accounts: set[int] = field(default_factory=set, repr=False)

    def movement_total(self) -> int:
        """Return the sum of every movement, FX impact included."""
        return (
            self.new
            + self.expansion
            + self.reactivation
            + self.contraction
            + self.churn
            + self.fx_impact
        )


@dataclass
class _Running:
    mrr: int = 0
    customers: int = 0


def bridge(
    moves: Iterable[MoveRow],
    periods: list[tuple[dt.date, dt.date]],
    group_of: Callable[[int], str] | None = None,
) -> list[BridgeRow]:
    """Aggregate movements into bridge rows for contiguous ``periods``.

    Movements dated before the first period only build the opening balance.
    Rows are returned per period, then by group; a group appears once it has had
    any MRR, customer or movement.
    """
    ordered = sorted(moves, key=lambda m: m[1])
    running: dict[str | None, _Running] = defaultdict(_Running)
    rows: list[BridgeRow] = []
    index = 0
    key: Callable[[int], str | None] = group_of if group_of else (lambda _a: None)
    for start, end in periods:
        while index < len(ordered) and ordered[index][1] < start:
            account, _day, kind, amount = ordered[index]
            _apply(running[key(account)], kind, amount)
            index += 1
        current: dict[str | None, BridgeRow] = {
            group: BridgeRow(start, group, state.mrr, state.mrr)
            for group, state in running.items()
        }
        for group, row in current.items():
            row.opening_customers = running[group].customers
        if group_of is None and None not in current:
            current[None] = BridgeRow(start, None)
        while index < len(ordered) and ordered[index][1] < end:
            account, _day, kind, amount = ordered[index]
            group = key(account)
            if group not in current:
                current[group] = BridgeRow(start, group)
            row = current[group]
            setattr(row, KIND_COLUMNS[kind], getattr(row, KIND_COLUMNS[kind]) + amount)
            if kind == NEW:
                row.new_accounts.add(account)
            elif kind == CHURN:
                row.churned_accounts.add(account)
            row.accounts.add(account)
            _apply(running[group], kind, amount)
            index += 1
        for group, row in sorted(current.items(), key=lambda item: item[0] or ""):
            row.mrr = running[group].mrr
            row.customers = running[group].customers
            row.new_customers = len(row.new_accounts)
            row.churned_customers = len(row.churned_accounts)
            rows.append(row)
    return rows


def _apply(state: _Running, kind: str, amount: int) -> None:
    state.mrr += amount
    if kind in (NEW, REACTIVATION):
        state.customers += 1
    elif kind == CHURN:
        state.customers -= 1
