"""Fixtures for the import tests: the suite's migrated databases, both backends."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


@pytest.fixture
def import_factory(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The suite's session factory (SQLite and PostgreSQL), emptied after each test."""
    return factory


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
