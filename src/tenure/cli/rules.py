"""``tenure rule``: list the rules, preview one, add one from a JSON file.

The command line acts as Tenure itself: previews cover every account.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.revenue.loading import today
from tenure.rules import service as rules

log = logging.getLogger(__name__)

rule_app = typer.Typer(
    help="Rules that turn signals into tasks, playbooks and notices.",
    no_args_is_help=True,
)
LIST_COLUMNS = (
    "id", "name", "trigger", "active", "version", "open_tasks", "last_fired",
)  # fmt: skip
PREVIEW_COLUMNS = ("account_id", "account_name", "owner", "deduplicated", "why")


@rule_app.command("list")
def rule_list(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Every rule: its trigger, whether active, open tasks and last firing."""
    with database() as session:
        rows = [
            {**row, "trigger": row["trigger"].get("kind")}
            for row in rules.list_rules(session)
        ]
    typer.echo(render(rows, fmt, LIST_COLUMNS))


@rule_app.command("preview")
def rule_preview(
    rule_id: Annotated[int, typer.Argument(help="The rule's id (tenure rule list)")],
    day: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The day (today)"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """The accounts the rule would fire for on the day, and why; changes nothing."""
    with database() as session:
        as_of = day.date() if day else today(session)
        try:
            rows = rules.preview(session, rule_id, as_of)
        except rules.NotFound as exc:
            raise fail(str(exc), 2) from None
        except rules.RuleError as exc:
            raise fail(str(exc)) from None
    if fmt is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    typer.echo(render(rows, fmt, PREVIEW_COLUMNS))


def _read_spec(file: Path) -> Any:
    """The JSON document in ``file``, or an exit naming the file and the problem."""
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(f"{file}: not a JSON document: {exc}", 2) from None


@rule_app.command("add")
def rule_add(
    file: Annotated[Path, typer.Argument(help="A JSON rule: name, trigger, action")],
) -> None:
    """Create a rule from a JSON file; a wrong field names the file and the field."""
    spec = _read_spec(file)
    if not isinstance(spec, dict):
        raise fail(f"{file}: a rule is a JSON object, not {type(spec).__name__}", 2)
    with database() as session:
        try:
            row = rules.create_rule(session, spec, None)
        except rules.RuleError as exc:
            raise fail(f"{file}: {exc}", 2) from None
        typer.echo(f"rule {row.id} '{row.name}' created (version {row.version})")
