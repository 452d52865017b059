"""Run named jobs and record each run: one row per job and period in ``job_run``.

A job's work happens in one transaction: it applies completely or not at all. Its
run record is written apart from that work, so a failure is recorded with its error
while the work itself rolls back. Running a job again for the same period replaces
what the earlier run wrote (every job is written to be idempotent per period);
``run_due`` skips a period that has already succeeded.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.db.base import utcnow
from tenure.db.session import transaction
from tenure.jobs.models import JobRun
from tenure.usage.store import EventStore

log = logging.getLogger(__name__)


class JobError(RuntimeError):
    """A job that is unknown or cannot run here."""


@dataclass(frozen=True)
class JobContext:
    """What a job may use: the database, the event store (if open) and today."""

    factory: sessionmaker[Session]
    store: EventStore | None
    today: dt.date


@dataclass(frozen=True)
class Job:
    """A named unit of scheduled work; ``run`` returns a JSON-ready summary."""

    name: str
    help: str
    run: Callable[[Session, JobContext, str], dict[str, Any]]
    needs_store: bool = False


_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Make ``job`` known by its name."""
    _REGISTRY[job.name] = job
    return job


def jobs() -> dict[str, Job]:
    """Every registered job by name."""
    from tenure.jobs import registry  # noqa: F401 - registers the built-in jobs

    return dict(_REGISTRY)


def get_job(name: str) -> Job:
    """The job called ``name``, or a JobError listing the known ones."""
    known = jobs()
    if name not in known:
        raise JobError(f"unknown job '{name}'; known jobs: {', '.join(sorted(known))}")
    return known[name]


def last_detail(session: Session, name: str, key: str) -> Any:
    """``key`` of the newest run of a job that recorded it, over every period.

    A run keeps the details of its period's last success while it runs and after it
    fails, so a job can carry state (a watermark, say) from one run to the next.
    """
    runs = session.scalars(
        select(JobRun).where(JobRun.job == name).order_by(JobRun.started_at.desc())
    )
    for run in runs:
        if key in (run.details or {}):
            return run.details[key]
    return None


def _record(
    factory: sessionmaker[Session], name: str, period: str, **values: Any
) -> None:
    with transaction(factory) as session:
        run = session.scalar(select(JobRun).filter_by(job=name, period=period))
        if run is None:
            run = JobRun(job=name, period=period, status="running")
            session.add(run)
        for key, value in values.items():
            setattr(run, key, value)
        if values.get("status") == "running":
            run.attempts = (run.attempts or 0) + 1


def run_job(context: JobContext, name: str, period: str | None = None) -> JobRun:
    """Run a job now for ``period`` (default: today) and return its run record."""
    job = get_job(name)
    if job.needs_store and context.store is None:
        raise JobError(f"the {name} job needs the event store, which is not open")
    period = period or context.today.isoformat()
    started = time.perf_counter()
    _record(
        context.factory,
        name,
        period,
        status="running",
        started_at=utcnow(),
        finished_at=None,
        error=None,
    )
    try:
        with transaction(context.factory) as session:
            details = job.run(session, context, period)
    except Exception as exc:
        _record(
            context.factory,
            name,
            period,
            status="failed",
            finished_at=utcnow(),
            error=f"{type(exc).__name__}: {exc}",
        )
        log.error(
            "job %s for %s failed; its work was rolled back",
            name,
            period,
            exc_info=log.isEnabledFor(logging.INFO),
        )
        raise
    details = {**details, "seconds": round(time.perf_counter() - started, 3)}
    _record(
        context.factory,
        name,
        period,
        status="succeeded",
        finished_at=utcnow(),
        details=details,
    )
    log.info("job %s for %s done in %.2fs", name, period, details["seconds"])
    with context.factory() as session:
        run = session.scalar(select(JobRun).filter_by(job=name, period=period))
        assert run is not None
        session.expunge(run)
        return run


def run_due(context: JobContext, name: str, period: str) -> JobRun | None:
    """Run a job for ``period`` unless that period already succeeded."""
    with context.factory() as session:
        done = session.scalar(
            select(JobRun.id).filter_by(job=name, period=period, status="succeeded")
        )
    if done is not None:
        return None
    return run_job(context, name, period)
