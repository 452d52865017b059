"""Exports of the customer list: CSV for Excel (UTF-8 with BOM) and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tenure.accounts.export import EXPORT_COLUMNS, to_csv, to_xlsx
from tenure.accounts.service import (
    AccountQuery,
    QueryError,
    export_accounts,
    iter_accounts,
)

from .conftest import Company

QUERY = AccountQuery(status="active", sort="mrr", descending=True)


def csv_rows(data: bytes) -> list[list[str]]:
    """Parse CSV bytes that must start with a UTF-8 BOM."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_text(row: dict[str, Any], column: str) -> str:
    """How a list value is written to CSV."""
    value = row[column]
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def test_csv_has_bom_header_and_the_filtered_rows(session: Session) -> None:
    data = export_accounts(session, QUERY, None, "csv")
    header, *body = csv_rows(data)
    assert header == list(EXPORT_COLUMNS)
    expected = iter_accounts(session, QUERY, None)
    assert [row[0] for row in body] == ["A2", "A1", "A3", "A6"]
    assert body == [
        [as_text(row, column) for column in EXPORT_COLUMNS] for row in expected
    ]
    a2 = dict(zip(header, body[0], strict=True))
    assert a2["name"] == "北京云科技有限公司"
    assert a2["tags"] == "重点客户; vip"
    assert (a2["mrr"], a2["arr"], a2["currency"]) == ("700.00", "8400.00", "USD")


def test_csv_opens_as_excel_would(session: Session) -> None:
    data = export_accounts(session, AccountQuery(search="北京"), None, "csv")
    text = data.decode("utf-8")
    assert text.startswith("\ufeffaccount_id,name,")
    assert "北京云科技有限公司" in text
    assert text.endswith("\r\n")


def test_csv_respects_scope(session: Session, company: Company) -> None:
    _header, *body = csv_rows(
        export_accounts(session, AccountQuery(), company.team, "csv")
    )
    assert [row[0] for row in body] == ["A1", "A3", "A4", "A2"]
    assert not any("Gamma" in cell for row in body for cell in row)
    _header, *none = csv_rows(
        export_accounts(session, AccountQuery(), frozenset(), "csv")
    )
    assert none == []


def test_xlsx_has_a_header_and_the_same_rows(
    session: Session, company: Company
) -> None:
    data = export_accounts(session, QUERY, company.team, "xlsx")
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        sheet = workbook.active
        assert sheet is not None
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    header, *body = values
    assert tuple(header) == EXPORT_COLUMNS
    expected = iter_accounts(session, QUERY, company.team)
    assert [row[0] for row in body] == ["A2", "A1", "A3"]
    for written, row in zip(body, expected, strict=True):
        cells = dict(zip(EXPORT_COLUMNS, written, strict=True))
        assert isinstance(cells["mrr"], int | float)
        assert Decimal(str(cells["mrr"])) == row["mrr"]
        assert Decimal(str(cells["arr"])) == row["arr"]
        assert cells["customer_since"].date() == row["customer_since"]
        assert cells["tags"] == ("; ".join(row["tags"]) or None)
        for column in ("account_id", "name", "owner", "plan", "status", "currency"):
            assert cells[column] == row[column]


def test_unknown_format_is_a_query_error(session: Session) -> None:
    with pytest.raises(QueryError, match="export format 'pdf' is unknown"):
        export_accounts(session, AccountQuery(), None, "pdf")


def test_query_errors_apply_to_exports(session: Session) -> None:
    with pytest.raises(QueryError, match="sort field 'x'"):
        export_accounts(session, AccountQuery(sort="x"), None, "csv")


def test_formatting_without_a_database() -> None:
    rows = [
        {
            "account_id": "J1",
            "name": 'Quote "and", comma',
            "tags": [],
            "mrr": Decimal("1000"),
            "arr": Decimal("12000"),
            "currency": "JPY",
            "customer_since": None,
        }
    ]
    header, body = csv_rows(to_csv(rows, ("account_id", "name", "tags", "mrr")))
    assert header == ["account_id", "name", "tags", "mrr"]
    assert body == ["J1", 'Quote "and", comma', "", "1000"]
    workbook = load_workbook(io.BytesIO(to_xlsx(rows)))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["K2"].value == 1000
    assert sheet["K2"].number_format == "#,##0"
    assert sheet["L2"].value == 12000
    assert sheet["O2"].value is None
    workbook.close()
