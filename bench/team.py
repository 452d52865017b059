"""Benchmark the team page's reads: 100,000 customers, 50 CSMs in five teams.

Builds the revenue benchmark's company (bench/revenue.py), staffs it as
bench/operations.py does (five teams of ten CSMs under a manager each), then adds
what the team page reads: an owner history in which one account in ten changed
hands during the last year, tasks (open, overdue and done) and one health
snapshot per account. In a fresh process it times:

* a manager's team page (their people, the team's total, a 12-month trend) and
  an executive's (everyone, the team comparison, the company's trend), both for
  the current month and for a busy past year;
* the drill-down behind one CSM's MRR, churn and red health band.

The aim is each page's reads under 2 s on a 2-core machine; the figures are
printed, nothing is asserted.

Run: ``.venv/bin/python bench/team.py [--customers N] [--url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select, text

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.health.models import HealthSnapshot
from tenure.revenue.loading import today
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task

sys.path.insert(0, str(Path(__file__).parent))
from harness import answer, database, measure_apart, peak_rss_mb, report, seconds
from operations import build_staffed_company

BANDS = ("green", "green", "green", "yellow", "red")
HANDED_OVER = 10  # one account in ten changed owner during the last year
BUSY_YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def add_history_tasks_and_health(url: str, seed: int) -> dict[str, int]:
    """Owner history with handovers, tasks and a health snapshot per account."""
    rng = random.Random(seed)
    engine = make_engine(url)
    counts = {"handovers": 0, "tasks": 0}
    with transaction(make_session_factory(engine)) as session:
        day = today(session)
        csms = list(
            session.scalars(select(StaffUser.id).where(StaffUser.role == "csm"))
        )
        owners = list(session.execute(select(Account.id, Account.owner_id)))
        history, moved, tasks, health = [], [], [], []
        for account, owner in owners:
            first = dt.date(2020, 1, 1)
            if account % HANDED_OVER == 0:
                change = day - dt.timedelta(days=rng.randrange(1, 365))
                new = rng.choice(csms)
                history.append((account, owner, first, change))
                history.append((account, new, change, None))
                moved.append({"id": account, "owner_id": new})
                owner = new
            else:
                history.append((account, owner, first, None))
            if rng.random() < 0.5:
                due = day - dt.timedelta(days=rng.randrange(-30, 60))
                done = rng.random() < 0.5
                tasks.append(
                    {
                        "account_id": account, "type": "risk",
                        "title": f"Check {account}", "priority": "normal",
                        "status": "done" if done else "open", "assignee_id": owner,
                        "due_on": due, "source": "manual", "personal": False,
                        "signal": {},
                        "completed_at": dt.datetime.combine(
                            min(due, day), dt.time(9), dt.UTC
                        ) if done else None,
                    }
                )  # fmt: skip
            health.append(
                {"account_id": account, "as_of": day, "band": rng.choice(BANDS),
                 "score": 50.0, "measures": []}
            )  # fmt: skip
        rows = [
            {"account_id": a, "owner_id": o, "start_date": s, "end_date": e}
            for a, o, s, e in history
        ]
        for table, batch in (
            (AccountOwnerHistory, rows),
            (Task, tasks),
            (HealthSnapshot, health),
        ):
            for i in range(0, len(batch), 20_000):
                session.execute(insert(table), batch[i : i + 20_000])
        for i in range(0, len(moved), 5_000):
            session.execute(
                text("UPDATE account SET owner_id = :owner_id WHERE id = :id"),
                moved[i : i + 5_000],
            )
        counts = {"handovers": len(moved), "tasks": len(tasks)}
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return counts


def measure(url: str) -> dict[str, object]:
    """Time the team page's reads and the drill-down; return the figures."""
    from tenure.auth.scope import principal_for
    from tenure.team import behind as drill
    from tenure.team import performance as team
    from tenure.team.page import team_page

    engine = make_engine(url)
    figures: dict[str, object] = {}
    try:
        with transaction(make_session_factory(engine)) as session:
            users = {
                user.role: user
                for user in session.scalars(
                    select(StaffUser).order_by(StaffUser.id.desc())
                )
            }
            manager = principal_for(users["manager"])
            admin = principal_for(users["admin"])
            csm = principal_for(users["csm"])
            month = team.default_span(session)
            for label, (start, end) in (("month", month), ("year_2024", BUSY_YEAR)):
                for who, principal in (("manager", manager), ("executive", admin)):
                    timings = []
                    for _ in range(3):
                        started = time.perf_counter()
                        found = team_page(session, principal, start, end)
                        timings.append(seconds(started))
                    figures[f"{who}_page_{label}_seconds_first_then"] = timings
                    figures[f"{who}_people"] = len(found.performance.people)
                    total = found.performance.total
                    figures[f"{who}_total_mrr_{label}"] = str(total["mrr"])
            for figure in ("mrr", "churn", "band:red"):
                started = time.perf_counter()
                rows = drill.behind(
                    session, manager, csm.user_id, figure, BUSY_YEAR[0], BUSY_YEAR[1]
                )
                figures[f"behind_{figure}_seconds"] = seconds(started)
                figures[f"behind_{figure}_rows"] = len(rows)
    finally:
        engine.dispose()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    """Build the company and its staff, then measure in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        answer(measure(args.measure))
        return
    _folder, url = database("team", args.url)
    started = time.perf_counter()
    build_staffed_company(url, args.customers, "Asia/Shanghai")
    counts = add_history_tasks_and_health(url, seed=7)
    print(f"company of {args.customers:,} built in {seconds(started):.1f}s: {counts}")
    report(measure_apart(__file__, url))


if __name__ == "__main__":
    main()
