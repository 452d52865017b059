"""Bulk statements: chunked look-ups, multi-row inserts and updates by id."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Table, bindparam, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

log = logging.getLogger(__name__)

# Bound parameters per statement stay well below SQLite's and PostgreSQL's limits.
CHUNK = 900

T = TypeVar("T")


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def rows_where_in(
    session: Session,
    columns: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    key: ColumnElement[Any] | InstrumentedAttribute[Any],
    values: Collection[Any],
) -> list[Any]:
    """Select ``columns`` of the rows whose ``key`` is in ``values``, in chunks."""
    found: list[Any] = []
    with planned_per_query(session):
        for batch in chunked(sorted(set(values))):
            statement = select(*columns).where(key.in_(batch))
            found.extend(session.execute(statement).all())
    return found


def table_of(model: type[Any]) -> Table:
    """Return the table of a mapped class."""
    return cast(Table, model.__table__)


def insert_many(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) with plain multi-row statements."""
    statement = table_of(model).insert()
    for batch in chunked(rows, 10_000):
        session.execute(statement, batch)


def insert_returning_ids(
    session: Session, model: type[Any], rows: list[dict[str, Any]], key: str = ""
) -> dict[Any, int]:
    """Insert ``rows``; return the new ids by ``key`` (default ``external_id``)."""
    table = table_of(model)
    column = table.c[key or "external_id"]
    if session.get_bind().dialect.name != "sqlite":
        # On PostgreSQL a pipelined executemany plus one look-up is about twice as
        # fast as INSERT .. RETURNING; on SQLite it is the other way round.
        insert_many(session, model, rows)
        keys = [row[column.name] for row in rows]
        return dict(rows_where_in(session, (column, table.c.id), column, keys))
    statement = table.insert().returning(column, table.c.id)
    ids: dict[Any, int] = {}
    for batch in chunked(rows, 5_000):
        ids.update(session.execute(statement, batch).all())
    return ids


def update_many(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Update rows by primary key; each dict has ``id`` and the columns to set."""
    if not rows:
        return
    table = table_of(model)
    keys = [key for key in rows[0] if key != "id"]
    statement = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values({key: bindparam(key) for key in keys})
    )
    params = [{"row_id": row["id"], **{key: row[key] for key in keys}} for row in rows]
    for batch in chunked(params, 10_000):
        session.execute(statement, batch)


@contextmanager
def planned_per_query(session: Session) -> Iterator[None]:
    """Make psycopg send look-ups unprepared, so each is planned for its values.

    A chunked look-up repeats one statement text many times, so psycopg would prepare
    it, and PostgreSQL may then keep a generic plan made while the table was empty:
    a full scan per chunk once an import has filled the table.
    """
    driver: Any = session.connection().connection.driver_connection
    if not hasattr(driver, "prepare_threshold"):
        yield
        return
    previous = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = previous


def refresh_statistics(session: Session, models: Iterable[type[Any]]) -> None:
    """Let PostgreSQL's planner see the rows a bulk import just wrote.

    Until autovacuum catches up, the planner would take freshly filled tables for
    empty ones, both for the next import and the revenue rebuild that follows.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        session.execute(text(f"ANALYZE {table_of(model).name}"))
