"""Job runs: recorded per period, failures kept with their error, the scheduler."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.jobs import service as jobs
from tenure.jobs.models import JobRun
from tenure.jobs.scheduler import Scheduler
from tenure.usage.store import EventStore
from tests.revenue.conftest import Tenure
from tests.usage.conftest import write_lines

TODAY = dt.date(2026, 11, 20)


def runs(factory: sessionmaker[Session]) -> dict[tuple[str, str], tuple[Any, ...]]:
    with factory() as session:
        return {
            (run.job, run.period): (run.status, run.attempts, run.error)
            for run in session.scalars(select(JobRun))
        }


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = EventStore.open(tmp_path / "jobs-events.duckdb")
    yield opened
    opened.close()


def test_a_failed_job_is_recorded_and_its_work_rolled_back(
    factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(session: Session, context: jobs.JobContext, period: str) -> Any:
        session.add(JobRun(job="written-by-the-job", period=period, status="x"))
        session.flush()
        raise RuntimeError("disk on fire")

    job = jobs.Job("explode", "fails on purpose", explode)
    monkeypatch.setitem(jobs._REGISTRY, "explode", job)
    context = jobs.JobContext(factory, None, TODAY)
    with pytest.raises(RuntimeError, match="disk on fire"):
        jobs.run_job(context, "explode")
    with pytest.raises(RuntimeError):
        jobs.run_job(context, "explode")
    recorded = runs(factory)
    assert recorded == {
        ("explode", "2026-11-20"): ("failed", 2, "RuntimeError: disk on fire")
    }


def test_run_due_skips_a_period_that_succeeded(factory: sessionmaker[Session]) -> None:
    calls: list[str] = []

    def count(session: Session, context: jobs.JobContext, period: str) -> Any:
        calls.append(period)
        return {"n": len(calls)}

    jobs._REGISTRY["count"] = jobs.Job("count", "counts", count)
    try:
        context = jobs.JobContext(factory, None, TODAY)
        assert jobs.run_due(context, "count", "2026-11-20") is not None
        assert jobs.run_due(context, "count", "2026-11-20") is None
        assert jobs.run_due(context, "count", "2026-11-21") is not None
    finally:
        del jobs._REGISTRY["count"]
    assert calls == ["2026-11-20", "2026-11-21"]


def test_the_scheduler_rolls_up_every_tick_and_runs_daily_jobs_once_a_day(
    factory: sessionmaker[Session], store: EventStore
) -> None:
    scheduler = Scheduler(lambda: factory, lambda: store, interval=3600)
    scheduler.tick()
    scheduler.tick()
    recorded = runs(factory)
    assert {job for job, _ in recorded} == {
        "rollup",
        "health",
        "tiers",
        "assignment",
        "rules",
    }
    for (job, _period), run in recorded.items():
        assert run[:2] == ("succeeded", 2 if job == "rollup" else 1), job


def test_the_scheduler_skips_store_jobs_without_a_store(
    factory: sessionmaker[Session],
) -> None:
    Scheduler(lambda: factory, lambda: None).tick()
    assert {job for job, _ in runs(factory)} == {
        "health",
        "tiers",
        "assignment",
        "rules",
    }


def test_health_from_the_command_line(cli: Tenure) -> None:
    cli.load(
        "accounts",
        "account_id,name\nbusy,Busy Co\nquiet,Quiet Co\n",
    )
    cli.load(
        "subscriptions",
        "subscription_id,customer_id,start_date,monthly_amount\n"
        "s1,busy,2024-01-01,100\ns2,quiet,2024-01-01,100\n",
    )
    today = dt.date.today()
    messages = [
        {
            "type": "track",
            "userId": f"u{n % 3}",
            "event": "Signed In",
            "timestamp": f"{today - dt.timedelta(days=n)}T04:00:00Z",
            "context": {"groupId": "busy"},
        }
        for n in range(1, 60)
    ]
    cli("ingest", str(write_lines(cli.tmp / "usage.jsonl", messages)))
    cli("jobs", "run", "rollup")
    assert '"accounts": 2' in cli("jobs", "run", "health")
    rows = list(csv.DictReader(io.StringIO(cli("report", "health", "--format", "csv"))))
    by_account = {row["account_id"]: row for row in rows}
    assert set(by_account) == {"busy", "quiet"}
    assert by_account["busy"]["band"] in ("red", "yellow", "green")
    assert float(by_account["busy"]["score"]) > 0
    one = cli("report", "health", "--account", "busy", "--format", "csv")
    assert one.splitlines()[0] == "account_id,score,band,as_of"
    assert len(one.splitlines()) == 2
    missing = cli.run("report", "health", "--account", "nobody", "--format", "csv")
    assert missing.exit_code == 2
