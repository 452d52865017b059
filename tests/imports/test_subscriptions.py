"""Tests of the subscriptions import: items, amounts, upserts and problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan, Subscription
from tenure.imports import ImportFailed, ImportResult, import_file

WriteCsv = Callable[..., Path]


def load(session: Session, text: str, write_csv: WriteCsv) -> ImportResult:
    """Import subscriptions from CSV text written to subscriptions.csv."""
    path = write_csv(text, name="subscriptions.csv")
    return import_file(session, "subscriptions", path, default_currency="EUR")


def subscription(session: Session, external_id: str) -> Subscription:
    """Return the stored subscription with ``external_id``."""
    query = select(Subscription).filter_by(external_id=external_id)
    return session.scalars(query).one()


def problems(
    caught: pytest.ExceptionInfo[ImportFailed],
) -> list[tuple[int, str, str, str]]:
    """Return the problems of a failed import as (row, column, value, reason)."""
    return [(p.row, p.column, p.value, p.reason) for p in caught.value.problems]


def test_minimal_shape_with_monthly_amount(
    import_session: Session, write_csv: WriteCsv
) -> None:
    result = load(
        import_session,
        """
        subscription_id,customer_id,start_date,end_date,monthly_amount
        s1,c1,2024-01-01,2024-04-01,50
        s2,c1,2024-02-15,,19.99
        """,
        write_csv,
    )
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.notes == ["created 1 accounts from customer_id: c1"]
    customer = import_session.scalars(select(Account)).one()
    assert (customer.external_id, customer.name) == ("c1", "c1")
    assert result.account_ids == {customer.id}
    first = subscription(import_session, "s1")
    assert (first.currency, first.interval, first.interval_count) == ("EUR", "month", 1)
    assert (first.start_date, first.end_date) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 4, 1),
    )
    (item,) = first.items
    assert (item.unit_amount_minor, item.quantity) == (5000, 1)
    assert (item.start_date, item.end_date) == (first.start_date, first.end_date)
    second = subscription(import_session, "s2")
    assert second.end_date is None
    assert second.items[0].unit_amount_minor == 1999


def test_every_optional_column(import_session: Session, write_csv: WriteCsv) -> None:
    load(
        import_session,
        """
        subscription_id,customer_id,start_date,end_date,amount,currency,interval,interval_count,plan,quantity,discount_percent,discount_amount,discount_end_date,trial_end_date,canceled_at,past_due_since,pause_start,pause_end
        s1,c1,2024-01-01,2026-01-01,1200,jpy,Year,1,pro-annual,5,12.5,,2025-01-01,2024-01-15,2025-10-01,2025-11-01,2024-06-01,2024-07-01
        s2,c2,2024-01-01,,300,USD,quarter,2,,0,,10.50,,,,,2024-03-01,
        """,
        write_csv,
    )
    first = subscription(import_session, "s1")
    plan = import_session.get(Plan, first.plan_id)
    assert plan is not None
    assert (plan.external_id, plan.name, plan.interval) == (
        "pro-annual",
        "pro-annual",
        "year",
    )
    assert (first.currency, first.interval, first.interval_count) == ("JPY", "year", 1)
    assert first.trial_end_date == dt.date(2024, 1, 15)
    assert first.canceled_at == dt.date(2025, 10, 1)
    assert first.past_due_since == dt.date(2025, 11, 1)
    assert [(p.start_date, p.end_date) for p in first.pauses] == [
        (dt.date(2024, 6, 1), dt.date(2024, 7, 1))
    ]
    (item,) = first.items
    assert item.plan_id == plan.id
    assert (item.unit_amount_minor, item.quantity) == (1200, 5)
    assert item.discount_percent == Decimal("12.5")
    assert item.discount_end_date == dt.date(2025, 1, 1)
    second = subscription(import_session, "s2")
    assert (second.currency, second.interval, second.interval_count) == (
        "USD",
        "quarter",
        2,
    )
    assert second.items[0].quantity == 0
    assert second.items[0].discount_amount_minor == 1050
    assert [(p.start_date, p.end_date) for p in second.pauses] == [
        (dt.date(2024, 3, 1), None)
    ]


def test_rows_with_the_same_id_are_items(
    import_session: Session, write_csv: WriteCsv
) -> None:
    result = load(
        import_session,
        """
        subscription_id,customer_id,start_date,end_date,amount,quantity,plan,trial_end_date
        s1,c1,2024-01-01,2024-12-01,100,10,seats,2024-01-10
        s2,c2,2024-01-01,,10,,,
        s1,c1,2024-03-01,,100,2,seats,2099-01-01
        s1,c1,2024-05-01,2024-08-01,25,1,support,
        """,
        write_csv,
    )
    assert result.created == 2
    first = subscription(import_session, "s1")
    assert (first.start_date, first.end_date) == (dt.date(2024, 1, 1), None)
    # Subscription-wide values come from the first row of the subscription.
    assert first.trial_end_date == dt.date(2024, 1, 10)
    assert [
        (i.start_date, i.end_date, i.quantity, i.unit_amount_minor) for i in first.items
    ] == [
        (dt.date(2024, 1, 1), dt.date(2024, 12, 1), 10, 10000),
        (dt.date(2024, 3, 1), None, 2, 10000),
        (dt.date(2024, 5, 1), dt.date(2024, 8, 1), 1, 2500),
    ]
    plans = import_session.scalars(select(Plan.external_id).order_by(Plan.id)).all()
    assert plans == ["seats", "support"]
    # All items closed: the subscription ends with the last one.
    load(
        import_session,
        """
        subscription_id,customer_id,start_date,end_date,amount
        s1,c1,2024-02-01,2024-06-01,100
        s1,c1,2024-01-01,2024-03-01,100
        """,
        write_csv,
    )
    first = subscription(import_session, "s1")
    assert (first.start_date, first.end_date) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 6, 1),
    )
    assert first.trial_end_date is None
    assert len(first.items) == 2


def test_upsert_replaces_items_and_pauses(
    import_session: Session, write_csv: WriteCsv
) -> None:
    text = """
        subscription_id,customer_id,start_date,end_date,monthly_amount,pause_start,pause_end
        s1,c1,2024-01-01,,50,2024-02-01,2024-03-01
        s2,c1,2024-01-01,,60,,
        s3,c2,2024-01-01,,70,,
        """
    load(import_session, text, write_csv)
    c1, c2 = import_session.scalars(
        select(Account.id).order_by(Account.external_id)
    ).all()
    result = load(
        import_session,
        """
        subscription_id,customer_id,start_date,end_date,monthly_amount,pause_start,pause_end
        s1,c1,2024-01-01,,55,,
        s2,c1,2024-01-01,,60,,
        s3,c3,2024-01-01,,70,,
        s4,c2,2024-05-01,,10,,
        """,
        write_csv,
    )
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    c3 = import_session.scalars(select(Account.id).filter_by(external_id="c3")).one()
    # s1 changed (c1); s3 moved from c2 to c3; s4 is new for c2.
    assert result.account_ids == {c1, c2, c3}
    first = subscription(import_session, "s1")
    assert [item.unit_amount_minor for item in first.items] == [5500]
    assert first.pauses == []
    item_count = select(func.count()).select_from(Subscription)
    assert import_session.scalar(item_count) == 4
    again = load(import_session, text.replace("c2", "c3"), write_csv)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2)


def test_subscription_problems_are_all_reported(
    import_session: Session, write_csv: WriteCsv
) -> None:
    with pytest.raises(ImportFailed) as caught:
        load(
            import_session,
            """
            subscription_id,customer_id,start_date,end_date,monthly_amount,amount,currency,interval,interval_count,quantity,discount_percent,discount_amount,discount_end_date,trial_end_date,pause_start,pause_end
            s1,c1,2024-01-01,2024-01-01,10.999,,USD,,,,,,,,,
            s2,c1,2024-01-01,,10,20,US,weekly,0,-1,101,,,,,
            s3,c1,2024-01-01,,10,,,quarter,,,,,,,,
            s4,c1,2024-01-01,,,"1,200.00",,,,,10,5,2024-01-01,2023-12-31,,2024-01-01
            s5,c1,2024-01-01,,,,,,,,,,2024-02-01,,2024-03-01,2024-02-01
            s1,c2,2024-02-01,,5,,EUR,,,,,,,,,
            ,,,,1e3,,,,,,,,,,,
            """,
            write_csv,
        )
    assert problems(caught) == [
        (2, "end_date", "2024-01-01", "must be after start_date"),
        (2, "monthly_amount", "10.999", "has more decimals than USD allows (2)"),
        (3, "currency", "US", "is not a three-letter ISO 4217 currency code"),
        (3, "amount", "20", "give monthly_amount or amount, not both"),
        (3, "quantity", "-1", "must be at least 0"),
        (3, "discount_percent", "101", "must be at most 100"),
        (3, "interval", "weekly", "must be one of week, month, quarter, year"),
        (3, "interval_count", "0", "must be at least 1"),
        (
            4,
            "interval",
            "quarter",
            "must be month with monthly_amount; use amount instead",
        ),
        (
            5,
            "amount",
            "1,200.00",
            "is not a plain number: remove the thousands separators",
        ),
        (
            5,
            "discount_amount",
            "5",
            "give discount_percent or discount_amount, not both",
        ),
        (5, "discount_end_date", "2024-01-01", "must be after start_date"),
        (5, "trial_end_date", "2023-12-31", "must not be before start_date"),
        (5, "pause_end", "2024-01-01", "is given without pause_start"),
        (6, "amount", "", "a value is required (amount or monthly_amount)"),
        (6, "discount_end_date", "2024-02-01", "is given without a discount"),
        (6, "pause_end", "2024-02-01", "must be after pause_start"),
        (
            7,
            "customer_id",
            "c2",
            "differs from row 2 ('c1') of the same subscription_id",
        ),
        (
            7,
            "currency",
            "EUR",
            "differs from row 2 ('USD') of the same subscription_id",
        ),
        (8, "subscription_id", "", "a value is required"),
        (8, "customer_id", "", "a value is required"),
        (8, "start_date", "", "a value is required"),
        (8, "monthly_amount", "1e3", "is not a plain decimal number such as 1200.50"),
    ]
    assert import_session.scalars(select(Subscription)).all() == []
    assert import_session.scalars(select(Account)).all() == []
