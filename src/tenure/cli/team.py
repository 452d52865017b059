"""``tenure report team``: each person's figures, or the teams side by side.

The command line acts as Tenure itself and sees everyone; ``--as EMAIL`` shows
what that staff user would see (a CSM their own row, a manager their teams).
Figures are attributed to the owner at the time (``tenure.team.attribution``).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated

import typer
from sqlalchemy import select

from tenure.auth.scope import Forbidden, Principal, principal_for
from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.revenue.loading import today
from tenure.revenue.service import StaleFactsError
from tenure.staff.models import Team
from tenure.staff.service import user_by_email
from tenure.team import performance as team
from tenure.team.export import COMPARISON_COLUMNS, PERSON_COLUMNS
from tenure.team.figures import RANKINGS, rank
from tenure.team.reads import TeamError

log = logging.getLogger(__name__)

# The command line itself: everyone's figures, as an admin sees them.
TENURE = Principal(0, "tenure", "Tenure", "admin", None, None)
TABLE_COLUMNS = (
    "name", "team", "mrr", "net_new_mrr", "churn", "transfers_in", "transfers_out",
    "nrr", "grr", "logo_churn_rate", "due_count", "rate_by_count",
    "gross_rate_by_amount", "net_rate_by_amount", "tasks_completed",
    "tasks_overdue",
)  # fmt: skip


def team_report(
    start: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day (the month's first)"),
    ] = None,
    end: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (today)")
    ] = None,
    team_name: Annotated[
        str | None, typer.Option("--team", help="Keep one team's people (its name)")
    ] = None,
    viewer: Annotated[
        str | None, typer.Option("--as", help="See what this staff user sees (email)")
    ] = None,
    teams: Annotated[
        bool, typer.Option("--teams", help="One row per team instead of per person")
    ] = False,
    rank_by: Annotated[
        str | None, typer.Option("--rank", help=f"Rank by {', '.join(RANKINGS)}")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, csv or json")] = (
        Format.table
    ),
) -> None:
    """Team and personal figures over a period: MRR, renewals, churn, NRR, tasks."""
    with database() as session:
        principal = TENURE
        if viewer is not None:
            user = user_by_email(session, viewer)
            if user is None:
                raise fail(f"--as: no staff user '{viewer}'", 2)
            principal = principal_for(user)
        team_id = None
        if team_name is not None:
            team_id = session.scalar(select(Team.id).where(Team.name == team_name))
            if team_id is None:
                raise fail(f"--team: no team named '{team_name}'", 2)
        last = end.date() if end else today(session)
        first = start.date() if start else last.replace(day=1)
        columns: tuple[str, ...]
        try:
            if teams:
                rows = team.team_comparison(session, principal, first, last)
                columns = COMPARISON_COLUMNS
            else:
                found = team.performance(session, principal, first, last, team_id)
                rows = rank(found.people, rank_by) if rank_by else found.people
                rows = [*rows, {**found.total, "name": "total"}]
                columns = TABLE_COLUMNS if fmt is Format.table else PERSON_COLUMNS
        except Forbidden as exc:
            raise fail(str(exc), 1) from None
        except (TeamError, StaleFactsError) as exc:
            raise fail(str(exc), 2) from None
    typer.echo(render(rows, fmt, columns))
