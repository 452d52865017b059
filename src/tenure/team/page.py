"""Everything the team page shows, read once: people, teams and the trend.

The page's three reads share the owner timeline and, when the view is the whole
company, the facts; on a company of 100,000 customers that halves the time.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tenure.auth.scope import Principal
from tenure.revenue.calendar import add_months, month_start
from tenure.revenue.loading import today as local_today
from tenure.team import reads
from tenure.team.figures import Row
from tenure.team.performance import (
    TeamPerformance,
    comparison_of,
    figures_of,
    load_facts,
)
from tenure.team.reads import View
from tenure.team.trend import trend_of

log = logging.getLogger(__name__)

TREND_MONTHS = 12


@dataclass(frozen=True)
class TeamPage:
    """The people's figures, the team comparison (None: not allowed), the trend."""

    performance: TeamPerformance
    comparison: list[Row] | None
    trend: list[Row]


def team_page(
    session: Session,
    principal: Principal,
    start: dt.date,
    end: dt.date,
    team_id: int | None = None,
) -> TeamPage:
    """The page's figures over ``start..end``; the trend: 12 months to ``end``."""
    view = reads.view_for(session, principal, team_id)
    timeline = reads.timeline(session, view)
    first = add_months(month_start(end), -(TREND_MONTHS - 1))
    # One read of the movements serves the figures and the trend.
    since = min(start, first)
    last = min(end, local_today(session))
    history = (
        reads.opening(session, view, since),
        reads.moves(session, view, since, last),
    )
    facts = load_facts(session, view, start, end, timeline, history)
    comparing = principal.role in reads.COMPARING_ROLES
    # Teams compare over the whole company; a team's own view is narrower.
    together = comparing and view.people is None
    found, comparison = figures_of(facts, compare=together)
    if comparing and not together:
        comparison = comparison_of(load_facts(session, View(None), start, end))
    trend = trend_of(session, view, "month", first, end, None, timeline, history)
    return TeamPage(found, comparison, trend)
