"""The customer 360: profile, billing, revenue history, renewals, contacts, scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tenure.accounts.service import (
    AccountQuery,
    NotFound,
    account_detail,
    expand_snapshots,
    iter_accounts,
    subscription_status,
)
from tenure.billing.models import Subscription, SubscriptionPause
from tenure.db.session import transaction
from tenure.imports.service import import_rows
from tenure.revenue.calendar import ONE_DAY

from .conftest import ALICE, BOB, Company

SECTIONS = {
    "profile",
    "subscriptions",
    "contracts",
    "mrr_history",
    "movements",
    "renewals",
    "contacts",
    "currency",
}


def test_profile_is_the_list_row_plus_details(
    session: Session, company: Company
) -> None:
    detail = account_detail(session, "A1", None)
    assert set(detail) == SECTIONS
    assert detail["currency"] == "USD"
    profile = detail["profile"]
    (row,) = iter_accounts(session, AccountQuery(search="A1"), None)
    assert {key: profile[key] for key in row} == row
    assert profile["custom_attributes"] == {"employees": "120"}
    assert profile["created_at"] == company.month(-15)
    assert profile["owner_history"] == [
        {
            "owner": ALICE,
            "owner_name": "Alice Archer",
            "start_date": company.month(-15),
            "end_date": None,
        }
    ]


def test_owner_history_is_newest_first(company: Company) -> None:
    with transaction(company.factory) as session:
        import_rows(
            session,
            "accounts",
            [{"account_id": "A3", "name": "Beta Schools", "owner_email": ALICE}],
            source="move.csv",
            default_currency="USD",
        )
    with company.factory() as session:
        history = account_detail(session, "A3", None)["profile"]["owner_history"]
        # The account moved to Alice, so Bob's manager no longer sees it.
        with pytest.raises(NotFound):
            account_detail(session, "A3", frozenset({company.bob}))
        assert account_detail(session, "A3", frozenset({company.alice}))
    assert [entry["owner"] for entry in history] == [ALICE, BOB]
    assert history[0]["end_date"] is None
    assert history[1]["start_date"] == company.month(-3)
    assert history[1]["end_date"] == history[0]["start_date"]


def test_subscriptions_with_items(session: Session, company: Company) -> None:
    subscriptions = account_detail(session, "A2", None)["subscriptions"]
    assert [s["subscription_id"] for s in subscriptions] == ["S2b", "S2a"]
    current, ended = subscriptions
    assert current == {
        "subscription_id": "S2b",
        "status": "active",
        "plan": "pro-monthly",
        "plan_name": "pro-monthly",
        "currency": "USD",
        "interval": "month",
        "interval_count": 1,
        "start_date": company.month(-3),
        "end_date": None,
        "trial_end_date": None,
        "canceled_at": None,
        "past_due_since": None,
        "pauses": [],
        "items": [
            {
                "plan": "pro-monthly",
                "unit_amount": Decimal("700.00"),
                "quantity": 1,
                "amount": Decimal("700.00"),
                "currency": "USD",
                "start_date": company.month(-3),
                "end_date": None,
                "discount_percent": None,
                "discount_amount": None,
                "discount_end_date": None,
            }
        ],
    }
    assert (ended["status"], ended["end_date"]) == ("ended", company.month(-6))
    (seats,) = account_detail(session, "A1", None)["subscriptions"][0]["items"]
    assert (seats["unit_amount"], seats["quantity"], seats["amount"]) == (
        Decimal("100.00"),
        2,
        Decimal("200.00"),
    )
    (annual,) = account_detail(session, "A3", None)["subscriptions"]
    assert (annual["interval"], annual["items"][0]["unit_amount"]) == (
        "year",
        Decimal("1200.00"),
    )


def test_contracts_with_lines_and_renewal_link(
    session: Session, company: Company
) -> None:
    contracts = account_detail(session, "A1", None)["contracts"]
    assert [c["contract_id"] for c in contracts] == ["C2", "C1"]
    renewal, first = contracts
    assert first == {
        "contract_id": "C1",
        "start_date": company.month(-14),
        "end_date": company.month(-2) - ONE_DAY,
        "signed_date": company.month(-14),
        "currency": "USD",
        "plan": None,
        "amount": Decimal("1200.00"),
        "recurring_amount": Decimal("1200.00"),
        "one_time_amount": Decimal("300.00"),
        "total_amount": Decimal("1500.00"),
        "renews_contract_id": None,
        "forecast_renewal_amount": None,
        "lines": [
            {"kind": "recurring", "amount": Decimal("1200.00"), "description": None},
            {"kind": "one_time", "amount": Decimal("300.00"), "description": None},
        ],
    }
    assert renewal["renews_contract_id"] == "C1"
    assert renewal["end_date"] == company.month(10) - ONE_DAY
    assert (renewal["amount"], renewal["one_time_amount"]) == (
        Decimal("2400.00"),
        Decimal("0.00"),
    )
    assert renewal["forecast_renewal_amount"] == Decimal("2400.00")


def test_mrr_history_expands_spans_and_fills_gaps(
    session: Session, company: Company
) -> None:
    history = account_detail(session, "A2", None)["mrr_history"]
    # 500 for two months, churned for three, back at 700 until this month.
    expected = [(company.month(n), Decimal("500.00")) for n in (-8, -7)]
    expected += [(company.month(n), Decimal("0.00")) for n in (-6, -5, -4)]
    expected += [(company.month(n), Decimal("700.00")) for n in (-3, -2, -1, 0)]
    assert [(entry["month"], entry["mrr"]) for entry in history] == expected
    churned = account_detail(session, "A4", None)["mrr_history"]
    assert churned[0] == {"month": company.month(-10), "mrr": Decimal("300.00")}
    assert churned[-1] == {"month": company.month(0), "mrr": Decimal("0.00")}
    assert len(churned) == 11
    assert account_detail(session, "A5", None)["mrr_history"] == []


def test_movements_newest_first(session: Session, company: Company) -> None:
    movements = account_detail(session, "A2", None)["movements"]
    assert movements == [
        {
            "date": company.month(-3),
            "kind": "reactivation",
            "amount": Decimal("700.00"),
            "mrr_after": Decimal("700.00"),
            "scheduled": False,
        },
        {
            "date": company.month(-6),
            "kind": "churn",
            "amount": Decimal("-500.00"),
            "mrr_after": Decimal("0.00"),
            "scheduled": False,
        },
        {
            "date": company.month(-8),
            "kind": "new",
            "amount": Decimal("500.00"),
            "mrr_after": Decimal("500.00"),
            "scheduled": False,
        },
    ]
    a1 = account_detail(session, "A1", None)["movements"]
    dates = [move["date"] for move in a1]
    assert dates == sorted(dates, reverse=True)
    assert a1[-1]["kind"] == "new"
    assert all(move["scheduled"] == (move["date"] > company.today) for move in a1)


def test_renewals_newest_due_first(session: Session, company: Company) -> None:
    renewals = account_detail(session, "A1", None)["renewals"]
    assert [(r["source_id"], r["outcome"]) for r in renewals] == [
        ("C2", "open"),
        ("C1", "upsell"),
    ]
    assert renewals[1] == {
        "source": "contract",
        "source_id": "C1",
        "term_start": company.month(-14),
        "due_date": company.month(-2) - ONE_DAY,
        "due_amount": Decimal("1200.00"),
        "outcome": "upsell",
        "renewal_id": "C2",
        "renewed_amount": Decimal("2400.00"),
        "forecast_amount": Decimal("2400.00"),
    }
    annual = account_detail(session, "A3", None)["renewals"]
    assert {r["source_id"] for r in annual} == {"S3"}
    assert [r["due_date"] for r in annual] == sorted(
        (r["due_date"] for r in annual), reverse=True
    )


def test_contacts_primary_first(session: Session) -> None:
    assert account_detail(session, "A1", None)["contacts"] == [
        {
            "name": "Zoe Zhang",
            "email": "zoe@acme.example",
            "phone": "+86 21 5555 0100",
            "title": "CFO",
            "is_primary": True,
        },
        {
            "name": "Adam Ames",
            "email": "adam@acme.example",
            "phone": None,
            "title": None,
            "is_primary": False,
        },
    ]
    assert account_detail(session, "A2", None)["contacts"] == []


def test_out_of_scope_is_not_found_like_a_missing_account(
    session: Session, company: Company
) -> None:
    with pytest.raises(NotFound) as hidden:
        account_detail(session, "A6", company.team)
    with pytest.raises(NotFound) as missing:
        account_detail(session, "A7", company.team)
    assert str(hidden.value) == "account 'A6' not found"
    assert str(missing.value) == "account 'A7' not found"
    with pytest.raises(NotFound):
        account_detail(session, "A5", company.team)  # no owner: all-access only
    with pytest.raises(NotFound):
        account_detail(session, "A1", frozenset())
    with pytest.raises(NotFound):
        account_detail(session, "a1", None)  # ids are exact
    assert account_detail(session, "A6", frozenset({company.carol}))
    assert account_detail(session, "A5", None)["profile"]["status"] == "prospect"
    assert issubclass(NotFound, LookupError)


M = dt.date


@pytest.mark.parametrize(
    ("spans", "current", "expected"),
    [
        ([], M(2024, 5, 9), []),
        ([(M(2024, 3, 1), None, 7)], M(2024, 5, 9), [(M(2024, 3, 1), 7),
         (M(2024, 4, 1), 7), (M(2024, 5, 1), 7)]),
        ([(M(2024, 1, 1), M(2024, 1, 1), 5), (M(2024, 3, 1), M(2024, 3, 1), 6)],
         M(2024, 4, 30), [(M(2024, 1, 1), 5), (M(2024, 2, 1), 0),
         (M(2024, 3, 1), 6), (M(2024, 4, 1), 0)]),
        # Given in any order; a span reaching past the current month is cut there.
        ([(M(2024, 2, 1), M(2024, 9, 1), 9), (M(2023, 12, 1), M(2024, 1, 1), 4)],
         M(2024, 3, 15), [(M(2023, 12, 1), 4), (M(2024, 1, 1), 4),
         (M(2024, 2, 1), 9), (M(2024, 3, 1), 9)]),
        # A span starting after the current month shows nothing yet.
        ([(M(2024, 6, 1), None, 3)], M(2024, 5, 31), []),
    ],
)  # fmt: skip
def test_expand_snapshots(
    spans: list[tuple[dt.date, dt.date | None, int]],
    current: dt.date,
    expected: list[tuple[dt.date, int]],
) -> None:
    assert expand_snapshots(spans, current) == expected


def _subscription(**dates: dt.date | None) -> Subscription:
    fields: dict[str, dt.date | None] = {
        "start_date": M(2024, 1, 1),
        "end_date": None,
        "trial_end_date": None,
        "canceled_at": None,
        "past_due_since": None,
    }
    fields.update(dates)
    return Subscription(external_id="S", currency="USD", **fields)


@pytest.mark.parametrize(
    ("dates", "status"),
    [
        ({}, "active"),
        ({"start_date": M(2024, 7, 1)}, "scheduled"),
        ({"end_date": M(2024, 6, 1)}, "ended"),
        ({"end_date": M(2024, 6, 2)}, "canceling"),
        ({"canceled_at": M(2024, 5, 1)}, "canceling"),
        ({"trial_end_date": M(2024, 6, 2)}, "trialing"),
        ({"trial_end_date": M(2024, 6, 1)}, "active"),
        ({"past_due_since": M(2024, 5, 20)}, "past_due"),
    ],
)
def test_subscription_status(dates: dict[str, dt.date], status: str) -> None:
    assert subscription_status(_subscription(**dates), M(2024, 6, 1)) == status


def test_paused_subscription_status() -> None:
    paused = _subscription()
    paused.pauses = [
        SubscriptionPause(start_date=M(2024, 5, 1), end_date=M(2024, 7, 1))
    ]
    assert subscription_status(paused, M(2024, 6, 1)) == "paused"
    assert subscription_status(paused, M(2024, 7, 1)) == "active"
