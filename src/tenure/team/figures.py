"""One row of team figures from its parts: bridge, renewals, tasks, accounts served.

Amounts come out as ``Decimal`` major units of the reporting currency, rates as
``Decimal`` fractions (1 = 100%) or None where undefined. Renewal rates are
labelled as in ``tenure.revenue.reports``: ``rate_by_count`` (续约率, renewed /
decided terms), ``gross_rate_by_amount`` and ``net_rate_by_amount`` (续费率).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tenure.accounts.ownership import OwnerTimeline
from tenure.revenue.reports import money, rate, renewal_row
from tenure.team.attribution import OwnerBridgeRow, renewal_owner
from tenure.team.books import Served
from tenure.team.reads import TeamError, TermRow

log = logging.getLogger(__name__)

Row = dict[str, Any]
BRIDGE_AMOUNTS = (
    "opening_mrr", "new", "expansion", "reactivation", "contraction", "churn",
    "fx_impact", "transfers_in", "transfers_out", "mrr",
)  # fmt: skip
BRIDGE_COUNTS = (
    "opening_customers", "customers", "new_customers", "churned_customers",
    "lost_customers", "customers_in", "customers_out",
)  # fmt: skip
# Ranking figures, each with whether a higher value ranks first (best first).
RANKINGS: dict[str, bool] = {
    "mrr": True,
    "net_new_mrr": True,
    "nrr": True,
    "rate_by_count": True,
    "gross_rate_by_amount": True,
    "churn": True,
    "tasks_overdue": False,
}


Term = tuple[str, int, int, int]
"""A renewal term as ``renewal_row`` counts it: outcome, due, renewed, forecast."""


@dataclass
class Parts:
    """Everything one row adds up, for one owner or group."""

    bridge: OwnerBridgeRow | None = None
    terms: list[Term] = field(default_factory=list)
    completed: int = 0
    overdue: int = 0
    served: Served = field(default_factory=Served)

    def empty(self) -> bool:
        """Tell whether nothing at all is counted here."""
        moved = self.bridge is not None and (
            self.bridge.opening_mrr
            or self.bridge.mrr
            or self.bridge.customers
            or self.bridge.opening_customers
            or self.bridge.net_new
            or self.bridge.fx_impact
            or self.bridge.transfers_in
            or self.bridge.transfers_out
        )
        return not (
            moved or self.terms or self.completed or self.overdue
            or self.served.accounts or self.served.bands
        )  # fmt: skip


def attribute_terms(
    terms: Iterable[TermRow], timeline: OwnerTimeline, today: dt.date
) -> list[tuple[int | None, Term]]:
    """Each term with its owner: the owner on the due date (after today: today's)."""
    return [
        (
            renewal_owner(timeline, term.account, term.due_date, today),
            (term.outcome, term.due, term.renewed, term.forecast),
        )
        for term in terms
    ]


def gather(
    key: Callable[[int | None], Hashable],
    bridge: Iterable[OwnerBridgeRow],
    terms: Iterable[tuple[int | None, Term]],
    tasks: Mapping[int | None, tuple[int, int]],
    served: Mapping[int | None, Served],
) -> dict[Hashable, Parts]:
    """Sort every part under its key: ``key`` maps an owner (None: nobody) to it.

    ``bridge`` rows must already be keyed the same way (``owner_bridge``'s
    ``group_of``); ``terms`` come with their owners (``attribute_terms``).
    """
    parts: dict[Hashable, Parts] = defaultdict(Parts)
    for row in bridge:
        parts[row.owner].bridge = row
    for owner, term in terms:
        parts[key(owner)].terms.append(term)
    for assignee, (completed, overdue) in tasks.items():
        found = parts[key(assignee)]
        found.completed += completed
        found.overdue += overdue
    for owner, counts in served.items():
        parts[key(owner)].served.add(counts)
    return parts


def figure_row(parts: Parts, start: dt.date, currency: str) -> Row:
    """The figures of one owner or group, ready to show."""
    bridge = parts.bridge or OwnerBridgeRow(start, None)
    out: Row = {name: money(getattr(bridge, name), currency) for name in BRIDGE_AMOUNTS}
    out["net_new_mrr"] = money(bridge.net_new, currency)
    out.update({name: getattr(bridge, name) for name in BRIDGE_COUNTS})
    out["base_mrr"] = money(bridge.base_mrr, currency)
    out["nrr"] = rate(bridge.nrr)
    out["grr"] = rate(bridge.grr)
    out["logo_churn_rate"] = rate(bridge.logo_churn_rate)
    renewals = renewal_row(start, None, None, parts.terms, currency)
    renewals.pop("period")
    out.update(renewals)
    out["tasks_completed"] = parts.completed
    out["tasks_overdue"] = parts.overdue
    out["accounts"] = parts.served.accounts
    out["by_size"] = dict(sorted(parts.served.by_size.items()))
    out["by_tier"] = dict(sorted(parts.served.by_tier.items()))
    out["bands"] = dict(sorted(parts.served.bands.items()))
    return out


def rank(rows: list[Row], figure: str) -> list[Row]:
    """Rows best first by ``figure`` (rows without a value last), each with its rank."""
    if figure not in RANKINGS:
        choices = ", ".join(RANKINGS)
        raise TeamError(f"rank '{figure}' is not a ranking; use one of {choices}")
    valued = [row for row in rows if row.get(figure) is not None]
    missing = [{**row, "rank": None} for row in rows if row.get(figure) is None]
    valued.sort(key=lambda row: row[figure], reverse=RANKINGS[figure])
    ranked = [{**row, "rank": place} for place, row in enumerate(valued, start=1)]
    return ranked + missing
