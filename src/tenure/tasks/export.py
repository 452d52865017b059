"""Task-list rows as CSV lines: pure formatting, rows in, text out."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

# The export's columns: assignee is an email, due YYYY-MM-DD, rule a rule id.
CSV_HEADER = ("id", "account_id", "type", "status", "assignee", "due", "source", "rule")


def csv_line(row: dict[str, Any]) -> list[str]:
    """One task-list row as the CSV_HEADER's cells; empty cells for no value."""
    due = row["due"]
    return [
        str(row["id"]),
        row["account_id"],
        row["type"],
        row["status"],
        row["assignee"] or "",
        due.isoformat() if due is not None else "",
        row["source"],
        "" if row["rule"] is None else str(row["rule"]),
    ]


def csv_text(lines: Iterable[list[str]]) -> str:
    """CSV lines as text, one line per task, ending in a newline."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(lines)
    return buffer.getvalue()
