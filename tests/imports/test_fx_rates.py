"""Tests of the FX rates import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.fx.models import FxRate
from tenure.imports import ImportFailed, ImportResult, import_rows


def load(session: Session, rows: list[dict[str, str]]) -> ImportResult:
    """Import FX rate rows as if from rates.csv."""
    return import_rows(
        session, "fx-rates", rows, source="rates.csv", default_currency="USD"
    )


def test_rates_upsert_by_date_base_and_quote(import_session: Session) -> None:
    rows = [
        {"date": "2024-01-01", "base": "eur", "quote": "USD", "rate": "1.105"},
        {"date": "2024-01-01", "base": "GBP", "quote": "USD", "rate": "1.27"},
    ]
    result = load(import_session, rows)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.fx_changed
    assert result.account_ids == set()
    stored = import_session.execute(
        select(FxRate.rate_date, FxRate.base, FxRate.quote, FxRate.rate).order_by(
            FxRate.base
        )
    ).all()
    assert [tuple(row) for row in stored] == [
        (dt.date(2024, 1, 1), "EUR", "USD", Decimal("1.105")),
        (dt.date(2024, 1, 1), "GBP", "USD", Decimal("1.27")),
    ]
    same = load(import_session, [{**rows[0], "rate": "1.1050"}, rows[1]])
    assert (same.created, same.updated, same.unchanged) == (0, 0, 2)
    assert not same.fx_changed
    changed = load(import_session, [{**rows[1], "rate": "1.28"}])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    assert changed.fx_changed
    rate = import_session.scalars(select(FxRate.rate).filter_by(base="GBP")).one()
    assert rate == Decimal("1.28")


def test_rate_problems_are_all_reported(import_session: Session) -> None:
    rows = [
        {"date": "2024-01-01", "base": "EUR", "quote": "EUR", "rate": "1"},
        {"date": "2024-01-01", "base": "EUR", "quote": "USD", "rate": "0"},
        {"date": "2024-01-01", "base": "EUR", "quote": "USD", "rate": "1.1"},
        {"date": "2024-01-01", "base": "EUR", "quote": "USD", "rate": "1.2"},
        {
            "date": "2024-01-02",
            "base": "EUR",
            "quote": "USD",
            "rate": "0.0000000000001",
        },
        {"date": "", "base": "EURO", "quote": "", "rate": ""},
    ]
    with pytest.raises(ImportFailed) as caught:
        load(import_session, rows)
    assert [(p.row, p.column, p.value, p.reason) for p in caught.value.problems] == [
        (2, "quote", "EUR", "must differ from base"),
        (3, "rate", "0", "must be greater than 0"),
        (5, "date", "2024-01-01", "the same date, base and quote are on row 4"),
        (6, "rate", "0.0000000000001", "has more than 12 decimals"),
        (7, "date", "", "a value is required"),
        (7, "base", "EURO", "is not a three-letter ISO 4217 currency code"),
        (7, "quote", "", "a value is required"),
        (7, "rate", "", "a value is required"),
    ]
    assert import_session.scalars(select(FxRate)).all() == []
