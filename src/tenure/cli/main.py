"""Entry point of the ``tenure`` command."""

from __future__ import annotations

import datetime as dt
import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
)
from tenure.cli import book, operations, reports, rules, tasks, usage, users
from tenure.cli.briefing import briefing_app
from tenure.cli.context import database, ensure_schema, fail
from tenure.cli.output import Format, render
from tenure.db.base import utcnow
from tenure.db.session import delete_all_rows
from tenure.demo.names import STAFF_DOMAIN
from tenure.imports.service import ImportFailed, import_file
from tenure.revenue import service as revenue
from tenure.revenue.fx import MissingRateError
from tenure.settings import service as settings
from tenure.staff.models import ROLES, StaffUser

log = logging.getLogger(__name__)

app = typer.Typer(
    help="Tenure: recurring-revenue truth and customer retention for SaaS companies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(reports.app, name="report")
config_app = typer.Typer(help="Show and change settings.", no_args_is_help=True)
app.add_typer(config_app, name="config")
app.add_typer(users.user_app, name="user")
app.add_typer(users.apikey_app, name="apikey")
app.add_typer(usage.source_app, name="source")
app.add_typer(usage.jobs_app, name="jobs")
app.add_typer(tasks.task_app, name="task")
app.add_typer(rules.rule_app, name="rule")
app.add_typer(operations.segment_app, name="segment")
app.add_typer(operations.tier_app, name="tier")
app.add_typer(operations.playbook_app, name="playbook")
app.add_typer(book.book_app, name="book")
app.add_typer(briefing_app, name="briefing")
app.command("ingest")(usage.ingest)
reports.app.command("usage")(usage.report_usage)
reports.app.command("health")(usage.report_health)


DEMO_PASSWORD = "tenure-demo"
DEMO_HEALTH_WEEKS = 12
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
Host = Annotated[str, typer.Option(envvar="TENURE_HOST", help="Address to listen on")]
Port = Annotated[int, typer.Option(envvar="TENURE_PORT", help="Port to listen on")]


class Kind(StrEnum):
    """What an import file holds."""

    accounts = "accounts"
    subscriptions = "subscriptions"
    contracts = "contracts"
    fx_rates = "fx-rates"


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more")] = False,
) -> None:
    """Configure logging for every command."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


@app.command("import")
def import_(
    kind: Annotated[Kind, typer.Argument(help="What the file holds")],
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file")],
) -> None:
    """Upsert records from a CSV or XLSX file; any bad row means nothing changes."""
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    with database() as session:
        currency = settings.get(session, "reporting_currency")
        try:
            result = import_file(session, kind.value, file, default_currency=currency)
            if result.fx_changed:
                revenue.rebuild(session)
            else:
                revenue.recompute(session, result.account_ids)
        except ImportFailed as exc:
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
            count = len(exc.problems)
            raise fail(f"{file}: {count} problem(s); nothing was imported") from None
        except MissingRateError as exc:
            raise fail(f"{file}: {exc}; nothing was imported") from None
    typer.echo(
        f"{file}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )
    for note in result.notes:
        typer.echo(f"  {note}")


@app.command()
def rebuild(
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Compute as known on this day"),
    ] = None,
) -> None:
    """Recompute every revenue fact from subscriptions, contracts and FX rates."""
    with database() as session:
        try:
            stats = revenue.rebuild(session, as_of.date() if as_of else None)
        except MissingRateError as exc:
            raise fail(str(exc)) from None
    total = stats.load_seconds + stats.compute_seconds + stats.store_seconds
    typer.echo(
        f"rebuilt {stats.customers} customers, {stats.movements} movements "
        f"in {total:.2f}s"
    )


@config_app.command("show")
def config_show(
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Show every setting, its value and where the value comes from."""
    with database() as session:
        values = settings.get_all(session)
    rows = [
        {
            "key": key,
            "value": "********" if settings.SPECS[key].secret and value else value,
            "source": source,
            "help": settings.SPECS[key].help,
        }
        for key, (value, source) in values.items()
    ]
    typer.echo(render(rows, fmt, ("key", "value", "source", "help")))
    typer.echo(f"database: {settings.database_url()}", err=True)


@config_app.command("set")
def config_set(key: str, value: str) -> None:
    """Change a setting; revenue policies recompute every revenue fact."""
    with database() as session:
        try:
            settings.set_value(session, key, value)
            if settings.SPECS[key].revenue:
                revenue.rebuild(session)
        except settings.SettingError as exc:
            raise fail(str(exc), 2) from None
        except MissingRateError as exc:
            raise fail(f"{key} not changed: {exc}") from None
    typer.echo(f"{key} = {value}")


@app.command()
def demo(
    serve: Annotated[
        bool, typer.Option(help="Serve the demo company after loading it")
    ] = True,
    reset: Annotated[
        bool, typer.Option(help="Delete everything in the database first")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed of the generator")] = 42,
    accounts: Annotated[int, typer.Option(help="Number of customer accounts")] = 1000,
    password: Annotated[
        str, typer.Option(help="Password of every demo staff user")
    ] = DEMO_PASSWORD,
    host: Host = DEFAULT_HOST,
    port: Port = DEFAULT_PORT,
) -> None:
    """Generate a realistic demo company, load it and serve it."""
    from tenure.demo import generate, load, load_usage
    from tenure.demo.briefing import send_today
    from tenure.demo.operations import load_operations

    # Own the event store first: if a running server holds it, nothing is replaced.
    with usage.event_store() as store:
        with database() as session:
            existing = session.scalar(select(func.count()).select_from(Account)) or 0
            if existing and not reset and not _holds_only_demo(session):
                raise fail(
                    f"the database already holds {existing} accounts that are not the "
                    "demo company; add --reset to replace everything in it",
                    2,
                )
            delete_all_rows(session.connection())
            data = generate(seed=seed, accounts=accounts)
            load(session, data)
            stats = revenue.rebuild(session)
            try:
                logins = _demo_logins(session, password)
            except PasswordPolicyError as exc:
                raise fail(f"--password: {exc}", 2) from None
        events = load_usage(store, data, dt.date.today(), seed=seed)
        with usage.job_context(store) as context:
            usage.run_now(context, "rollup", context.today.isoformat())
            # A weekly history of health for the last 12 weeks, then today's score.
            for weeks in range(DEMO_HEALTH_WEEKS, -1, -1):
                day = context.today - dt.timedelta(weeks=weeks)
                usage.run_now(context, "health", day.isoformat())
            with database() as session:
                work = load_operations(session, context.today, seed)
            briefed = send_today(context.factory, utcnow())
    typer.echo(
        f"demo company loaded: {len(data.accounts)} accounts, "
        f"{stats.movements} MRR movements, {events} usage events, "
        f"{work.tasks} tasks ({work.completed} done), {work.activities} activities, "
        f"today's briefing for {briefed} staff ({settings.database_url()})"
    )
    typer.echo("\nSign in as any demo user with the password " + repr(password) + ":")
    for role, email in logins:
        typer.echo(f"  {role:<10} {email}")
    if serve:
        _serve(host, port)


def _demo_logins(session: Session, password: str) -> list[tuple[str, str]]:
    """Give every demo staff user ``password``; return one login per role."""
    check_password_policy(password)
    hashed = hash_password(password)
    first: dict[str, str] = {}
    for user in session.scalars(select(StaffUser).order_by(StaffUser.email)):
        user.password_hash = hashed
        first.setdefault(user.role, user.email)
    return [(role, first[role]) for role in ROLES if role in first]


def _serve(host: str, port: int) -> None:
    """Serve the web app on the configured database until interrupted."""
    from tenure.web.server import serve as run_server

    url = settings.database_url()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    typer.echo(f"\nTenure is serving at http://{shown}:{port}/ (Ctrl+C stops it)")
    run_server(url, host, port)


@app.command()
def serve(host: Host = DEFAULT_HOST, port: Port = DEFAULT_PORT) -> None:
    """Serve the web app and the JSON API (/api/v1, documented at /docs)."""
    url = settings.database_url()
    try:
        ensure_schema(url)
    except Exception as exc:
        raise fail(f"cannot open database {url}: {exc}", 2) from None
    _serve(host, port)


def _holds_only_demo(session: Session) -> bool:
    """Whether every staff user is one of the demo company's (a previous demo)."""
    emails = session.scalars(select(StaffUser.email)).all()
    return bool(emails) and all(e.endswith(f"@{STAFF_DOMAIN}") for e in emails)
