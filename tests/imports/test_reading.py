"""Tests of reading CSV and XLSX files into text tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from tenure.imports import ImportFailed, read_table

WriteCsv = Callable[..., Path]


def test_csv_values_are_stripped_strings(write_csv: WriteCsv) -> None:
    path = write_csv(
        """
        account_id , name ,tier
         a1 ,  Acme  ,gold
        a2,"Beta, Inc.",
        """
    )
    header, rows = read_table(path)
    assert header == ["account_id", "name", "tier"]
    assert rows == [
        {"account_id": "a1", "name": "Acme", "tier": "gold"},
        {"account_id": "a2", "name": "Beta, Inc.", "tier": ""},
    ]


def test_csv_with_bom_reads_the_first_column_name(write_csv: WriteCsv) -> None:
    path = write_csv("account_id,name\na1,Acme\n", encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    header, rows = read_table(path)
    assert header == ["account_id", "name"]
    assert rows == [{"account_id": "a1", "name": "Acme"}]


def test_csv_keeps_blank_lines_so_row_numbers_match(write_csv: WriteCsv) -> None:
    path = write_csv("account_id,name\na1,Acme\n\na3,Gamma\n")
    _, rows = read_table(path)
    assert [row["account_id"] for row in rows] == ["a1", "", "a3"]


def test_short_rows_are_padded(write_csv: WriteCsv) -> None:
    _, rows = read_table(write_csv("a,b,c\n1\n"))
    assert rows == [{"a": "1", "b": "", "c": ""}]


def test_semicolon_separated_csv_is_recognised(write_csv: WriteCsv) -> None:
    header, rows = read_table(write_csv("account_id;name\na1;Acme\n"))
    assert header == ["account_id", "name"]
    assert rows == [{"account_id": "a1", "name": "Acme"}]


def test_value_without_header_is_a_problem(write_csv: WriteCsv) -> None:
    path = write_csv("account_id,name\na1,Acme,extra\na2,Beta\n")
    with pytest.raises(ImportFailed) as caught:
        read_table(path)
    assert [str(problem) for problem in caught.value.problems] == [
        "data.csv:2:column 3: value in a column without a header (value 'extra')"
    ]


def test_non_utf8_csv_names_the_line(write_csv: WriteCsv) -> None:
    path = write_csv("account_id,name\na1,Acme\na2,Café\n", encoding="latin-1")
    with pytest.raises(ImportFailed) as caught:
        read_table(path)
    (problem,) = caught.value.problems
    assert problem.row == 3
    assert "not UTF-8" in problem.reason


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "accounts.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ImportFailed) as caught:
        read_table(path)
    assert "unsupported file type" in caught.value.problems[0].reason


def test_broken_xlsx_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_text("not a zip file")
    with pytest.raises(ImportFailed) as caught:
        read_table(path)
    assert "cannot read the workbook" in caught.value.problems[0].reason


def save_workbook(path: Path, rows: list[list[object]]) -> Path:
    """Write ``rows`` into the first sheet of a new workbook at ``path``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("ignored").append(["not", "read"])
    workbook.save(path)
    workbook.close()
    return path


def test_xlsx_cells_render_as_text(tmp_path: Path) -> None:
    path = save_workbook(
        tmp_path / "subs.xlsx",
        [
            ["subscription_id", "start_date", "amount", "quantity", "when", "ok"],
            [1001, dt.date(2024, 1, 31), 19.99, 3, dt.datetime(2024, 2, 1), True],
            ["s-2", dt.datetime(2024, 3, 1, 12, 30), 1e-7, 2.0, None, False],
            [" s-3 ", "2024-04-01", Decimal("10.50"), 0.1 + 0.2, None, None],
        ],
    )
    header, rows = read_table(path)
    assert header == [
        "subscription_id",
        "start_date",
        "amount",
        "quantity",
        "when",
        "ok",
    ]
    assert rows == [
        {
            "subscription_id": "1001",
            "start_date": "2024-01-31",
            "amount": "19.99",
            "quantity": "3",
            "when": "2024-02-01",
            "ok": "true",
        },
        {
            "subscription_id": "s-2",
            "start_date": "2024-03-01 12:30:00",
            "amount": "0.0000001",
            "quantity": "2",
            "when": "",
            "ok": "false",
        },
        {
            "subscription_id": "s-3",
            "start_date": "2024-04-01",
            "amount": "10.5",
            "quantity": "0.3",
            "when": "",
            "ok": "",
        },
    ]


def test_xlsx_percent_cells_keep_their_percent_sign(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["discount_percent"])
    sheet.append([0.125])
    sheet["A2"].number_format = "0.0%"
    path = tmp_path / "percent.xlsx"
    workbook.save(path)
    workbook.close()
    _, rows = read_table(path)
    assert rows == [{"discount_percent": "12.5%"}]


def test_xlsx_blank_rows_keep_row_numbers_and_trailing_ones_go(
    tmp_path: Path,
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"], sheet["B1"] = "account_id", "name"
    sheet["A2"], sheet["B2"] = "a1", "Acme"
    sheet["A4"], sheet["B4"] = "a3", "Gamma"
    sheet["A9"].number_format = "0.00"  # a formatted but empty cell
    path = tmp_path / "gaps.xlsx"
    workbook.save(path)
    workbook.close()
    _, rows = read_table(path)
    assert [row["account_id"] for row in rows] == ["a1", "", "a3"]


def test_empty_files(write_csv: WriteCsv, tmp_path: Path) -> None:
    assert read_table(write_csv("")) == ([], [])
    workbook = Workbook()
    path = tmp_path / "empty.xlsx"
    workbook.save(path)
    workbook.close()
    assert read_table(path) == ([], [])
