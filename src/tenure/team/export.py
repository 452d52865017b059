"""Team rows as CSV: pure formatting, rows in, text out.

Nested counts (accounts by type/size and tier, health bands) are left out; the
JSON has them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from typing import Any

log = logging.getLogger(__name__)

FIGURE_COLUMNS = (
    "opening_mrr", "new", "expansion", "reactivation", "contraction", "churn",
    "fx_impact", "transfers_in", "transfers_out", "mrr", "net_new_mrr",
    "opening_customers", "customers", "new_customers", "churned_customers",
    "lost_customers", "nrr", "grr", "logo_churn_rate", "due_count",
    "renewed_count", "churned_count", "open_count", "due_amount", "renewed_amount",
    "forecast_amount", "rate_by_count", "gross_rate_by_amount", "net_rate_by_amount",
    "tasks_completed", "tasks_overdue", "accounts",
)  # fmt: skip
PERSON_COLUMNS = ("owner_id", "name", "email", "team", *FIGURE_COLUMNS)
COMPARISON_COLUMNS = ("team_id", "team", "people", *FIGURE_COLUMNS)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_text(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """A header line of ``columns`` and one line per row; empty cells for none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()
