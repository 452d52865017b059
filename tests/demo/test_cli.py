"""``tenure demo --no-serve``: a company with usage and health, replaced when rerun."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from tests.revenue.conftest import Tenure
from tests.usage.conftest import cli

__all__ = ["cli"]

DEMO = ("demo", "--no-serve", "--accounts", "60", "--seed", "3")


def test_demo_loads_revenue_usage_and_health(cli: Tenure) -> None:
    out = cli(*DEMO)
    assert "demo company loaded: 60 accounts" in out
    assert "usage events" in out
    for role in ("admin", "executive", "manager", "csm", "viewer"):
        assert f"  {role}" in out
    rows = list(csv.DictReader(io.StringIO(cli("report", "health", "--format", "csv"))))
    assert rows and {row["band"] for row in rows} <= {
        "red",
        "yellow",
        "green",
        "insufficient",
    }
    runs = cli("jobs", "list", "--limit", "50")
    assert runs.count("health") == 13  # twelve weeks back and today
    assert "rollup" in runs
    again = cli(*DEMO)
    assert "demo company loaded: 60 accounts" in again


def test_demo_leaves_other_data_alone(cli: Tenure) -> None:
    cli.load("accounts", "account_id,name\nreal-1,A real customer\n")
    result = cli.run(*DEMO)
    assert result.exit_code == 2
    assert "add --reset" in result.stderr


HOLDER = """
import sys, time
from pathlib import Path
from tenure.usage.store import EventStore
store = EventStore.open(Path(sys.argv[1]))
print("holding", flush=True)
time.sleep(120)
"""


def test_demo_refuses_while_a_server_owns_the_event_store(cli: Tenure) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, os.environ["TENURE_EVENTS_PATH"]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        result = cli.run(*DEMO)
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert result.exit_code == 2
    assert "in use by another process" in result.stderr
    rows = cli.report("mrr", "--interval", "month")
    assert all(row["customers"] == "0" for row in rows)
