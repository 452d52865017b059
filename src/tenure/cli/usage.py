"""``tenure source``, ``tenure ingest``, ``tenure jobs`` and ``tenure report usage``."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from tenure.cli.context import database, ensure_schema, fail
from tenure.cli.output import Format, render
from tenure.db.session import make_engine, make_session_factory
from tenure.health import service as health
from tenure.jobs import service as jobs
from tenure.jobs.models import JobRun
from tenure.revenue.loading import today
from tenure.settings.service import database_url
from tenure.usage import service as usage
from tenure.usage.backfill import backfill
from tenure.usage.store import EventStore, StoreBusy

log = logging.getLogger(__name__)

source_app = typer.Typer(
    help="Event sources and their write keys.", no_args_is_help=True
)
jobs_app = typer.Typer(help="Run and inspect scheduled jobs.", no_args_is_help=True)
USAGE_COLUMNS = ("day", "active_users", "events")
HEALTH_COLUMNS = ("account_id", "score", "band", "as_of")
JOB_COLUMNS = ("job", "period", "status", "attempts", "finished_at", "details")


@contextmanager
def event_store() -> Iterator[EventStore]:
    """Open the event store for a command, or fail if a server owns it."""
    try:
        store = EventStore.open(usage.events_path())
    except StoreBusy as exc:
        raise fail(
            f"{exc}; stop it, or send the events to its /v1/batch endpoint", 2
        ) from None
    try:
        yield store
    finally:
        store.close()


@source_app.command("create")
def source_create(name: str) -> None:
    """Create an event source and print its write key (shown only this once)."""
    with database() as session:
        try:
            key, _ = usage.create_source(session, name)
        except usage.SourceError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(key)


@source_app.command("list")
def source_list() -> None:
    """List the event sources."""
    with database() as session:
        rows = [
            {
                "name": s.name,
                "key": s.prefix + "…",
                "created_at": s.created_at.isoformat(timespec="seconds"),
                "revoked_at": s.revoked_at.isoformat(timespec="seconds")
                if s.revoked_at
                else "",
            }
            for s in usage.list_sources(session)
        ]
    typer.echo(render(rows, Format.table, ("name", "key", "created_at", "revoked_at")))


@source_app.command("revoke")
def source_revoke(name: str) -> None:
    """Stop accepting a source's write key."""
    with database() as session:
        try:
            usage.revoke_source(session, name)
        except usage.SourceError as exc:
            raise fail(str(exc), 2) from None
    typer.echo(f"source {name} revoked")


def ingest(
    file: Annotated[Path, typer.Argument(help="JSON lines of Segment messages")],
) -> None:
    """Store a backfill of Segment messages; a file with a bad line stores nothing."""
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    with event_store() as store:
        result = backfill(store, file)
    if result.problems:
        for problem in result.problems:
            typer.echo(problem, err=True)
        raise fail(f"{file}: {len(result.problems)} problem(s); nothing was stored")
    typer.echo(f"{file}: {result.messages} messages from {result.lines} lines stored")


@contextmanager
def job_context(store: EventStore | None = None) -> Iterator[jobs.JobContext]:
    """A context for running jobs on the configured database."""
    url = database_url()
    ensure_schema(url)
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            current = today(session)
        yield jobs.JobContext(factory, store, current)
    finally:
        engine.dispose()


def run_now(context: jobs.JobContext, name: str, period: str) -> JobRun:
    """Run a job, turning a failure into a one-line error and exit code 1."""
    try:
        return jobs.run_job(context, name, period)
    except jobs.JobError as exc:
        raise fail(str(exc), 2) from None
    except Exception as exc:
        raise fail(f"{name} for {period} failed: {exc}") from None


@jobs_app.command("run")
def jobs_run(
    name: Annotated[
        str,
        typer.Argument(help="rollup, health, tiers or rules (see: tenure jobs list)"),
    ],
    day: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The period (today)"),
    ] = None,
    full: Annotated[
        bool, typer.Option(help="rollup: recompute every day, not only new ones")
    ] = False,
) -> None:
    """Run a job now (again, if it already ran for the period)."""
    try:
        job = jobs.get_job(name)
    except jobs.JobError as exc:
        raise fail(str(exc), 2) from None
    with contextlib.ExitStack() as stack:
        store = stack.enter_context(event_store()) if job.needs_store else None
        context = stack.enter_context(job_context(store))
        period = "full" if full else (day.date() if day else context.today).isoformat()
        run = run_now(context, name, period)
    typer.echo(f"{name} for {run.period}: {json.dumps(run.details, sort_keys=True)}")


@jobs_app.command("list")
def jobs_list(
    limit: Annotated[int, typer.Option(help="How many recent runs")] = 20,
) -> None:
    """Show the most recent job runs."""
    with database() as session:
        runs = session.scalars(
            select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)
        ).all()
        rows = [
            {
                "job": r.job,
                "period": r.period,
                "status": r.status,
                "attempts": r.attempts,
                "finished_at": r.finished_at.isoformat(timespec="seconds")
                if r.finished_at
                else "",
                "details": r.error or json.dumps(r.details, sort_keys=True),
            }
            for r in runs
        ]
    typer.echo(render(rows, Format.table, JOB_COLUMNS))


def report_usage(
    account: Annotated[str, typer.Option("--account", help="The account's id")],
    start: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day (default: 29 days back)"),
    ] = None,
    end: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (today)")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Daily usage of one account: day, active_users, events."""
    with database() as session:
        last = end.date() if end else today(session)
        first = start.date() if start else last - dt.timedelta(days=29)
        if first > last:
            raise fail(f"--start {first} is after --end {last}", 2)
        try:
            rows = usage.usage_rows(session, account, first, last)
        except LookupError:
            raise fail(f"no account '{account}'", 2) from None
    typer.echo(render(rows, fmt, USAGE_COLUMNS))


def report_health(
    account: Annotated[
        str | None, typer.Option("--account", help="One account's id")
    ] = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="That day's scores (each latest)"),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Health scores: account_id, score (empty: insufficient data), band, as_of."""
    with database() as session:
        rows = health.report_rows(
            session, as_of=as_of.date() if as_of else None, account_id=account
        )
    if account is not None and not rows:
        raise fail(f"no health score for account '{account}'", 2)
    typer.echo(render(rows, fmt, HEALTH_COLUMNS))
