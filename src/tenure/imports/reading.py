"""Read a CSV or XLSX file into a header and rows of stripped text cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tenure.imports.results import ImportFailed, Problem

log = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")

Table = tuple[list[str], list[dict[str, str]]]


def read_table(path: Path) -> Table:
    """Return the header and the rows of a CSV (UTF-8) or XLSX (first sheet) file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        header, cells = _csv_cells(path)
    elif suffix in XLSX_SUFFIXES:
        header, cells = _xlsx_cells(path)
    else:
        raise ImportFailed(
            [
                Problem(
                    path.name,
                    1,
                    "",
                    path.suffix,
                    "unsupported file type; save the file as .csv (UTF-8) or .xlsx",
                )
            ]
        )
    return _to_table(path.name, header, cells)


def _csv_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4].hex(" ")
        raise ImportFailed(
            [
                Problem(
                    path.name,
                    line,
                    "",
                    bad,
                    "the file is not UTF-8 text; export it as 'CSV UTF-8'",
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if path.suffix.lower() == ".tsv" or ("\t" in first_line and "," not in first_line):
        delimiter = "\t"
    elif ";" in first_line and "," not in first_line:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    if not records:
        return [], []
    return records[0], records[1:]


def _xlsx_cells(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, OSError) as exc:
        problem = Problem(path.name, 1, "", "", f"cannot read the workbook: {exc}")
        raise ImportFailed([problem]) from None
    try:
        sheet = workbook.worksheets[0]
        # Declared dimensions are often wrong in generated files: read every cell.
        sheet.reset_dimensions()
        records = [
            [_cell_text(cell.value, cell.number_format) for cell in row]
            for row in sheet.iter_rows()
        ]
    finally:
        workbook.close()
    while records and not any(records[-1]):
        records.pop()
    if not records:
        return [], []
    return records[0], records[1:]


def _cell_text(value: Any, number_format: str | None) -> str:
    """Render one XLSX cell value the way the user sees it, as plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and number_format and "%" in number_format:
        return _cell_text(Decimal(format(value, ".15g")).scaleb(2), None) + "%"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Spreadsheets show 15 significant digits; binary noise beyond is not data.
        return _plain(Decimal(format(value, ".15g")))
    if isinstance(value, Decimal):
        return _plain(value)
    return str(value)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _to_table(name: str, header: list[str], cells: list[list[str]]) -> Table:
    """Pair every row with the header; cells under a blank header must be empty."""
    titles = [title.strip() for title in header]
    width = len(titles)
    simple = all(titles)
    problems: list[Problem] = []
    rows: list[dict[str, str]] = []
    for number, record in enumerate(cells, start=2):
        if simple and len(record) <= width:
            row = dict(zip(titles, map(str.strip, record), strict=False))
            for title in titles[len(record) :]:
                row.setdefault(title, "")
            rows.append(row)
            continue
        row = {title: "" for title in titles if title}
        for index, raw in enumerate(record):
            value = raw.strip()
            if not value:
                continue
            if index < width and titles[index]:
                row[titles[index]] = value
            else:
                problems.append(
                    Problem(
                        name,
                        number,
                        f"column {index + 1}",
                        value,
                        "value in a column without a header",
                    )
                )
        rows.append(row)
    if problems:
        raise ImportFailed(problems)
    return [title for title in titles if title], rows
