"""Open the configured database for a command, migrating it to the latest schema."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from tenure.db import migrate
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.settings.service import database_url

log = logging.getLogger(__name__)


def ensure_schema(url: str) -> None:
    """Upgrade the database at ``url`` to the newest migration if it is behind."""
    if migrate.current(url) != migrate.head():
        migrate.upgrade(url)


@contextmanager
def database() -> Iterator[Session]:
    """Yield a session on the configured database inside one transaction."""
    url = database_url()
    try:
        ensure_schema(url)
    except Exception as exc:
        typer.secho(f"cannot open database {url}: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    engine = make_engine(url)
    try:
        with transaction(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to standard error and return the exit to raise."""
    typer.secho(message, fg="red", err=True)
    return typer.Exit(code)
