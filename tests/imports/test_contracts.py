"""Tests of the contracts import: lines, renewal links, upserts and problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Contract, Plan
from tenure.imports import ImportFailed, ImportResult, import_file

WriteCsv = Callable[..., Path]
HEADER = (
    "contract_id,customer_id,start_date,end_date,amount,currency,renews_contract_id"
)


def load(session: Session, text: str, write_csv: WriteCsv) -> ImportResult:
    """Import contracts from CSV text written to contracts.csv."""
    path = write_csv(text, name="contracts.csv")
    return import_file(session, "contracts", path, default_currency="USD")


def contract(session: Session, external_id: str) -> Contract:
    """Return the stored contract with ``external_id``."""
    return session.scalars(select(Contract).filter_by(external_id=external_id)).one()


def renewals(session: Session) -> dict[str, str | None]:
    """Return every contract's renewal target by external id."""
    names = dict(session.execute(select(Contract.id, Contract.external_id)).all())
    return {
        name: names.get(renews)
        for name, renews in session.execute(
            select(Contract.external_id, Contract.renews_contract_id)
        )
    }


def test_contract_with_every_column(
    import_session: Session, write_csv: WriteCsv
) -> None:
    result = load(
        import_session,
        """
        contract_id,customer_id,start_date,end_date,amount,currency,one_time_amount,signed_date,plan,forecast_renewal_amount
        k1,acme,2024-01-01,2024-12-31,12000,usd,1500.50,2023-12-15,enterprise,13000
        k2,beta,2024-03-01,2024-03-01,0,KWD,,,,
        """,
        write_csv,
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.notes[0] == "created 2 accounts from customer_id: acme, beta"
    assert result.notes[1] == "created 1 plans from plan: enterprise"
    accounts = dict(
        import_session.execute(select(Account.external_id, Account.id)).all()
    )
    assert result.account_ids == set(accounts.values())
    first = contract(import_session, "k1")
    assert (first.currency, first.start_date, first.end_date, first.signed_date) == (
        "USD",
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2023, 12, 15),
    )
    assert first.account_id == accounts["acme"]
    plan = import_session.get(Plan, first.plan_id)
    assert plan is not None and plan.external_id == "enterprise"
    assert first.forecast_renewal_minor == 1300000
    assert [(line.kind, line.amount_minor) for line in first.lines] == [
        ("recurring", 1200000),
        ("one_time", 150050),
    ]
    second = contract(import_session, "k2")
    assert [(line.kind, line.amount_minor) for line in second.lines] == [
        ("recurring", 0)
    ]


def test_renewals_resolve_in_any_order(
    import_session: Session, write_csv: WriteCsv
) -> None:
    load(
        import_session,
        f"""
        {HEADER}
        k3,acme,2026-01-01,2026-12-31,140,USD,k2
        k2,acme,2025-01-01,2025-12-31,120,USD,k1
        k1,acme,2024-01-01,2024-12-31,100,USD,
        """,
        write_csv,
    )
    assert renewals(import_session) == {"k1": None, "k2": "k1", "k3": "k2"}
    # A later file may renew a contract that is only in the database.
    result = load(
        import_session,
        f"""
        {HEADER}
        k4,acme,2027-01-01,2027-12-31,150,USD,k3
        """,
        write_csv,
    )
    assert result.created == 1
    assert renewals(import_session)["k4"] == "k3"


def test_upsert_replaces_lines_and_links(
    import_session: Session, write_csv: WriteCsv
) -> None:
    text = f"""
        {HEADER},one_time_amount
        k1,acme,2024-01-01,2024-12-31,100,USD,,10
        k2,acme,2025-01-01,2025-12-31,120,USD,k1,
        """
    load(import_session, text, write_csv)
    again = load(import_session, text, write_csv)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.account_ids == set()
    result = load(
        import_session,
        f"""
        {HEADER},one_time_amount
        k1,acme,2024-01-01,2024-12-31,100,USD,,
        k2,beta,2025-01-01,2025-12-31,120,USD,k0,
        k0,acme,2023-01-01,2023-12-31,90,USD,,
        """,
        write_csv,
    )
    assert (result.created, result.updated, result.unchanged) == (1, 2, 0)
    accounts = dict(
        import_session.execute(select(Account.external_id, Account.id)).all()
    )
    assert result.account_ids == {accounts["acme"], accounts["beta"]}
    assert [line.kind for line in contract(import_session, "k1").lines] == ["recurring"]
    assert renewals(import_session) == {"k0": None, "k1": None, "k2": "k0"}


def test_contract_problems_are_all_reported(
    import_session: Session, write_csv: WriteCsv
) -> None:
    load(
        import_session,
        f"""
        {HEADER}
        old1,acme,2020-01-01,2020-12-31,100,USD,
        old2,acme,2021-01-01,2021-12-31,100,USD,old1
        """,
        write_csv,
    )
    with pytest.raises(ImportFailed) as caught:
        load(
            import_session,
            f"""
            {HEADER},one_time_amount
            k1,acme,2024-01-01,2023-12-31,100,USD,,-5
            k2,acme,2024-01-01,2024-12-31,100.5,JPY,k2,
            k3,acme,2024-01-01,2024-12-31,,EUR,nope,
            k1,acme,2024-01-01,2024-12-31,1,USD,,
            k4,acme,2024-01-01,2024-12-31,1,,k5,
            k5,acme,2024-01-01,2024-12-31,1,USD,k4,
            old1,acme,2020-01-01,2020-12-31,100,USD,old2
            """,
            write_csv,
        )
    assert [(p.row, p.column, p.value, p.reason) for p in caught.value.problems] == [
        (2, "end_date", "2023-12-31", "must not be before start_date (both inclusive)"),
        (2, "one_time_amount", "-5", "must be at least 0"),
        (3, "amount", "100.5", "has more decimals than JPY allows (0)"),
        (3, "renews_contract_id", "k2", "a contract cannot renew itself"),
        (4, "amount", "", "a value is required"),
        (4, "renews_contract_id", "nope", "no contract has this contract_id"),
        (5, "contract_id", "k1", "repeats row 2"),
        (6, "currency", "", "a value is required"),
        (
            6,
            "renews_contract_id",
            "k5",
            "the renewal chain loops back to this contract",
        ),
        (
            7,
            "renews_contract_id",
            "k4",
            "the renewal chain loops back to this contract",
        ),
        (
            8,
            "renews_contract_id",
            "old2",
            "the renewal chain loops back to this contract",
        ),
    ]
    assert sorted(renewals(import_session)) == ["old1", "old2"]
