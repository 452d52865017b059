"""Fixtures for the import tests: a migrated-by-metadata SQLite database per test."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.db.models import Base
from tenure.db.session import make_engine, make_session_factory

log = logging.getLogger(__name__)


@pytest.fixture
def import_factory(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """Yield a session factory over a fresh SQLite file database with every table."""
    engine = make_engine(f"sqlite:///{(tmp_path / 'imports.sqlite').as_posix()}")
    Base.metadata.create_all(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def import_session(import_factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield one session over the import test database, rolled back at the end."""
    with import_factory() as session:
        yield session
        session.rollback()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Return a helper that writes CSV text (dedented) to a file under tmp_path."""

    def write(text: str, name: str = "data.csv", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
        return path

    return write
