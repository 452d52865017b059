"""Tests of the import service as a whole: kinds, headers, atomicity and files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account
from tenure.billing.models import Subscription, SubscriptionItem
from tenure.imports import KINDS, ImportFailed, Problem, import_file, import_rows
from tenure.imports.results import UnknownKind
from tests.reference import SUBSCRIPTION_PERIODS, needs_reference_data

WriteCsv = Callable[..., Path]


def count(session: Session, model: type) -> int:
    """Return the number of rows of ``model``."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_kinds() -> None:
    assert KINDS == ("accounts", "subscriptions", "contracts", "fx-rates")


def test_problem_renders_file_row_column_reason_and_value() -> None:
    problem = Problem("subs.csv", 7, "start_date", "2024-02-30", "is not a valid date")
    assert (
        str(problem)
        == "subs.csv:7:start_date: is not a valid date (value '2024-02-30')"
    )


def test_unknown_kind_is_a_clear_error(
    import_session: Session, write_csv: WriteCsv
) -> None:
    with pytest.raises(
        UnknownKind, match="unknown import kind 'plans'; expected one of accounts"
    ):
        import_file(
            import_session, "plans", write_csv("a\n1\n"), default_currency="USD"
        )
    with pytest.raises(ValueError, match="unknown import kind"):
        import_rows(import_session, "plans", [], source="x", default_currency="USD")


def test_invalid_default_currency(import_session: Session) -> None:
    rows = [{"date": "2024-01-01", "base": "EUR", "quote": "USD", "rate": "1.1"}]
    with pytest.raises(ValueError, match="default currency 'dollars'"):
        import_rows(
            import_session, "fx-rates", rows, source="x", default_currency="dollars"
        )


def test_missing_and_repeated_columns_are_row_1_problems(
    import_session: Session, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "Subscription ID,customer_id,Customer-ID,plan\ns1,c1,c1,p\n", name="s.csv"
    )
    with pytest.raises(ImportFailed) as caught:
        import_file(import_session, "subscriptions", path, default_currency="USD")
    assert [str(problem) for problem in caught.value.problems] == [
        "s.csv:1:Customer-ID: column repeats 'customer_id' (value 'Customer-ID')",
        "s.csv:1:start_date: required column is missing (value '')",
        "s.csv:1:monthly_amount: one of the columns monthly_amount or amount"
        " is required (value '')",
    ]


def test_header_only_file_imports_nothing(
    import_session: Session, write_csv: WriteCsv
) -> None:
    path = write_csv("account_id,name\n")
    result = import_file(import_session, "accounts", path, default_currency="USD")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    result = import_rows(
        import_session, "accounts", [], source="x", default_currency="USD"
    )
    assert result.kind == "accounts" and result.created == 0


def test_header_names_are_matched_loosely_and_unknown_ones_noted(
    import_session: Session, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "Subscription ID, Customer-Id ,START_DATE,Monthly Amount,Notes\n"
        "s1,c1,2024-01-01,5,hi\n"
    )
    result = import_file(import_session, "subscriptions", path, default_currency="USD")
    assert result.created == 1
    assert "ignored unknown columns: Notes" in result.notes


def test_blank_rows_are_skipped_but_counted(
    import_session: Session, write_csv: WriteCsv
) -> None:
    path = write_csv(
        "subscription_id,customer_id,start_date,monthly_amount\n"
        "s1,c1,2024-01-01,5\n"
        ",,,\n"
        "\n"
        "s2,c1,2024-01-01,x\n",
        name="gaps.csv",
    )
    with pytest.raises(ImportFailed) as caught:
        import_file(import_session, "subscriptions", path, default_currency="USD")
    assert [problem.row for problem in caught.value.problems] == [5]


def test_one_bad_row_changes_nothing(
    import_factory: sessionmaker[Session], write_csv: WriteCsv
) -> None:
    good = "\n".join(f"s{i},c{i % 7},2024-01-01,,{i}" for i in range(500))
    path = write_csv(
        "subscription_id,customer_id,start_date,end_date,monthly_amount\n"
        f"{good}\ns-bad,c1,2024-01-01,2023-01-01,5\n",
        name="big.csv",
    )
    with import_factory() as session:
        with pytest.raises(ImportFailed) as caught:
            import_file(session, "subscriptions", path, default_currency="USD")
        assert [str(p) for p in caught.value.problems] == [
            "big.csv:502:end_date: must be after start_date (value '2023-01-01')"
        ]
        session.commit()
    with import_factory() as session:
        assert count(session, Account) == 0
        assert count(session, Subscription) == 0


def test_import_flushes_and_the_caller_decides(
    import_factory: sessionmaker[Session], write_csv: WriteCsv
) -> None:
    path = write_csv("account_id,name\na1,Acme\n")
    with import_factory() as session:
        import_file(session, "accounts", path, default_currency="USD")
        assert count(session, Account) == 1
        session.rollback()
    with import_factory() as session:
        assert count(session, Account) == 0
        import_file(session, "accounts", path, default_currency="USD")
        session.commit()
    with import_factory() as session:
        assert count(session, Account) == 1


def test_objects_the_caller_holds_are_refreshed(
    import_session: Session, write_csv: WriteCsv
) -> None:
    held = Account(external_id="a1", name="Old name", tags=[], custom_attributes={})
    import_session.add(held)
    import_session.flush()
    import_file(
        import_session,
        "accounts",
        write_csv("account_id,name\na1,New name\n"),
        default_currency="USD",
    )
    assert held.name == "New name"


def test_xlsx_import_reports_spreadsheet_row_numbers(
    import_session: Session, tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["subscription_id", "customer_id", "start_date", "end_date", "amount"])
    sheet.append(["s1", 1001, dt.datetime(2024, 1, 1), None, 49.99])
    sheet.append(["s2", 1002, dt.datetime(2024, 1, 1), dt.datetime(2023, 1, 1), 10])
    sheet.append(["s3", 1002, "1/1/2024", None, 10])
    path = tmp_path / "subs.xlsx"
    workbook.save(path)
    with pytest.raises(ImportFailed) as caught:
        import_file(import_session, "subscriptions", path, default_currency="USD")
    assert [str(problem) for problem in caught.value.problems] == [
        "subs.xlsx:3:end_date: must be after start_date (value '2023-01-01')",
        "subs.xlsx:4:start_date: is not a date written YYYY-MM-DD (value '1/1/2024')",
    ]
    sheet.delete_rows(3, 2)
    workbook.save(path)
    workbook.close()
    result = import_file(import_session, "subscriptions", path, default_currency="USD")
    assert result.created == 1
    item = import_session.scalars(select(SubscriptionItem)).one()
    assert item.unit_amount_minor == 4999
    assert import_session.scalars(select(Account.external_id)).all() == ["1001"]


def test_bom_csv_import(import_session: Session, write_csv: WriteCsv) -> None:
    path = write_csv("account_id,name\na1,Acme\n", encoding="utf-8-sig")
    result = import_file(import_session, "accounts", path, default_currency="USD")
    assert result.created == 1


@needs_reference_data
def test_reference_dataset_loads_as_is(import_session: Session) -> None:
    result = import_file(
        import_session, "subscriptions", SUBSCRIPTION_PERIODS, default_currency="USD"
    )
    assert (result.created, result.updated, result.unchanged) == (121, 0, 0)
    assert count(import_session, Subscription) == 121
    assert count(import_session, SubscriptionItem) == 121
    assert count(import_session, Account) == 55
    assert len(result.account_ids) == 55
    first = import_session.scalars(
        select(Subscription).filter_by(external_id="1")
    ).one()
    assert (first.start_date, first.end_date) == (
        dt.date(2018, 11, 1),
        dt.date(2019, 2, 1),
    )
    assert first.items[0].unit_amount_minor == 5000
    again = import_file(
        import_session, "subscriptions", SUBSCRIPTION_PERIODS, default_currency="USD"
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 121)
    assert again.account_ids == set()


def test_missing_file(import_session: Session, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        import_file(
            import_session, "accounts", tmp_path / "nope.csv", default_currency="USD"
        )


def test_import_rows_takes_the_header_from_all_rows_and_any_value_type(
    import_session: Session,
) -> None:
    rows: list[dict[str, Any]] = [
        {"subscription_id": "s1", "customer_id": 7, "start_date": dt.date(2024, 1, 1)},
        {
            "subscription_id": "s1",
            "customer_id": "7",
            "start_date": "2024-02-01",
            "monthly_amount": Decimal("12.50"),
            "discount_percent": "12.5000%",
        },
    ]
    with pytest.raises(ImportFailed) as caught:
        import_rows(
            import_session, "subscriptions", rows, source="demo", default_currency="USD"
        )
    assert [str(problem) for problem in caught.value.problems] == [
        "demo:2:amount: a value is required (amount or monthly_amount) (value '')"
    ]
    rows[0]["amount"] = None
    rows[0]["monthly_amount"] = 10
    result = import_rows(
        import_session, "subscriptions", rows, source="demo", default_currency="USD"
    )
    assert result.created == 1
    items = import_session.scalars(select(SubscriptionItem)).all()
    assert [(item.unit_amount_minor, item.discount_percent) for item in items] == [
        (1000, None),
        (1250, Decimal("12.5")),
    ]
