"""``tenure segment``, ``tenure tier`` and ``tenure playbook``: read them from scripts.

Segments, tiers and playbooks are defined on their pages or through the API; the
``tiers`` job (``tenure jobs run tiers``) applies the tier rules.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Annotated

import typer

from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.playbooks import service as playbooks
from tenure.revenue.loading import today
from tenure.segments import service as segments
from tenure.segments import tiers
from tenure.segments.schemas import SegmentError

log = logging.getLogger(__name__)

segment_app = typer.Typer(
    help="Saved segments and their members.", no_args_is_help=True
)
tier_app = typer.Typer(help="Tier rules, first match first.", no_args_is_help=True)
playbook_app = typer.Typer(help="Playbooks and their runs.", no_args_is_help=True)

SEGMENT_COLUMNS = ("key", "name", "members", "definition")
MEMBER_COLUMNS = ("account_id", "name", "tier", "mrr", "status", "band", "owner")
TIER_COLUMNS = ("position", "tier", "priority", "definition")
PLAYBOOK_COLUMNS = ("id", "name", "kind", "steps", "version", "active", "active_runs")
AsOf = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Members on this day (today)"),
]
Fmt = Annotated[Format, typer.Option("--format")]


@segment_app.command("list")
def segment_list(as_of: AsOf = None, fmt: Fmt = Format.table) -> None:
    """Every saved segment with its number of members."""
    with database() as session:
        rows = segments.list_segments(session, as_of=as_of.date() if as_of else None)
    for row in rows:
        row["definition"] = json.dumps(row["definition"], ensure_ascii=False)
    typer.echo(render(rows, fmt, SEGMENT_COLUMNS))


@segment_app.command("members")
def segment_members(
    key: Annotated[str, typer.Argument(help="The segment's key")],
    as_of: AsOf = None,
    fmt: Fmt = Format.table,
) -> None:
    """A segment's accounts, biggest MRR first: account_id, name, tier, mrr, ..."""
    with database() as session:
        day = as_of.date() if as_of else today(session)
        try:
            rows = segments.members(session, key, day, None)
        except SegmentError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(render(rows, fmt, MEMBER_COLUMNS))


@tier_app.command("list")
def tier_list(fmt: Fmt = Format.table) -> None:
    """The tier rules in order, with the priority each gives."""
    with database() as session:
        rows = [tiers.tier_row(rule) for rule in tiers.list_tier_rules(session)]
    for row in rows:
        row["definition"] = json.dumps(row["definition"], ensure_ascii=False)
    typer.echo(render(rows, fmt, TIER_COLUMNS))


@playbook_app.command("list")
def playbook_list(fmt: Fmt = Format.table) -> None:
    """Every playbook with its steps, version and runs under way."""
    with database() as session:
        rows = playbooks.list_playbooks(session)
    for row in rows:
        row["steps"] = len(row["steps"])
    typer.echo(render(rows, fmt, PLAYBOOK_COLUMNS))
