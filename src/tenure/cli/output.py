"""Render report rows as an aligned table, CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from tenure.values import json_default


class Format(StrEnum):
    """Output formats of reports."""

    table = "table"
    csv = "csv"
    json = "json"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def render(rows: Sequence[dict[str, Any]], fmt: Format, columns: Sequence[str]) -> str:
    """Return ``rows`` rendered in ``fmt`` with ``columns`` in order."""
    if fmt is Format.json:
        return json.dumps(
            [{c: row.get(c) for c in columns} for row in rows],
            default=json_default,
            ensure_ascii=False,
            indent=2,
        )
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_text(row.get(c)) for c in columns])
        return buffer.getvalue().rstrip("\n")
    cells = [[_text(row.get(c)) for c in columns] for row in rows]
    widths = [
        max([len(c), *(len(line[i]) for line in cells)]) for i, c in enumerate(columns)
    ]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for line in cells:
        lines.append(
            "  ".join(
                value.rjust(w) if _numeric(value) else value.ljust(w)
                for value, w in zip(line, widths, strict=True)
            )
        )
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("-").replace(".", "", 1).isdigit()
