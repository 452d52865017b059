"""Benchmark the revenue engine: full rebuild and single-customer recompute.

Builds a synthetic company of 100,000 customers with 300,000 subscriptions over 60
months in a fresh SQLite database (or ``--url``), then measures, each in a fresh
process so that peak memory is the rebuild's own:

* a full rebuild (load inputs, compute, store facts, commit): time and peak RSS;
* recomputing one customer after a change, p50 and p95 over many customers.

Run: ``.venv/bin/python bench/revenue.py [--customers N] [--url URL]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert, select, text

from tenure.accounts.models import Account
from tenure.billing.models import Subscription, SubscriptionItem
from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.revenue import service

START = dt.date(2021, 1, 1)
MONTHS = 60
PRICES = {"month": (2_900, 9_900, 29_900, 99_900), "year": (29_000, 99_000, 299_000)}


def populate(url: str, customers: int, seed: int) -> int:
    """Fill the database with customers and about three subscriptions each."""
    rng = random.Random(seed)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    accounts, subs, items = [], [], []
    sub_id = 0
    for account_id in range(1, customers + 1):
        accounts.append(
            {
                "id": account_id,
                "external_id": f"a{account_id}",
                "name": f"Co {account_id}",
            }
        )
        day = START + dt.timedelta(days=rng.randrange(MONTHS * 30))
        for _ in range(3):
            sub_id += 1
            interval = "year" if rng.random() < 0.25 else "month"
            length = rng.choice((None, None, 1, 3, 6, 12, 24))
            months = 12 if interval == "year" else 1
            end = (
                None
                if length is None
                else day + dt.timedelta(days=30 * length * months)
            )
            subs.append(
                {
                    "id": sub_id,
                    "external_id": f"s{sub_id}",
                    "account_id": account_id,
                    "currency": "USD",
                    "interval": interval,
                    "interval_count": 1,
                    "start_date": day,
                    "end_date": end,
                }
            )
            items.append(
                {
                    "subscription_id": sub_id,
                    "unit_amount_minor": rng.choice(PRICES[interval]),
                    "quantity": rng.randint(1, 5),
                }
            )
            # The next subscription follows this one (upgrade, downgrade or return).
            day = (end or day) + dt.timedelta(days=rng.choice((0, 0, 0, 45, 120)))
    with transaction(factory) as session:
        for table, rows in ((Account, accounts), (Subscription, subs)):
            for i in range(0, len(rows), 50_000):
                session.execute(insert(table), rows[i : i + 50_000])
        for i in range(0, len(items), 50_000):
            session.execute(insert(SubscriptionItem), items[i : i + 50_000])
    with engine.begin() as connection:
        # A live database has planner statistics; a freshly filled one needs them.
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return sub_id


def run_rebuild(url: str) -> dict[str, float]:
    """Run one full rebuild in this process and return its figures."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with transaction(factory) as session:
        as_of = START + dt.timedelta(days=MONTHS * 30)
        stats = service.rebuild(session, as_of=as_of)
    total = time.perf_counter() - started
    engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": total,
        "load": stats.load_seconds,
        "compute": stats.compute_seconds,
        "store": stats.store_seconds,
        "commit": total - stats.load_seconds - stats.compute_seconds
        - stats.store_seconds,
        "peak_mb": peak_mb,
        "customers": stats.customers,
        "movements": stats.movements,
    }  # fmt: skip


def run_recompute(url: str, samples: int, seed: int) -> dict[str, float]:
    """Change one customer at a time and recompute it; return latency percentiles."""
    rng = random.Random(seed)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    timings = []
    as_of = START + dt.timedelta(days=MONTHS * 30)
    with transaction(factory) as session:
        count = session.scalar(select(Account.id).order_by(Account.id.desc()).limit(1))
        for _ in range(samples):
            account = rng.randint(1, count or 1)
            sub = session.scalar(
                select(Subscription).where(Subscription.account_id == account).limit(1)
            )
            if sub is None:
                continue
            sub.end_date = sub.start_date + dt.timedelta(days=rng.randrange(30, 900))
            session.flush()
            started = time.perf_counter()
            service.recompute(session, [account], as_of=as_of)
            session.flush()
            timings.append((time.perf_counter() - started) * 1000)
        session.execute(delete(Subscription).where(Subscription.id < 0))
    engine.dispose()
    timings.sort()
    return {
        "p50_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "samples": len(timings),
    }


def main() -> None:
    """Build the data set, then measure each figure in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--child", choices=("rebuild", "recompute"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child == "rebuild":
        print(json.dumps(run_rebuild(args.url)))
        return
    if args.child == "recompute":
        print(json.dumps(run_recompute(args.url, args.samples, args.seed)))
        return

    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        upgrade(url)
        started = time.perf_counter()
        subs = populate(url, args.customers, args.seed)
        print(
            f"data: {args.customers:,} customers, {subs:,} subscriptions over "
            f"{MONTHS} months ({time.perf_counter() - started:.1f}s to create)"
        )

        def child(kind: str) -> dict[str, float]:
            out = subprocess.run(
                [sys.executable, __file__, "--child", kind, "--url", url,
                 "--samples", str(args.samples), "--seed", str(args.seed)],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            return json.loads(out.stdout.strip().splitlines()[-1])

        full = child("rebuild")
        print(
            f"full rebuild: {full['seconds']:.2f}s (load {full['load']:.2f}s, "
            f"compute {full['compute']:.2f}s, store {full['store']:.2f}s, "
            f"commit {full['commit']:.2f}s), peak RSS {full['peak_mb']:.0f} MB, "
            f"{int(full['movements']):,} movements"
        )
        one = child("recompute")
        print(
            f"recompute one customer: p50 {one['p50_ms']:.1f} ms, "
            f"p95 {one['p95_ms']:.1f} ms over {int(one['samples'])} customers"
        )


if __name__ == "__main__":
    main()
