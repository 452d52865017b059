"""Fixtures for the auth tests: one session per test, settings from defaults."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

PASSWORD = "correct horse battery"
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
AUTH_SETTINGS = ("SESSION_IDLE_HOURS", "LOGIN_MAX_FAILURES", "LOGIN_LOCKOUT_MINUTES")


@pytest.fixture(autouse=True)
def _default_auth_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore any TENURE_<SETTING> for the auth settings in the environment."""
    for key in AUTH_SETTINGS:
        monkeypatch.delenv(f"TENURE_{key}", raising=False)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield one session on the test's backend; uncommitted work is rolled back."""
    with factory() as opened:
        yield opened
        opened.rollback()
