"""MRR and its movements per period for a view, or for one person in it.

The view (or person) is one book, as in ``tenure.team.attribution``: movements
attributed to its people on their dates, transfers only where an account came
from or went to someone outside it.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from tenure.accounts.ownership import OwnerTimeline
from tenure.auth.scope import Forbidden, Principal
from tenure.revenue.bridge import MoveRow
from tenure.revenue.calendar import INTERVALS, periods
from tenure.revenue.loading import today as local_today
from tenure.revenue.service import fact_currency
from tenure.team import reads
from tenure.team.attribution import Opening, owner_bridge
from tenure.team.figures import Parts, Row, figure_row
from tenure.team.performance import check_span
from tenure.team.reads import TeamError, View

log = logging.getLogger(__name__)

TREND_FIELDS = (
    "opening_mrr", "mrr", "new", "expansion", "reactivation", "contraction", "churn",
    "fx_impact", "transfers_in", "transfers_out", "net_new_mrr", "customers",
    "new_customers", "churned_customers", "nrr", "grr", "logo_churn_rate",
)  # fmt: skip


def team_trend(
    session: Session,
    principal: Principal,
    interval: str,
    start: dt.date,
    end: dt.date,
    team_id: int | None = None,
    owner_id: int | None = None,
) -> list[Row]:
    """MRR and its movements per period, of the view or of one person in it."""
    view = reads.view_for(session, principal, team_id)
    return trend_of(session, view, interval, start, end, owner_id)


def trend_of(
    session: Session,
    view: View,
    interval: str,
    start: dt.date,
    end: dt.date,
    owner_id: int | None = None,
    timeline: OwnerTimeline | None = None,
    history: tuple[Opening, list[MoveRow]] | None = None,
) -> list[Row]:
    """The trend of a view already resolved.

    ``timeline`` and ``history`` as in ``tenure.team.performance.load_facts``.
    """
    if interval not in INTERVALS:
        raise TeamError(f"interval '{interval}' is not one of {', '.join(INTERVALS)}")
    check_span(start, end)
    if owner_id is not None:
        if owner_id not in reads.directory(session).people:
            raise TeamError(f"owner {owner_id}: no such staff user")
        if not view.shows(owner_id):
            raise Forbidden(f"owner {owner_id} is outside your scope")
    spans = list(periods(start, end, interval))
    last = min(end, local_today(session))
    currency = fact_currency(session)
    timeline = timeline or reads.timeline(session, view)
    if history is None:
        history = (
            reads.opening(session, view, spans[0][0]),
            reads.moves(session, view, spans[0][0], last),
        )
    opening, moves = history

    def key(owner: int | None) -> bool:
        return owner == owner_id if owner_id is not None else view.shows(owner)

    found = {
        row.period: row
        for row in owner_bridge(moves, timeline, spans, key, opening)
        if row.owner is True
    }
    result: list[Row] = []
    for first, _following in spans:
        row = figure_row(Parts(bridge=found.get(first)), first, currency)
        result.append({"period": first, **{name: row[name] for name in TREND_FIELDS}})
    return result
