"""Tests of the accounts import: upserts, owners, tags and custom attributes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.imports import ImportFailed, ImportResult, import_file, import_rows
from tenure.staff.models import StaffUser

WriteCsv = Callable[..., Path]
TODAY = dt.date(2024, 6, 1)


def load(
    session: Session, rows: list[dict[str, str]], today: dt.date = TODAY
) -> ImportResult:
    """Import account rows as if from accounts.csv."""
    return import_rows(
        session,
        "accounts",
        rows,
        source="accounts.csv",
        default_currency="USD",
        today=today,
    )


def account(session: Session, external_id: str) -> Account:
    """Return the stored account with ``external_id``."""
    return session.scalars(select(Account).filter_by(external_id=external_id)).one()


def history(
    session: Session, external_id: str
) -> list[tuple[str, dt.date, dt.date | None]]:
    """Return an account's owner history as (owner email, start, end), oldest first."""
    rows = session.execute(
        select(
            StaffUser.email,
            AccountOwnerHistory.start_date,
            AccountOwnerHistory.end_date,
        )
        .join(StaffUser, StaffUser.id == AccountOwnerHistory.owner_id)
        .join(Account, Account.id == AccountOwnerHistory.account_id)
        .where(Account.external_id == external_id)
        .order_by(AccountOwnerHistory.start_date, AccountOwnerHistory.id)
    )
    return [(email, start, end) for email, start, end in rows]


def test_create_with_every_column(import_session: Session, write_csv: WriteCsv) -> None:
    path = write_csv(
        """
        account_id,name,industry,region,size,tier,tags,owner_email,created_at,Health
        a1,Acme,Software,EMEA,51-200,gold,key;beta|key,Jane.Doe@Example.com,2023-02-01,ok
        a2,Beta,,,,,,,,
        """,
        name="accounts.csv",
    )
    result = import_file(
        import_session, "accounts", path, default_currency="USD", today=TODAY
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.account_ids == set()
    assert not result.fx_changed
    assert any(
        note.startswith("created 1 staff users from owner_email")
        for note in result.notes
    )
    assert "stored columns as custom attributes: Health" in result.notes
    acme = account(import_session, "a1")
    assert (acme.name, acme.industry, acme.region, acme.size, acme.tier) == (
        "Acme",
        "Software",
        "EMEA",
        "51-200",
        "gold",
    )
    assert acme.tags == ["key", "beta"]
    assert acme.custom_attributes == {"Health": "ok"}
    assert acme.source_created_at == dt.date(2023, 2, 1)
    owner = import_session.get(StaffUser, acme.owner_id)
    assert owner is not None
    assert (owner.email, owner.name, owner.role) == (
        "jane.doe@example.com",
        "Jane.Doe",
        "csm",
    )
    # The first owner is the owner since the account was created.
    assert history(import_session, "a1") == [
        ("jane.doe@example.com", dt.date(2023, 2, 1), None)
    ]
    beta = account(import_session, "a2")
    assert (beta.industry, beta.tags, beta.custom_attributes, beta.owner_id) == (
        None,
        [],
        {},
        None,
    )


def test_existing_staff_user_is_matched_case_insensitively(
    import_session: Session,
) -> None:
    import_session.add(StaffUser(email="Sam@Example.com", name="Sam", role="manager"))
    import_session.flush()
    result = load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "sam@example.COM"}],
    )
    assert result.notes == []
    assert history(import_session, "a1") == [("Sam@Example.com", TODAY, None)]
    assert len(import_session.scalars(select(StaffUser)).all()) == 1


def test_upsert_counts_and_partial_columns(import_session: Session) -> None:
    load(
        import_session,
        [
            {
                "account_id": "a1",
                "name": "Acme",
                "tier": "gold",
                "nps": "9",
                "Customer Segment": "smb",
            },
            {
                "account_id": "a2",
                "name": "Beta",
                "tier": "silver",
                "nps": "",
                "Customer Segment": "",
            },
        ],
    )
    # A second file without the tier column leaves tiers alone; an empty custom cell
    # removes that attribute; other attributes stay.
    result = load(
        import_session,
        [
            {"account_id": "a1", "name": "Acme", "nps": "10"},
            {"account_id": "a2", "name": "Beta", "nps": ""},
            {"account_id": "a3", "name": "Gamma", "nps": ""},
        ],
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    acme = account(import_session, "a1")
    assert acme.tier == "gold"
    assert acme.custom_attributes == {"nps": "10", "Customer Segment": "smb"}
    # An empty cell of a standard column clears it.
    result = load(import_session, [{"account_id": "a1", "name": "Acme", "tier": ""}])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert account(import_session, "a1").tier is None


def test_owner_changes_close_and_open_history(import_session: Session) -> None:
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "ann@x.io"}],
    )
    assert history(import_session, "a1") == [("ann@x.io", TODAY, None)]
    later = TODAY + dt.timedelta(days=30)
    result = load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "bob@x.io"}],
        today=later,
    )
    assert result.updated == 1
    assert history(import_session, "a1") == [
        ("ann@x.io", TODAY, later),
        ("bob@x.io", later, None),
    ]
    # Same owner again: nothing changes.
    result = load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "BOB@x.io"}],
        today=later + dt.timedelta(days=1),
    )
    assert result.unchanged == 1
    assert len(history(import_session, "a1")) == 2


def test_an_owner_change_without_history_keeps_the_past_with_the_old_owner(
    import_session: Session,
) -> None:
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "ann@x.io"}],
    )
    # An account owned without any history (created before history was kept).
    import_session.execute(delete(AccountOwnerHistory))
    later = TODAY + dt.timedelta(days=30)
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "bob@x.io"}],
        today=later,
    )
    assert history(import_session, "a1") == [
        ("ann@x.io", later - dt.timedelta(days=1), later),
        ("bob@x.io", later, None),
    ]


def test_owner_change_on_the_same_day_replaces_the_open_row(
    import_session: Session,
) -> None:
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "ann@x.io"}],
    )
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "bob@x.io"}],
    )
    assert history(import_session, "a1") == [("bob@x.io", TODAY, None)]


def test_removing_the_owner_closes_the_history(import_session: Session) -> None:
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": "ann@x.io"}],
    )
    later = TODAY + dt.timedelta(days=5)
    load(
        import_session,
        [{"account_id": "a1", "name": "Acme", "owner_email": ""}],
        today=later,
    )
    assert account(import_session, "a1").owner_id is None
    assert history(import_session, "a1") == [("ann@x.io", TODAY, later)]
    # A new owner after a gap starts today, not at the creation date.
    again = later + dt.timedelta(days=5)
    load(
        import_session,
        [
            {
                "account_id": "a1",
                "name": "Acme",
                "owner_email": "cy@x.io",
                "created_at": "2020-01-01",
            }
        ],
        today=again,
    )
    assert history(import_session, "a1")[-1] == ("cy@x.io", again, None)


def test_account_problems_are_all_reported(import_session: Session) -> None:
    rows = [
        {
            "account_id": "a1",
            "name": "Acme",
            "owner_email": "not-an-email",
            "created_at": "2024-13-01",
        },
        {"account_id": "", "name": "No id", "owner_email": "", "created_at": ""},
        {"account_id": "a1", "name": "", "owner_email": "", "created_at": "01/02/2024"},
        {"account_id": "a4", "name": "x" * 301, "owner_email": "", "created_at": ""},
    ]
    with pytest.raises(ImportFailed) as caught:
        load(import_session, rows)
    assert [(p.row, p.column, p.reason) for p in caught.value.problems] == [
        (2, "created_at", "is not a valid calendar date"),
        (2, "owner_email", "is not an email address"),
        (3, "account_id", "a value is required"),
        (4, "name", "a value is required"),
        (4, "created_at", "is not a date written YYYY-MM-DD"),
        (4, "account_id", "repeats row 2"),
        (5, "name", "is longer than 300 characters"),
    ]
    assert import_session.scalars(select(Account)).all() == []
    assert import_session.scalars(select(StaffUser)).all() == []
