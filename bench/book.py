"""Benchmark the book of business: assigning new accounts and moving books in bulk.

Builds the team benchmark's company (bench/team.py: 100,000 customers, 50 CSMs in
five teams, owner history, tasks and health) by import, spreads the accounts over
ten regions (two per team; one account in eleven has none) and leaves one account
in five without an owner, its history and its tasks' assignee. In a fresh process
it installs one least_loaded assignment rule per region giving to that region's
team, and one round_robin rule for everything else, then times:

* the preview of assigning the unowned accounts, the assignment itself and its
  rerun (which finds nothing to assign);
* a reassignment preview and its application moving one CSM's whole book to
  another team, and moving one region's accounts over the region's team.

Ten regions rather than five keep a region under the 10,000 moves one
reassignment may apply (``tenure.book.schemas.MAX_ACCOUNTS``). The figures are
printed, nothing is asserted.

Run: ``.venv/bin/python bench/book.py [--customers N] [--url URL]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from tenure.db.session import make_engine, make_session_factory, transaction

sys.path.insert(0, str(Path(__file__).parent))
from harness import answer, database, measure_apart, peak_rss_mb, report, seconds
from operations import TEAMS, build_staffed_company
from team import add_history_tasks_and_health

# Two regions per team, in team order; accounts whose id % 11 is 10 have none.
REGIONS = (
    "North China", "Northeast China", "East China", "Shanghai", "South China",
    "Hong Kong", "Central China", "Southwest China", "Singapore", "Japan",
)  # fmt: skip
UNOWNED = 5  # one account in five has no owner (id % 5 == 2)
MOVED_CSM = "csm0-0@bench.example"
RECEIVING_TEAM = "Team 3"
MOVED_REGION = 4  # South China, the first region of Team 2


def prepare_book(url: str) -> dict[str, int]:
    """Give accounts regions and leave one in five without owner or history."""
    engine = make_engine(url)
    with engine.begin() as connection:
        for number, region in enumerate(REGIONS):
            connection.execute(
                text("UPDATE account SET region = :region WHERE id % 11 = :number"),
                {"region": region, "number": number},
            )
        unowned = "SELECT id FROM account WHERE id % :every = 2"
        every = {"every": UNOWNED}
        connection.execute(
            text(f"DELETE FROM account_owner_history WHERE account_id IN ({unowned})"),
            every,
        )
        connection.execute(
            text(f"UPDATE task SET assignee_id = NULL WHERE account_id IN ({unowned})"),
            every,
        )
        count = connection.execute(
            text("UPDATE account SET owner_id = NULL WHERE id % :every = 2"), every
        ).rowcount
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return {"unowned": count}


def _install_rules(session: Any) -> int:
    """One least_loaded rule per region to its team, then one round_robin rule."""
    from sqlalchemy import select

    from tenure.book.rules import create_rule
    from tenure.staff.models import Team

    teams = list(session.scalars(select(Team.id).order_by(Team.id)))
    per_team = len(REGIONS) // TEAMS
    for number, region in enumerate(REGIONS):
        create_rule(
            session,
            {
                "name": f"{region} to its team",
                "conditions": {"region": [region]},
                "strategy": "least_loaded",
                "team_id": teams[number // per_team],
            },
        )
    create_rule(
        session,
        {
            "name": "Everyone else in turn",
            "strategy": "round_robin",
            "team_id": teams[0],
        },
    )
    return len(REGIONS) + 1


def _reassignment(
    factory: Any, principal: Any, label: str, spec: dict[str, Any]
) -> dict[str, object]:
    """Preview a reassignment, then apply the moves it showed; time both."""
    from tenure.book.reassign import preview_reassignment, reassign

    figures: dict[str, object] = {}
    with transaction(factory) as session:
        started = time.perf_counter()
        preview = preview_reassignment(session, principal, spec)
        details = preview.details()
        figures[f"{label}_preview_seconds"] = seconds(started)
        figures[f"{label}_preview_json_bytes"] = len(json.dumps(details, default=str))
    figures[f"{label}_moves"] = details["count"]
    figures[f"{label}_open_tasks"] = details["open_tasks"]
    figures[f"{label}_unchanged"] = len(details["unchanged"])
    figures[f"{label}_receivers"] = len(details["totals"])
    started = time.perf_counter()
    with transaction(factory) as session:
        done = reassign(session, principal, {**spec, "expected": details["moves"]})
    figures[f"{label}_apply_seconds"] = seconds(started)
    figures[f"{label}_moved"] = done.details()["moved"]
    figures[f"{label}_notified"] = done.notified
    return figures


def measure(url: str) -> dict[str, object]:
    """Install the rules, then time assignment and reassignment; return figures."""
    from sqlalchemy import select

    from tenure.auth.scope import principal_for
    from tenure.book.assign import assign_new_accounts, preview_assignment
    from tenure.staff.models import StaffUser

    engine = make_engine(url)
    factory = make_session_factory(engine)
    figures: dict[str, object] = {}
    try:
        with transaction(factory) as session:
            started = time.perf_counter()
            figures["rules"] = _install_rules(session)
            figures["rules_seconds"] = seconds(started)
        with transaction(factory) as session:
            started = time.perf_counter()
            preview = preview_assignment(session)
            figures["assign_preview_seconds"] = seconds(started)
            figures["assign_preview_accounts"] = len(preview.picks)
            figures["assign_preview_assigned"] = preview.assigned
        started = time.perf_counter()
        with transaction(factory) as session:
            done = assign_new_accounts(session)
        figures["assign_seconds"] = seconds(started)
        figures["assigned"] = done.assigned
        figures["assign_unmatched"] = len(done.unmatched)
        per_owner = done.per_owner()
        figures["assign_owners"] = len(per_owner)
        figures["assign_most_to_one"] = max(per_owner.values(), default=0)
        figures["assign_to_managers"] = sum(
            count for email, count in per_owner.items() if email.startswith("lead")
        )
        figures["assign_by_strategy"] = dict(
            Counter(pick.rule.strategy for pick in done.picks if pick.rule)
        )
        started = time.perf_counter()
        with transaction(factory) as session:
            again = assign_new_accounts(session)
        figures["assign_rerun_seconds"] = seconds(started)
        figures["assign_rerun_assigned"] = again.assigned
        with factory() as session:
            admin = session.scalar(select(StaffUser).where(StaffUser.role == "admin"))
            assert admin is not None
            principal = principal_for(admin)
        figures |= _reassignment(
            factory, principal, "csm_book", {"from_owner": MOVED_CSM,
                                             "team": RECEIVING_TEAM}
        )  # fmt: skip
        region_team = f"Team {MOVED_REGION // (len(REGIONS) // TEAMS)}"
        figures |= _reassignment(
            factory, principal, "region", {"region": REGIONS[MOVED_REGION],
                                           "team": region_team}
        )  # fmt: skip
    finally:
        engine.dispose()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    """Build the company and its unowned accounts, then measure in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        answer(measure(args.measure))
        return
    _folder, url = database("book", args.url)
    started = time.perf_counter()
    build_staffed_company(url, args.customers, "Asia/Shanghai")
    counts = add_history_tasks_and_health(url, seed=7)
    counts |= prepare_book(url)
    print(f"company of {args.customers:,} built in {seconds(started):.1f}s: {counts}")
    started = time.perf_counter()
    report(measure_apart(__file__, url))
    print(f"measured in {seconds(started):.1f}s")


if __name__ == "__main__":
    main()
