"""Fast bulk writes and reads for the revenue engine's large fact tables.

The ORM and Core's per-row type processing cost more than the engine itself on a
full rebuild of a large company, so these helpers talk to the driver directly:
``COPY`` on PostgreSQL, ``executemany`` on SQLite. Values are converted the way the
SQLAlchemy column types would store them (dates as ISO text on SQLite).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_BATCH = 50_000


# Dates and timestamps go to SQLite as text, exactly as SQLAlchemy stores them.
# Registering the adapter once lets ``executemany`` take tuples as they are (the
# sqlite3 module's own date adapter is deprecated).
sqlite3.register_adapter(dt.date, dt.date.isoformat)


def _sqlite_timestamp(value: dt.datetime) -> str:
    """Store a timestamp as SQLAlchemy's DateTime does on SQLite: naive UTC text."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


sqlite3.register_adapter(dt.datetime, _sqlite_timestamp)


def insert_rows(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; count them."""
    connection = session.connection()
    names = ", ".join(columns)
    count = 0
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    finally:
        cursor.close()
    return count


def as_date(value: Any) -> dt.date | None:
    """Return a date read from the driver (SQLite hands back ISO text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def as_decimal(value: Any) -> Decimal | None:
    """Return a decimal read from the driver (SQLite may hand back floats or text)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def fetch(session: Session, sql: str) -> list[Any]:
    """Run a plain SELECT through the driver and return its rows as tuples."""
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()
