"""Import FX rates: upsert by (date, base, quote)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from tenure.fx.models import FxRate
from tenure.imports.bulk import insert_many, rows_where_in, update_many
from tenure.imports.cells import Row
from tenure.imports.columns import Columns
from tenure.imports.results import ImportResult

log = logging.getLogger(__name__)

COLUMNS = Columns(required=("date", "base", "quote", "rate"))
# fx_rate.rate is NUMERIC(24, 12).
_MAX_RATE = Decimal("1e12") - Decimal("1e-12")

Key = tuple[dt.date, str, str]


@dataclass(frozen=True)
class RateRecord:
    """One validated rate: one ``base`` is worth ``rate`` ``quote`` from ``date`` on."""

    key: Key
    rate: Decimal


def parse(rows: Iterable[Row]) -> list[RateRecord]:
    """Validate every rate row; problems are recorded on the rows."""
    seen: dict[Key, int] = {}
    records: list[RateRecord] = []
    for row in rows:
        date = row.date("date", required=True)
        base = row.currency("base")
        quote = row.currency("quote")
        rate = row.decimal(
            "rate", positive=True, high=_MAX_RATE, max_places=12, required=True
        )
        if base is not None and base == quote:
            row.problem("quote", "must differ from base")
            continue
        if date is None or base is None or quote is None or rate is None:
            continue
        key = (date, base, quote)
        if key in seen:
            row.problem("date", f"the same date, base and quote are on row {seen[key]}")
            continue
        seen[key] = row.number
        records.append(RateRecord(key, rate))
    return records


def apply(session: Session, records: list[RateRecord]) -> ImportResult:
    """Create or update the rates; ``fx_changed`` tells whether any rate changed."""
    result = ImportResult("fx-rates")
    existing: dict[Key, tuple[int, Decimal]] = {}
    found = rows_where_in(
        session,
        (FxRate.id, FxRate.rate_date, FxRate.base, FxRate.quote, FxRate.rate),
        FxRate.rate_date,
        {record.key[0] for record in records},
    )
    for row in found:
        existing[(row.rate_date, row.base, row.quote)] = (row.id, row.rate)
    inserts = []
    updates = []
    for record in records:
        old = existing.get(record.key)
        if old is None:
            result.created += 1
            date, base, quote = record.key
            inserts.append(
                {"rate_date": date, "base": base, "quote": quote, "rate": record.rate}
            )
        elif old[1] == record.rate:
            result.unchanged += 1
        else:
            result.updated += 1
            updates.append({"id": old[0], "rate": record.rate})
    insert_many(session, FxRate, inserts)
    update_many(session, FxRate, updates)
    result.fx_changed = bool(inserts or updates)
    return result
