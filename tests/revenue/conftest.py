"""Drive the ``tenure`` command line in-process against the test database."""

from __future__ import annotations

import csv
import io
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tenure.cli.main import app


@dataclass
class Tenure:
    """Runs ``tenure`` commands on one database and reads their CSV output."""

    tmp: Path
    runner: CliRunner

    def run(self, *args: str) -> Result:
        """Run a command and return its result, whatever the exit code."""
        return self.runner.invoke(app, list(args), catch_exceptions=False)

    def __call__(self, *args: str) -> str:
        """Run a command that must succeed and return its standard output."""
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    def load(self, kind: str, text: str, name: str | None = None) -> str:
        """Write ``text`` to a CSV file and import it as ``kind``."""
        path = self.tmp / (name or f"{kind}.csv")
        path.write_text(textwrap.dedent(text).strip() + "\n", encoding="utf-8")
        return self("import", kind, str(path))

    def report(self, name: str, *args: str) -> list[dict[str, str]]:
        """Run ``tenure report NAME ARGS --format csv`` and parse its rows."""
        out = self("report", name, *args, "--format", "csv")
        return list(csv.DictReader(io.StringIO(out)))

    def months(self, start: str, end: str, *args: str) -> dict[str, dict[str, Any]]:
        """Return the monthly MRR report keyed by month (YYYY-MM)."""
        rows = self.report("mrr", "--start", start, "--end", end, *args)
        return {row["period"][:7]: row for row in rows}


@pytest.fixture
def tenure(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Tenure]:
    """A ``tenure`` command line bound to the test's database, reporting in USD."""
    monkeypatch.setenv("TENURE_DATABASE_URL", db_url)
    for key in ("REPORTING_CURRENCY", "TIMEZONE", "CONTRACT_GRACE_DAYS"):
        monkeypatch.delenv(f"TENURE_{key}", raising=False)
    yield Tenure(tmp_path, CliRunner())
