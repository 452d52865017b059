"""Retention metrics: logo and revenue churn, NRR, GRR, quick ratio, LTV, cohorts.

Pure functions over stored movements. Every rate is a ``Fraction`` or ``None`` where
its denominator is zero, so callers decide how to round and show it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from tenure.revenue.bridge import MoveRow
from tenure.revenue.calendar import add_months, month_start
from tenure.revenue.timeline import CHURN, NEW, REACTIVATION

KINDS = ("new", "expansion", "reactivation", "contraction", "churn")


class History:
    """Each customer's MRR and paying state over time, rebuilt from movements."""

    def __init__(self, moves: Iterable[MoveRow]) -> None:
        changes: dict[int, list[tuple[dt.date, int, bool]]] = defaultdict(list)
        state: dict[int, tuple[int, bool]] = {}
        self.first_new: dict[int, dt.date] = {}
        for account, day, kind, amount in sorted(moves, key=lambda m: (m[0], m[1])):
            mrr, active = state.get(account, (0, False))
            mrr += amount
            if kind in (NEW, REACTIVATION):
                active = True
            elif kind == CHURN:
                active = False
            if kind == NEW:
                self.first_new.setdefault(account, day)
            state[account] = (mrr, active)
            series = changes[account]
            if series and series[-1][0] == day:
                series[-1] = (day, mrr, active)
            else:
                series.append((day, mrr, active))
        self._days = {a: [c[0] for c in series] for a, series in changes.items()}
        self._changes = dict(changes)

    def accounts(self) -> list[int]:
        """Return every account that ever had a movement."""
        return list(self._changes)

    def before(self, account: int, day: dt.date) -> tuple[int, bool]:
        """Return an account's MRR and paying state at the start of ``day``."""
        days = self._days.get(account)
        if not days:
            return 0, False
        index = bisect.bisect_left(days, day) - 1
        if index < 0:
            return 0, False
        _day, mrr, active = self._changes[account][index]
        return mrr, active


@dataclass(frozen=True)
class RetentionRow:
    """Retention figures for one period, amounts in reporting minor units."""

    period: dt.date
    opening_mrr: int
    mrr: int
    opening_customers: int
    customers: int
    churned_customers: int
    logo_churn_rate: Fraction | None
    gross_revenue_churn: Fraction | None
    net_revenue_churn: Fraction | None
    nrr: Fraction | None
    grr: Fraction | None
    nrr_12m: Fraction | None
    grr_12m: Fraction | None
    quick_ratio: Fraction | None
    arpa: Fraction | None
    ltv: Fraction | None


def _ratio(top: int | Fraction, bottom: int | Fraction) -> Fraction | None:
    return Fraction(top) / bottom if bottom else None


def net_retention(
    history: History, base_day: dt.date, end_day: dt.date
) -> tuple[Fraction | None, Fraction | None]:
    """Return NRR and GRR of the customers paying at ``base_day``, measured at
    the start of ``end_day``."""
    base_total = now_total = capped_total = 0
    for account in history.accounts():
        base_mrr, base_active = history.before(account, base_day)
        if not base_active:
            continue
        now_mrr, _ = history.before(account, end_day)
        base_total += base_mrr
        now_total += now_mrr
        capped_total += min(now_mrr, base_mrr)
    return _ratio(now_total, base_total), _ratio(capped_total, base_total)


def retention(
    moves: list[MoveRow], periods: list[tuple[dt.date, dt.date]]
) -> list[RetentionRow]:
    """Return retention figures for each of ``periods``."""
    history = History(moves)
    sums: dict[tuple[dt.date, str], int] = defaultdict(int)
    starts = [start for start, _ in periods]
    for _account, day, kind, amount in moves:
        index = bisect.bisect_right(starts, day) - 1
        if index >= 0 and day < periods[index][1]:
            sums[(starts[index], kind)] += amount
    rows: list[RetentionRow] = []
    for start, end in periods:
        opening = closing = open_count = close_count = lost = 0
        for account in history.accounts():
            before_mrr, before_active = history.before(account, start)
            after_mrr, after_active = history.before(account, end)
            opening += before_mrr
            closing += after_mrr
            open_count += before_active
            close_count += after_active
            lost += before_active and not after_active
        moved = {kind: sums[(start, kind)] for kind in KINDS}
        losses = moved["churn"] + moved["contraction"]
        gains = moved["new"] + moved["expansion"] + moved["reactivation"]
        nrr, grr = net_retention(history, start, end)
        nrr_12, grr_12 = net_retention(history, add_months(end, -12), end)
        logo = _ratio(lost, open_count)
        arpa = _ratio(closing, close_count)
        rows.append(
            RetentionRow(
                period=start,
                opening_mrr=opening,
                mrr=closing,
                opening_customers=open_count,
                customers=close_count,
                churned_customers=lost,
                logo_churn_rate=logo,
                gross_revenue_churn=_ratio(-losses, opening),
                net_revenue_churn=_ratio(
                    -(losses + moved["expansion"] + moved["reactivation"]), opening
                ),
                nrr=nrr,
                grr=grr,
                nrr_12m=nrr_12,
                grr_12m=grr_12,
                quick_ratio=_ratio(gains, -losses),
                arpa=arpa,
                ltv=arpa / logo if arpa is not None and logo else None,
            )
        )
    return rows


@dataclass(frozen=True)
class CohortCell:
    """One cohort in one month since its start."""

    cohort: dt.date
    month: int
    customers: int
    retained_customers: int
    mrr: int
    starting_mrr: int

    @property
    def logo_retention(self) -> Fraction | None:
        """Share of the cohort's customers still paying."""
        return _ratio(self.retained_customers, self.customers)

    @property
    def revenue_retention(self) -> Fraction | None:
        """The cohort's MRR now over its MRR at the end of its first month."""
        return _ratio(self.mrr, self.starting_mrr)


def cohorts(moves: list[MoveRow], last_month: dt.date) -> list[CohortCell]:
    """Group customers by the month of their first MRR and follow them monthly."""
    history = History(moves)
    members: dict[dt.date, list[int]] = defaultdict(list)
    for account, first in history.first_new.items():
        members[month_start(first)].append(account)
    cells: list[CohortCell] = []
    for cohort in sorted(members):
        accounts = members[cohort]
        starting = sum(history.before(a, add_months(cohort, 1))[0] for a in accounts)
        offset = 0
        while add_months(cohort, offset) <= last_month:
            end = add_months(cohort, offset + 1)
            states = [history.before(account, end) for account in accounts]
            cells.append(
                CohortCell(
                    cohort=cohort,
                    month=offset,
                    customers=len(accounts),
                    retained_customers=sum(active for _mrr, active in states),
                    mrr=sum(mrr for mrr, _active in states),
                    starting_mrr=starting,
                )
            )
            offset += 1
    return cells
