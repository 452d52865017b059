"""``tenure book``: assignment rules, assigning unowned accounts, bulk reassignment.

The command line acts as Tenure itself (every account, no author) unless
``--as`` names a staff user, whose role and scope then apply.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from tenure.auth.scope import Forbidden, Principal, principal_for
from tenure.book import assign, reassign, rules
from tenure.book.facts import team_by_name
from tenure.book.schemas import CONDITION_FIELDS, SPREADS, BookError
from tenure.cli.context import database, fail
from tenure.cli.output import Format, render
from tenure.money import to_major
from tenure.staff.service import user_by_email

log = logging.getLogger(__name__)

book_app = typer.Typer(
    help="The book of business: assignment rules and bulk reassignment.",
    no_args_is_help=True,
)
RULE_COLUMNS = ("position", "id", "name", "active", "conditions", "strategy", "to")
ASSIGN_COLUMNS = ("account_id", "account_name", "region", "tier", "rule", "to")
MOVE_COLUMNS = ("account_id", "account_name", "from", "to", "mrr", "open_tasks")
TOTAL_COLUMNS = ("owner", "name", "accounts", "mrr")

Values = Annotated[list[str] | None, typer.Option(help="Accepted value (repeat)")]
Fmt = Annotated[Format, typer.Option("--format")]


def _conditions_text(conditions: dict[str, list[str]]) -> str:
    return "; ".join(f"{key}={','.join(values)}" for key, values in conditions.items())


@book_app.command("rules")
def book_rules(fmt: Fmt = Format.table) -> None:
    """Every assignment rule in the order they are tried."""
    with database() as session:
        rows = [
            {
                **row,
                "conditions": _conditions_text(row["conditions"]),
                "to": row["user"] or row["team"],
            }
            for row in rules.list_rules(session)
        ]
    typer.echo(render(rows, fmt, RULE_COLUMNS))


@book_app.command("rule-add")
def book_rule_add(
    name: Annotated[str, typer.Option(help="The rule's name")],
    to: Annotated[str | None, typer.Option(help="Email of the one owner")] = None,
    team: Annotated[str | None, typer.Option(help="Name of the team")] = None,
    strategy: Annotated[
        str, typer.Option(help="For a team: least_loaded or round_robin")
    ] = "least_loaded",
    region: Values = None,
    industry: Values = None,
    tier: Values = None,
    plan: Values = None,
    size: Values = None,
    position: Annotated[int | None, typer.Option(help="Place (0 first)")] = None,
) -> None:
    """Add an assignment rule giving matching new accounts to a person or a team."""
    given = {"region": region, "industry": industry, "tier": tier, "plan": plan,
             "size": size}  # fmt: skip
    conditions = {key: given[key] for key in CONDITION_FIELDS if given[key]}
    if (to is None) == (team is None):
        raise fail("give either --to EMAIL or --team NAME", 2)
    with database() as session:
        spec: dict[str, Any] = {"name": name, "conditions": conditions,
                                "position": position}  # fmt: skip
        if to is not None:
            user = user_by_email(session, to)
            if user is None:
                raise fail(f"--to: no active staff user '{to}'", 2)
            spec.update(strategy="user", user_id=user.id)
        else:
            found = team_by_name(session, team or "")
            if found is None:
                raise fail(f"--team: no team '{team}'", 2)
            spec.update(strategy=strategy, team_id=found[0])
        try:
            row = rules.create_rule(session, spec)
        except BookError as exc:
            raise fail(str(exc), 2) from None
        typer.echo(f"assignment rule {row.id} '{row.name}' at position {row.position}")


@book_app.command("assign")
def book_assign(
    preview: Annotated[
        bool, typer.Option("--preview", help="Show who would get what; change nothing")
    ] = False,
    fmt: Fmt = Format.table,
) -> None:
    """Give every unowned account an owner by the rules now."""
    with database() as session:
        if preview:
            result = assign.preview_assignment(session)
        else:
            result = assign.assign_new_accounts(session)
        rows = result.rows()
    if fmt is not Format.table or preview:
        typer.echo(render(rows, fmt, ASSIGN_COLUMNS))
        if fmt is not Format.table:
            return
    verb = "would assign" if preview else "assigned"
    typer.echo(
        f"{verb} {result.assigned} accounts; {len(result.unmatched)} matched no rule"
    )


def _acting(session: Session, email: str | None) -> Principal:
    """The staff user named by ``--as``, or Tenure itself."""
    if email is None:
        return reassign.TENURE
    user = user_by_email(session, email)
    if user is None:
        raise fail(f"--as: no active staff user '{email}'", 2)
    return principal_for(user)


def _with_money(rows: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    return [{**row, "mrr": to_major(row["mrr_minor"], currency)} for row in rows]


@book_app.command("reassign")
def book_reassign(
    from_owner: Annotated[
        str | None, typer.Option("--from", help="Email of the current owner")
    ] = None,
    account: Annotated[
        list[str] | None, typer.Option(help="An account id (repeat)")
    ] = None,
    segment: Annotated[str | None, typer.Option(help="A saved segment's key")] = None,
    region: Values = None,
    industry: Values = None,
    tier: Values = None,
    to: Annotated[str | None, typer.Option(help="Email of the new owner")] = None,
    team: Annotated[
        str | None, typer.Option(help="Name of a team to spread over")
    ] = None,
    spread: Annotated[
        str, typer.Option(help=f"Over a team: {' or '.join(SPREADS)}")
    ] = "least_loaded",
    reason: Annotated[str | None, typer.Option(help="Why, for the timeline")] = None,
    day: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="From which day (today)"),
    ] = None,
    acting: Annotated[
        str | None, typer.Option("--as", help="Email of the staff user acting")
    ] = None,
    preview: Annotated[
        bool, typer.Option("--preview", help="Show the moves; change nothing")
    ] = False,
    fmt: Fmt = Format.table,
) -> None:
    """Move accounts to a person or spread them over a team; --preview first."""
    spec: dict[str, Any] = {
        "account_ids": account or [], "from_owner": from_owner, "segment": segment,
        "region": region or [], "industry": industry or [], "tier": tier or [],
        "to": to, "team": team, "spread": spread, "reason": reason,
        "day": day.date() if day else None,
    }  # fmt: skip
    done: reassign.ReassignResult | None = None
    with database() as session:
        principal = _acting(session, acting)
        try:
            shown = reassign.preview_reassignment(session, principal, spec)
            if not preview:
                expected = {**spec, "expected": shown.moves}
                done = reassign.reassign(session, principal, expected)
        except (BookError, Forbidden) as exc:
            raise fail(str(exc), 2) from None
    details = shown.details()
    typer.echo(render(_with_money(shown.moves, shown.currency), fmt, MOVE_COLUMNS))
    if fmt is not Format.table:
        return
    typer.echo("")
    typer.echo(
        render(_with_money(details["totals"], shown.currency), fmt, TOTAL_COLUMNS)
    )
    mrr = to_major(details["mrr_minor"], shown.currency)
    if done is None:
        typer.echo(
            f"would move {details['count']} accounts ({mrr} {shown.currency} MRR, "
            f"{details['open_tasks']} open tasks follow); nothing changed"
        )
        return
    typer.echo(
        f"moved {done.details()['moved']} accounts ({mrr} {shown.currency} MRR) "
        f"from {shown.day}; {done.notified} people notified"
    )
