"""Benchmark imports: 300,000 subscription rows into a fresh SQLite database.

Prints the time to create them and the time to re-import the same file (every row
unchanged), each in one transaction as ``tenure import subscriptions`` does.

Run: ``.venv/bin/python bench/imports.py [--rows N] [--url URL]``
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from tenure.db.migrate import upgrade
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.imports import import_file

HEADER = (
    "subscription_id", "customer_id", "start_date", "end_date", "amount", "currency",
    "plan", "quantity",
)  # fmt: skip


def write_rows(path: Path, count: int, seed: int) -> None:
    """Write ``count`` generated subscription rows, three per customer."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(count):
            year, month = rng.randint(2018, 2024), rng.randint(1, 12)
            end = f"{year + 1}-{month:02d}-01" if rng.random() < 0.4 else ""
            cents = rng.randint(100, 500_000)
            writer.writerow(
                (
                    f"sub_{index}", f"cus_{index // 3}", f"{year}-{month:02d}-01",
                    end, f"{cents // 100}.{cents % 100:02d}", "USD",
                    f"plan_{rng.randint(1, 25)}", rng.randint(1, 20),
                )
            )  # fmt: skip


def main() -> None:
    """Import the generated file twice and print both timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        upgrade(url)
        path = Path(folder) / "subscriptions.csv"
        write_rows(path, args.rows, seed=7)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        for label in ("created", "re-checked (unchanged)"):
            started = time.perf_counter()
            with transaction(factory) as session:
                import_file(session, "subscriptions", path, default_currency="USD")
            seconds = time.perf_counter() - started
            print(f"{args.rows:,} subscription rows {label}: {seconds:.1f}s")
        engine.dispose()


if __name__ == "__main__":
    main()
