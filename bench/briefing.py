"""Benchmark building the daily briefing: 100,000 customers, 50 CSMs in five teams.

Builds the revenue benchmark's company (bench/revenue.py) by import, staffs it as
bench/operations.py does (five teams of ten CSMs under a manager each) and adds an
executive, open and done tasks (half of the accounts have one, due within a month
either side of today) and a week of daily health snapshots in which one account in
47 falls a band yesterday. In a fresh process it times building today's
briefing for an executive (the company), a manager (a team of ten) and a CSM (one
book), each once cold and once warm, and rendering the executive's as HTML and
Markdown.

The aim is a CSM's briefing well under 1 s and the executive's within a couple of
seconds on a 2-core machine; the figures are printed, nothing is asserted.

Run: ``.venv/bin/python bench/briefing.py [--customers N] [--url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

from sqlalchemy import insert, select, text

from tenure.accounts.models import Account
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.health.models import HealthSnapshot
from tenure.revenue.loading import today
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task

sys.path.insert(0, str(Path(__file__).parent))
from harness import answer, database, measure_apart, peak_rss_mb, report, seconds
from operations import build_staffed_company

BANDS = ("red", "yellow", "green")
SCORED_DAYS = 7
FALLS = 47  # one account in 47 falls a band yesterday (spread over the CSMs)
BATCH = 20_000


def add_tasks_and_health(url: str, seed: int) -> dict[str, int]:
    """An executive, tasks around today and a week of health snapshots."""
    rng = random.Random(seed)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        day = today(session)
        session.add(
            StaffUser(email="exec@bench.example", name="Executive", role="executive")
        )
        owners = list(session.execute(select(Account.id, Account.owner_id)))
        tasks, health = [], []
        for account, owner in owners:
            if rng.random() < 0.5:
                due = day + dt.timedelta(days=rng.randrange(-30, 30))
                done = rng.random() < 0.5
                tasks.append(
                    {
                        "account_id": account, "type": "risk",
                        "title": f"Check {account}", "priority": "normal",
                        "status": "done" if done else "open", "assignee_id": owner,
                        "due_on": due, "source": "manual", "personal": False,
                        "signal": {},
                    }
                )  # fmt: skip
            band = rng.randrange(1, len(BANDS))
            falls = account % FALLS == 0
            for back in range(SCORED_DAYS, 0, -1):
                today_band = band - 1 if falls and back == 1 else band
                health.append(
                    {"account_id": account, "as_of": day - dt.timedelta(days=back),
                     "band": BANDS[today_band], "score": 30.0 * today_band + 20,
                     "measures": []}
                )  # fmt: skip
        for table, batch in ((Task, tasks), (HealthSnapshot, health)):
            for i in range(0, len(batch), BATCH):
                session.execute(insert(table), batch[i : i + BATCH])
        counts = {"tasks": len(tasks), "snapshots": len(health)}
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return counts


def measure(url: str) -> dict[str, object]:
    """Time the briefings of an executive, a manager and a CSM; return the figures."""
    from tenure.briefing.content import build_briefing
    from tenure.briefing.render import render_html, render_markdown

    engine = make_engine(url)
    figures: dict[str, object] = {}
    try:
        with transaction(make_session_factory(engine)) as session:
            day = today(session)
            users = {
                user.role: user
                for user in session.scalars(
                    select(StaffUser).order_by(StaffUser.id.desc())
                )
            }
            for role in ("executive", "manager", "csm"):
                for run in ("cold", "warm"):
                    started = time.perf_counter()
                    doc = build_briefing(session, users[role], day)
                    figures[f"{role}_{run}_seconds"] = seconds(started)
                figures[f"{role}_headline"] = doc.headline
                if role == "executive":
                    started = time.perf_counter()
                    html = render_html(doc, "https://tenure.example.com")
                    markdown = render_markdown(doc, "https://tenure.example.com")
                    figures["render_seconds"] = seconds(started)
                    figures["html_chars"] = len(html)
                    figures["markdown_chars"] = len(markdown)
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
    _folder, url = database("briefing", args.url)
    started = time.perf_counter()
    build_staffed_company(url, args.customers, "Asia/Shanghai")
    counts = add_tasks_and_health(url, seed=7)
    print(f"company of {args.customers:,} built in {seconds(started):.1f}s: {counts}")
    report(measure_apart(__file__, url))


if __name__ == "__main__":
    main()
