"""Benchmark customer-success operations at scale: tiers, rules, segments, reads.

Builds the health benchmark's company (bench/health.py: 100,000 customers and their
usage over 30 days), gives the accounts 50 CSMs in five teams, rolls the usage up
and scores health a week ago and today. Then, in a fresh process so that the peak
memory is its own, it measures:

* installing the default segments, tiers, playbooks and rules, and the tiers job;
* the first evaluation of every default rule (the day's firings, tasks, playbook
  runs and notifications) and a rerun of the same day (idempotent: nothing fires);
* each default segment's members;
* the reads behind the pages: a CSM's and the company's workbench, the first page
  of an admin's task list, and the tasks CSV of the whole company.

The aim is the daily rules job within 30 s and every page's reads within 1 s on a
2-core machine.

Run: ``.venv/bin/python bench/operations.py [--customers N] [--events N]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

from sqlalchemy import text

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.revenue import service as revenue
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team

sys.path.insert(0, str(Path(__file__).parent))
from harness import answer, database, measure_apart, peak_rss_mb, report, seconds
from health import write_events
from revenue import populate

TEAMS = 5
CSMS_PER_TEAM = 10


def staff_the_company(url: str) -> None:
    """Five teams of ten CSMs under a manager each; every account gets an owner."""
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        csms = []
        for number in range(TEAMS):
            manager = StaffUser(
                email=f"lead{number}@bench.example", name=f"Lead {number}",
                role="manager",
            )  # fmt: skip
            session.add(manager)
            session.flush()
            team = Team(name=f"Team {number}", manager_id=manager.id)
            session.add(team)
            session.flush()
            manager.team_id = team.id
            for member in range(CSMS_PER_TEAM):
                csm = StaffUser(
                    email=f"csm{number}-{member}@bench.example",
                    name=f"CSM {number}-{member}", role="csm", team_id=team.id,
                )  # fmt: skip
                session.add(csm)
                session.flush()
                csms.append(csm.id)
        session.add(StaffUser(email="admin@bench.example", name="Admin", role="admin"))
        first, count = min(csms), len(csms)
        session.execute(
            text("UPDATE account SET owner_id = :first + (id % :count)"),
            {"first": first, "count": count},
        )
    engine.dispose()


def build_staffed_company(url: str, customers: int, zone: str) -> None:
    """Migrate ``url``, fill it with the revenue benchmark's company and staff it.

    The company's time zone is ``zone``; its revenue facts are rebuilt.
    """
    upgrade(url)
    populate(url, customers, seed=7)
    staff_the_company(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        set_value(session, "timezone", zone)
        revenue.rebuild(session)
    engine.dispose()


def measure(url: str, events_path: str) -> dict[str, object]:
    """Roll up, score, then time the operations; return the figures."""
    from sqlalchemy import select

    from tenure.auth.scope import principal_for
    from tenure.health import service as health
    from tenure.playbooks import defaults as playbook_defaults
    from tenure.revenue.loading import today
    from tenure.rules import defaults as rule_defaults
    from tenure.rules.service import evaluate_rules
    from tenure.segments import defaults as segment_defaults
    from tenure.segments import service as segments
    from tenure.segments.tiers import assign_tiers
    from tenure.tasks.reads import TaskQuery, csv_rows, list_tasks
    from tenure.usage.rollup import rollup
    from tenure.usage.store import EventStore
    from tenure.workbench import service as bench

    engine = make_engine(url)
    factory = make_session_factory(engine)
    store = EventStore.open(Path(events_path))
    figures: dict[str, object] = {}
    try:
        with transaction(factory) as session:
            rollup(session, store, timezone="Asia/Shanghai")
            day = today(session)
            health.score_accounts(session, day - dt.timedelta(days=7))
            health.score_accounts(session, day)
        with transaction(factory) as session:
            started = time.perf_counter()
            segment_defaults.install_defaults(session)
            playbook_defaults.install_defaults(session)
            rule_defaults.install_defaults(session)
            figures["install_seconds"] = seconds(started)
            started = time.perf_counter()
            tiers = assign_tiers(session, day)
            figures["tiers_seconds"] = seconds(started)
            figures["tier_changes"] = tiers.details()
        with transaction(factory) as session:
            started = time.perf_counter()
            first = evaluate_rules(session, day)
            figures["rules_seconds"] = seconds(started)
            figures["rules"] = first.details()
        with transaction(factory) as session:
            started = time.perf_counter()
            again = evaluate_rules(session, day)
            figures["rerun_seconds"] = seconds(started)
            figures["rerun_fired"] = sum(rule.fired for rule in again.rules)
        with transaction(factory) as session:
            sizes = {}
            for row in segment_defaults.DEFAULT_SEGMENTS:
                started = time.perf_counter()
                found = segments.member_ids(session, row.key, day)
                sizes[row.key] = (len(found), seconds(started))
            figures["segments"] = sizes
            users = {
                user.role: user
                for user in session.scalars(select(StaffUser).order_by(StaffUser.id))
            }
            csm, admin = principal_for(users["csm"]), principal_for(users["admin"])
            for name, principal, view in (
                ("csm_workbench", csm, "me"),
                ("company_workbench", admin, "team"),
            ):
                started = time.perf_counter()
                book = bench.book_for(session, principal, view)
                bench.figures(session, book, day)
                bench.bands(session, book)
                bench.renewals(session, book, day)
                bench.health_changes(session, book, day)
                bench.mrr_changes(session, book, day)
                bench.team(session, book, day)
                list_tasks(session, TaskQuery(due_before=day, today=day), principal)
                figures[f"{name}_seconds"] = seconds(started)
            started = time.perf_counter()
            page = list_tasks(session, TaskQuery(today=day), admin)
            figures["task_page_seconds"] = seconds(started)
            figures["open_tasks"] = page.total
            started = time.perf_counter()
            lines = sum(1 for _ in csv_rows(session, TaskQuery(state="all"), None))
            figures["task_csv_seconds"] = seconds(started)
            figures["task_csv_rows"] = lines
    finally:
        store.close()
        engine.dispose()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    """Build the company, its staff and its events, then measure in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        answer(measure(*args.measure))
        return
    folder, url = database("operations", args.url)
    started = time.perf_counter()
    build_staffed_company(url, args.customers, "Asia/Shanghai")
    events_path = folder / "events.duckdb"
    write_events(events_path, args.customers, args.events)
    print(f"company of {args.customers:,} built in {seconds(started):.1f}s")
    report(measure_apart(__file__, url, str(events_path)))


if __name__ == "__main__":
    main()
