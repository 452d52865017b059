"""The web process's database: one engine, one transaction per request or event."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tenure.db import migrate
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.usage.store import EventStore, StoreBusy

log = logging.getLogger(__name__)

_engine: Engine | None = None
_factory: sessionmaker[Session] | None = None
_store: EventStore | None = None


def configure(url: str) -> None:
    """Open the database at ``url`` for the web app, migrating it if it is behind."""
    global _engine, _factory
    if migrate.current(url) != migrate.head():
        log.info("migrating the database to the newest schema")
        migrate.upgrade(url)
    dispose()
    _engine = make_engine(url)
    _factory = make_session_factory(_engine)


def dispose() -> None:
    """Close every pooled connection (at shutdown, or before reconfiguring)."""
    global _engine, _factory
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _factory = None


def factory() -> sessionmaker[Session]:
    """Return the session factory, failing clearly if the app was not configured."""
    if _factory is None:
        raise RuntimeError("the web app's database is not configured")
    return _factory


@contextmanager
def db() -> Iterator[Session]:
    """Yield a session whose work is committed together or rolled back together."""
    with transaction(factory()) as session:
        yield session


def open_event_store(path: Path) -> EventStore | None:
    """Take ownership of the event store; None if another process owns it."""
    global _store
    close_event_store()
    try:
        _store = EventStore.open(path)
    except StoreBusy as exc:
        log.error("usage events are not accepted by this process: %s", exc)
        _store = None
    return _store


def event_store() -> EventStore | None:
    """The event store this process owns, if it owns it."""
    return _store


def close_event_store() -> None:
    """Store what was accepted and release the event store."""
    global _store
    if _store is not None:
        _store.close()
    _store = None
