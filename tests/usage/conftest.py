"""Fixtures of the usage tests: a command line with an event store of its own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.revenue.conftest import Tenure


@pytest.fixture
def cli(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Tenure]:
    """``tenure`` on the test's database with an event store of the test's own."""
    monkeypatch.setenv("TENURE_DATABASE_URL", db_url)
    monkeypatch.setenv("TENURE_EVENTS_PATH", str(tmp_path / "events.duckdb"))
    monkeypatch.setenv("TENURE_TIMEZONE", "Asia/Shanghai")
    yield Tenure(tmp_path, CliRunner())


def write_lines(path: Path, messages: list[dict[str, Any]]) -> Path:
    """Write ``messages`` as a JSON-lines file."""
    path.write_text("".join(json.dumps(m) + "\n" for m in messages), encoding="utf-8")
    return path
