"""Imports larger than one look-up chunk; bench/imports.py times 300,000 rows."""

from __future__ import annotations

import csv
import logging
import random
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.billing.models import SubscriptionItem
from tenure.imports import import_file

log = logging.getLogger(__name__)

HEADER = [
    "subscription_id",
    "customer_id",
    "start_date",
    "end_date",
    "amount",
    "currency",
    "plan",
    "quantity",
]


def write_subscriptions(
    path: Path, count: int, *, seed: int = 7, bump: int = 0
) -> Path:
    """Write ``count`` generated subscription rows; every ``bump``-th row costs more."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(count):
            year, month = rng.randint(2018, 2024), rng.randint(1, 12)
            end = f"{year + 1}-{month:02d}-01" if rng.random() < 0.4 else ""
            cents = rng.randint(100, 500_000)
            if bump and index % bump == 0:
                cents += 1
            writer.writerow(
                [
                    f"sub_{index}",
                    f"cus_{index // 3}",
                    f"{year}-{month:02d}-01",
                    end,
                    f"{cents // 100}.{cents % 100:02d}",
                    rng.choice(("USD", "EUR", "GBP")),
                    f"plan_{rng.randint(1, 25)}",
                    rng.randint(1, 20),
                ]
            )
    return path


def test_upserts_across_lookup_chunks(
    import_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    path = write_subscriptions(tmp_path / "subs.csv", 4_000)
    with import_factory() as session:
        first = import_file(session, "subscriptions", path, default_currency="USD")
        session.commit()
    assert (first.created, first.updated, first.unchanged) == (4_000, 0, 0)
    assert len(first.account_ids) == 1_334
    changed = write_subscriptions(tmp_path / "changed.csv", 4_000, bump=10)
    with import_factory() as session:
        second = import_file(session, "subscriptions", changed, default_currency="USD")
        session.commit()
    assert (second.created, second.updated, second.unchanged) == (0, 400, 3_600)
    with import_factory() as session:
        assert (
            session.scalar(select(func.count()).select_from(SubscriptionItem)) == 4_000
        )
