"""Team and personal performance: each person's figures, the team's, the trend.

Every figure is attributed as ``tenure.team.attribution`` defines: a movement to
the owner on its date, a renewal term to the owner on its due date (after today:
today's owner), so a reassignment never rewrites the past. In short:

- per person and period, opening MRR + new + expansion + reactivation +
  contraction + churn + fx + transfers in - transfers out = closing MRR;
- NRR: of the accounts in the person's book at the start that were customers,
  (their opening MRR + the expansion, reactivation, contraction and churn while
  this person held them) / their opening MRR; GRR the same without expansion and
  reactivation; logo churn: those customers lost while held / customers at start;
- renewals (续约率 by count, 续费率 by amount, gross and net) as in
  ``tenure.revenue.reports.renewals_report``, over the terms due in the period;
- tasks completed in the period and overdue today, per assignee;
- accounts served (current paying accounts by type/size and by tier) and the
  health band of every account in the current book.

A CSM sees their own row, a manager every person of their team(s) and the team's
total, an executive or admin everyone (accounts without an owner as one more row)
and may compare teams. A team's total counts the team as one book: a transfer
between two of its people is no transfer, and its NRR follows its own base.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tenure.accounts.ownership import OwnerTimeline
from tenure.auth.scope import Principal
from tenure.revenue.bridge import MoveRow
from tenure.revenue.loading import today as local_today
from tenure.revenue.service import fact_currency
from tenure.team import books, reads
from tenure.team.attribution import GroupOf, Opening, owner_bridges
from tenure.team.books import Served
from tenure.team.figures import Parts, Row, attribute_terms, figure_row, gather
from tenure.team.reads import Directory, TeamError, TermRow, View

log = logging.getLogger(__name__)

TOTAL = "total"
OUTSIDE = "outside"


@dataclass(frozen=True)
class Facts:
    """What one view's figures over ``start..end`` are made of (minor units)."""

    view: View
    start: dt.date
    end: dt.date
    today: dt.date
    currency: str
    staff: Directory
    timeline: OwnerTimeline
    opening: Opening
    moves: list[MoveRow]
    terms: list[TermRow]
    tasks: dict[int | None, tuple[int, int]]
    served: dict[int | None, Served]

    def parts(self, *keys: GroupOf) -> list[dict[Hashable, Parts]]:
        """Every figure's parts under each of ``keys`` of the owner (None: nobody).

        One replay of the movements serves every key.
        """
        span = [(self.start, self.end + dt.timedelta(days=1))]
        bridges = owner_bridges(self.moves, self.timeline, span, keys, self.opening)
        terms = attribute_terms(self.terms, self.timeline, self.today)
        return [
            gather(key, rows, terms, self.tasks, self.served)
            for key, rows in zip(keys, bridges, strict=True)
        ]


@dataclass(frozen=True)
class TeamPerformance:
    """Each person's figures and the total over ``start..end``."""

    start: dt.date
    end: dt.date
    today: dt.date
    currency: str
    team_id: int | None
    people: list[Row]
    total: Row


def default_span(session: Session) -> tuple[dt.date, dt.date]:
    """The current month to date: its first day and today."""
    day = local_today(session)
    return day.replace(day=1), day


def check_span(start: dt.date, end: dt.date) -> None:
    """Raise TeamError unless ``start..end`` is a span of days."""
    if end < start:
        raise TeamError(f"end {end} is before start {start}")


def load_facts(
    session: Session,
    view: View,
    start: dt.date,
    end: dt.date,
    timeline: OwnerTimeline | None = None,
    history: tuple[Opening, list[MoveRow]] | None = None,
) -> Facts:
    """Read what the view's figures over ``start..end`` need.

    ``timeline``: the view's owner timeline, if already read; ``history``: the
    accounts' state on some day up to ``start`` and the movements from that day
    to ``end`` (or today), if already read.
    """
    check_span(start, end)
    today = local_today(session)
    last = min(end, today)
    if history is None:
        history = (
            reads.opening(session, view, start),
            reads.moves(session, view, start, last),
        )
    return Facts(
        view=view,
        start=start,
        end=end,
        today=today,
        currency=fact_currency(session),
        staff=reads.directory(session),
        timeline=timeline or reads.timeline(session, view),
        opening=history[0],
        moves=history[1],
        terms=reads.terms(session, view, start, end),
        tasks=books.task_counts(session, view, start, end, today),
        served=books.served(session, view),
    )


def performance(
    session: Session,
    principal: Principal,
    start: dt.date,
    end: dt.date,
    team_id: int | None = None,
) -> TeamPerformance:
    """Each person's figures that ``principal`` sees, and their total."""
    view = reads.view_for(session, principal, team_id)
    return performance_of(load_facts(session, view, start, end))


def performance_of(facts: Facts) -> TeamPerformance:
    """Person rows and the total from facts already read."""
    return figures_of(facts, compare=False)[0]


def figures_of(facts: Facts, compare: bool) -> tuple[TeamPerformance, list[Row] | None]:
    """Person rows, the total and, if ``compare``, the team rows, in one replay.

    Teams are compared from facts of the whole company only.
    """
    view = facts.view
    keys: list[GroupOf] = [_person, lambda o: TOTAL if view.shows(o) else OUTSIDE]
    if compare:
        keys.append(facts.staff.team_of)
    found = facts.parts(*keys)
    teams = _teams(facts, found[2]) if compare else None
    return _performance(facts, found[0], found[1]), teams


def _person(owner: int | None) -> Hashable:
    return owner


def _performance(
    facts: Facts, parts: dict[Hashable, Parts], total: dict[Hashable, Parts]
) -> TeamPerformance:
    view, staff = facts.view, facts.staff
    keys: set[Hashable] = {key for key, found in parts.items() if not found.empty()}
    keys |= {
        person.id
        for person in staff.people.values()
        if person.is_active and person.role in reads.PEOPLE_ROLES
    }
    shown = [key for key in keys if isinstance(key, int | None) and view.shows(key)]
    people = [_person_row(facts, owner, parts.get(owner, Parts())) for owner in shown]
    people.sort(key=lambda row: (row["owner_id"] is None, row["name"] or ""))
    total_row = figure_row(total.get(TOTAL, Parts()), facts.start, facts.currency)
    total_row["people"] = sum(1 for row in people if row["owner_id"] is not None)
    return TeamPerformance(
        facts.start, facts.end, facts.today, facts.currency, view.team_id, people,
        total_row,
    )  # fmt: skip


def _person_row(facts: Facts, owner: int | None, parts: Parts) -> Row:
    person = facts.staff.people.get(owner) if owner is not None else None
    team = person.team_id if person is not None else None
    return {
        "owner_id": owner,
        "name": person.name if person else None,
        "email": person.email if person else None,
        "team_id": team,
        "team": facts.staff.teams.get(team) if team is not None else None,
        **figure_row(parts, facts.start, facts.currency),
    }


def team_comparison(
    session: Session, principal: Principal, start: dt.date, end: dt.date
) -> list[Row]:
    """One row per team and one for no team (people without one, and nobody)."""
    reads.require_comparison(principal)
    return comparison_of(load_facts(session, View(None), start, end))


def comparison_of(facts: Facts) -> list[Row]:
    """Team rows from facts of the whole company."""
    return _teams(facts, facts.parts(facts.staff.team_of)[0])


def _teams(facts: Facts, parts: dict[Hashable, Parts]) -> list[Row]:
    staff = facts.staff
    sizes: dict[int | None, int] = {}
    for person in staff.people.values():
        if person.is_active and person.role in reads.PEOPLE_ROLES:
            sizes[person.team_id] = sizes.get(person.team_id, 0) + 1
    rows: list[Row] = []
    for team_id, name in sorted(staff.teams.items(), key=lambda item: item[1]):
        rows.append(_team_row(facts, team_id, name, parts.get(team_id), sizes))
    loose = parts.get(None)
    if loose is not None and not loose.empty():
        rows.append(_team_row(facts, None, None, loose, sizes))
    return rows


def _team_row(
    facts: Facts,
    team_id: int | None,
    name: str | None,
    parts: Parts | None,
    sizes: dict[int | None, int],
) -> Row:
    return {
        "team_id": team_id,
        "team": name,
        "people": sizes.get(team_id, 0),
        **figure_row(parts or Parts(), facts.start, facts.currency),
    }
