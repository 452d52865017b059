"""Benchmark the daily usage rollup and health scoring at scale.

Builds the revenue benchmark's company of 100,000 customers (see bench/revenue.py)
in a fresh SQLite database (or ``--url``), rebuilds its revenue facts, and writes 10
million usage events over the last 30 days straight into a DuckDB event store: about
five users per account, a fifth of the tracks carrying no groupId (attributed
through the users' group calls). Then it measures, in a fresh process so that its
peak memory is their own:

* the full rollup: every day of every account into ``usage_daily``;
* health scoring of every customer with the default scorecard.

The aim is both within 30 s on a 2-core machine.

Run: ``.venv/bin/python bench/health.py [--customers N] [--events N] [--url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.revenue import service as revenue
from tenure.settings.service import set_value
from tenure.usage.store import SCHEMA

sys.path.insert(0, str(Path(__file__).parent))
from revenue import populate

DAYS = 30
USERS_PER_ACCOUNT = 5
EVENT_NAMES = (
    "Signed In", "Report Viewed", "Dashboard Viewed", "Dashboard Created",
    "Export Downloaded", "Invoice Sent", "Integration Connected", "Workflow Run",
    "Comment Added", "User Invited", "Filter Saved", "API Call",
)  # fmt: skip


def _tracks(
    customers: int, events: int, now: dt.datetime, days: int, prefix: str
) -> str:
    """SQL inserting ``events`` tracks over the ``days`` before ``now``."""
    names = "[" + ", ".join(f"'{name}'" for name in EVENT_NAMES) + "]"
    users = customers * USERS_PER_ACCOUNT
    return f"""
        INSERT INTO events
        SELECT '{prefix}' || i, 'track', 'u' || u, NULL,
               CASE WHEN i % 5 = 0 THEN NULL ELSE 'a' || (u % {customers} + 1) END,
               {names}[CAST(hash(i * 7) % {len(EVENT_NAMES)} AS BIGINT) + 1],
               TIMESTAMPTZ '{now.isoformat()}'
                   - to_seconds(CAST(hash(i) % {days * 86_400} AS BIGINT)),
               TIMESTAMPTZ '{now.isoformat()}', NULL, NULL, NULL
        FROM (
            SELECT i, CAST(hash(i * 13) % {users} AS BIGINT) AS u
            FROM range({events}) t(i)
        )
        """


def write_events(path: Path, customers: int, events: int) -> float:
    """Write ``events`` tracks and every user's group call; return the seconds taken."""
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    connection = duckdb.connect(str(path))
    connection.execute(SCHEMA)
    users = customers * USERS_PER_ACCOUNT
    connection.execute(
        f"""
        INSERT INTO events
        SELECT 'g' || i, 'group', 'u' || i, NULL,
               'a' || (i % {customers} + 1), NULL,
               TIMESTAMPTZ '{(now - dt.timedelta(days=DAYS + 1)).isoformat()}',
               TIMESTAMPTZ '{now.isoformat()}', NULL, NULL, NULL
        FROM range({users}) t(i)
        """
    )
    connection.execute(_tracks(customers, events, now, DAYS, "t"))
    connection.close()
    return time.perf_counter() - started


def measure(url: str, events_path: str, customers: int) -> dict[str, float]:
    """Time the full rollup and scoring, then one more day's; return the figures."""
    from tenure.health import service as health
    from tenure.usage.rollup import rollup
    from tenure.usage.store import EventStore

    engine = make_engine(url)
    factory = make_session_factory(engine)
    store = EventStore.open(Path(events_path))
    try:
        started = time.perf_counter()
        with transaction(factory) as session:
            result = rollup(session, store, timezone="Asia/Shanghai")
        rolled = time.perf_counter()
        with transaction(factory) as session:
            stats = health.score_accounts(session)
        scored = time.perf_counter()
        # The daily job: one more day of events arrives, is rolled up and scored.
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with store.reader() as cursor:
            count = cursor.execute("SELECT count(*) FROM events").fetchone()
            cursor.execute(
                _tracks(
                    customers,
                    int(count[0] / DAYS) if count else 0,
                    now,
                    1,
                    f"d{time.time_ns()}-",
                )
            )
        day_started = time.perf_counter()
        with transaction(factory) as session:
            daily = rollup(session, store, timezone="Asia/Shanghai", since=result.until)
        day_rolled = time.perf_counter()
        with transaction(factory) as session:
            health.score_accounts(session)
        day_scored = time.perf_counter()
    finally:
        store.close()
        engine.dispose()
    return {
        "rollup_seconds": rolled - started,
        "rollup_rows": result.rows,
        "days": len(result.days),
        "score_seconds": scored - rolled,
        "scored": stats.accounts,
        "insufficient": stats.insufficient,
        "score_load": stats.load_seconds,
        "score_compute": stats.score_seconds,
        "score_store": stats.store_seconds,
        "day_rollup_seconds": day_rolled - day_started,
        "day_rows": daily.rows,
        "day_days": len(daily.days),
        "day_score_seconds": day_scored - day_rolled,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Build the company and its events, then measure in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        url, path, customers = args.measure
        print(json.dumps(measure(url, path, int(customers))))
        return
    folder = Path(tempfile.mkdtemp(prefix="tenure-bench-health-"))
    url = args.url or f"sqlite:///{(folder / 'bench.sqlite').as_posix()}"
    upgrade(url)
    started = time.perf_counter()
    populate(url, args.customers, seed=7)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        set_value(session, "timezone", "Asia/Shanghai")
        revenue.rebuild(session)
    engine.dispose()
    print(
        f"company of {args.customers:,} built in {time.perf_counter() - started:.1f}s"
    )
    events_path = folder / "events.duckdb"
    seconds = write_events(events_path, args.customers, args.events)
    print(f"{args.events:,} tracks written to DuckDB in {seconds:.1f}s")
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--measure",
            url,
            str(events_path),
            str(args.customers),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    print(
        f"rollup: {figures['rollup_seconds']:.1f}s for {figures['days']} days into "
        f"{figures['rollup_rows']:,} account-day rows"
    )
    print(
        f"health: {figures['score_seconds']:.1f}s for {figures['scored']:,} customers "
        f"({figures['insufficient']:,} insufficient; load {figures['score_load']:.1f}, "
        f"score {figures['score_compute']:.1f}, store {figures['score_store']:.1f})"
    )
    total = figures["rollup_seconds"] + figures["score_seconds"]
    print(f"full backfill, rollup + scoring: {total:.1f}s (aim 30 s)")
    print(
        f"one more day ({args.events // DAYS:,} events): rollup "
        f"{figures['day_rollup_seconds']:.1f}s for {figures['day_days']} days into "
        f"{figures['day_rows']:,} rows, scoring {figures['day_score_seconds']:.1f}s"
    )
    print(f"peak RSS of the measuring process: {figures['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
