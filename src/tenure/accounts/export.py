"""Customer-list rows as CSV (UTF-8 with a BOM, for Excel) or XLSX files.

Pure formatting: rows in, bytes out. Money stays exact: plain decimal text in CSV,
numbers in XLSX; dates are ISO text in CSV and date cells in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from tenure.money import exponent

log = logging.getLogger(__name__)

# The list-row fields written to a file, in column order (the header row).
EXPORT_COLUMNS = (
    "account_id",
    "name",
    "industry",
    "region",
    "size",
    "tier",
    "tags",
    "owner",
    "owner_name",
    "plan",
    "mrr",
    "arr",
    "currency",
    "status",
    "customer_since",
)
MONEY_COLUMNS = frozenset({"mrr", "arr"})
TAG_SEPARATOR = "; "
BOM = "\ufeff"


def _text(value: Any) -> str:
    """Render one value as CSV text: empty for None, tags joined, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return TAG_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def to_csv(
    rows: Iterable[dict[str, Any]], columns: Sequence[str] = EXPORT_COLUMNS
) -> bytes:
    """Return ``rows`` as UTF-8 CSV with a BOM and a header row."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(row.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def _cell_value(value: Any) -> Any:
    """Return a value openpyxl stores as it should appear in a spreadsheet."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return TAG_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, Decimal | int | float | dt.date | str):
        return value
    return str(value)


def _money_format(currency: str | None) -> str:
    """Return a number format showing the currency's decimals with thousands marks."""
    places = exponent(currency) if currency else 2
    return "#,##0." + "0" * places if places else "#,##0"


def to_xlsx(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str] = EXPORT_COLUMNS,
    title: str = "accounts",
) -> bytes:
    """Return ``rows`` as an XLSX workbook with a bold header row; money as numbers."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for column in columns:
            value = _cell_value(row.get(column))
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif column in MONEY_COLUMNS and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = _money_format(row.get("currency"))
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
