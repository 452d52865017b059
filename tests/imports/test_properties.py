"""Property tests: amounts survive spreadsheets and CSV exactly, in minor units."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from tenure.imports import read_table
from tenure.imports.cells import Row, parse_date
from tenure.imports.results import Problem
from tenure.money import to_minor

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_xlsx_numbers_read_back_as_the_decimals_typed(values: list[Decimal]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["amount"])
    for value in values:
        sheet.append([float(value)])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "amounts.xlsx"
        workbook.save(path)
        workbook.close()
        _, rows = read_table(path)
    assert [Decimal(row["amount"]) for row in rows] == values


@given(amounts, st.sampled_from(["USD", "EUR", "KWD", "CLF"]))
def test_money_cells_match_to_minor(value: Decimal, currency: str) -> None:
    problems: list[Problem] = []
    row = Row("x.csv", 2, {"amount": str(value)}, problems)
    assert row.money("amount", currency) == to_minor(value, currency)
    assert problems == []


@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_dates_round_trip(value: dt.date) -> None:
    assert parse_date(value.isoformat()) == value
