"""The README documents every setting, command and report column users rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenure.cli.main import app
from tenure.cli.reports import (
    COHORT_COLUMNS,
    MOVEMENT_COLUMNS,
    MRR_COLUMNS,
    RENEWAL_COLUMNS,
    RETENTION_COLUMNS,
)
from tenure.settings.service import SPECS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(SPECS))
def test_every_setting_is_documented(key: str) -> None:
    assert f"`{key}`" in README


def _commands() -> list[str]:
    names = [
        c.name or (c.callback.__name__ if c.callback else "")
        for c in app.registered_commands
    ]
    groups = [f"{g.name}" for g in app.registered_groups]
    return [name.rstrip("_") for name in names + groups]


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented(command: str) -> None:
    assert f"tenure {command}" in README


@pytest.mark.parametrize(
    "columns",
    [MRR_COLUMNS, RENEWAL_COLUMNS, RETENTION_COLUMNS, COHORT_COLUMNS, MOVEMENT_COLUMNS],
    ids=["mrr", "renewals", "retention", "cohorts", "movements"],
)
def test_every_report_column_is_documented(columns: tuple[str, ...]) -> None:
    assert [c for c in columns if c not in README] == []


def test_readme_starts_with_the_two_commands() -> None:
    head = README[:600]
    assert "make demo" in head
    assert "make test" in head
