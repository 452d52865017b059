"""Engine behaviour beyond the worked cases: policies, edge cases and renewals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.revenue.engine import compute
from tenure.revenue.fx import FxTable, MissingRateError
from tenure.revenue.inputs import (
    ContractInput,
    CustomerInput,
    ItemInput,
    SubscriptionInput,
)
from tenure.revenue.policy import Policy

D = dt.date
AS_OF = D(2026, 1, 1)
USD = FxTable("USD")


def monthly(
    ext: str = "s1",
    amount: int = 10_000,
    start: dt.date = D(2024, 1, 1),
    end: dt.date | None = None,
    **extra: object,
) -> SubscriptionInput:
    return SubscriptionInput(ext, "USD", start, (ItemInput(amount),), end, **extra)  # type: ignore[arg-type]


def moves(
    *subs: SubscriptionInput,
    contracts: tuple[ContractInput, ...] = (),
    policy: Policy | None = None,
    fx: FxTable = USD,
) -> list[tuple[str, str, int]]:
    customer = CustomerInput(1, tuple(subs), contracts)
    result = compute(customer, fx, policy or Policy(), AS_OF)
    return [(m.date.isoformat(), m.kind, m.amount) for m in result.movements]


def test_pause_stops_mrr_and_resumes_as_reactivation() -> None:
    sub = monthly(pauses=((D(2024, 3, 1), D(2024, 5, 1)),))
    assert moves(sub) == [
        ("2024-01-01", "new", 10_000),
        ("2024-03-01", "churn", -10_000),
        ("2024-05-01", "reactivation", 10_000),
    ]


def test_past_due_churns_after_the_configured_days() -> None:
    sub = monthly(past_due_since=D(2024, 3, 10))
    assert moves(sub)[-1] == ("2024-01-01", "new", 10_000)
    late = moves(sub, policy=Policy(past_due_churn_days=30))
    assert late[-1] == ("2024-04-09", "churn", -10_000)


def test_cancellation_at_request_churns_on_the_request_day() -> None:
    sub = monthly(end=D(2024, 6, 1), canceled_at=D(2024, 4, 20))
    assert moves(sub)[-1] == ("2024-06-01", "churn", -10_000)
    at_request = moves(sub, policy=Policy(churn_recognition="at_request"))
    assert at_request[-1] == ("2024-04-20", "churn", -10_000)


def test_full_discount_keeps_a_customer_and_a_free_plan_is_none() -> None:
    full = SubscriptionInput(
        "s1", "USD", D(2024, 1, 1), (ItemInput(5_000, discount_percent=Decimal(100)),)
    )
    result = compute(CustomerInput(1, (full,)), USD, Policy(), AS_OF)
    assert (result.mrr, result.active) == (0, True)
    free = SubscriptionInput("s2", "USD", D(2024, 1, 1), (ItemInput(0),))
    result = compute(CustomerInput(2, (free,)), USD, Policy(), AS_OF)
    assert (result.mrr, result.active, result.movements) == (0, False, [])


def test_weekly_price_is_normalised_by_52_over_12() -> None:
    sub = SubscriptionInput(
        "s1", "USD", D(2024, 1, 1), (ItemInput(1_200),), None, "week"
    )
    assert moves(sub) == [("2024-01-01", "new", 5_200)]


def test_unlinked_contract_bought_mid_term_adds_up() -> None:
    contracts = (
        ContractInput("k1", "USD", D(2024, 1, 1), D(2024, 12, 31), 1_200_000),
        ContractInput("k2", "USD", D(2024, 7, 1), D(2024, 12, 31), 300_000),
    )
    assert moves(contracts=contracts, policy=Policy(contract_grace_days=0)) == [
        ("2024-01-01", "new", 100_000),
        ("2024-07-01", "expansion", 50_000),
        ("2025-01-01", "churn", -150_000),
    ]


def test_contract_without_successor_churns_when_grace_ends() -> None:
    contract = ContractInput("k1", "USD", D(2024, 1, 1), D(2024, 12, 31), 1_200_000)
    policy = Policy(contract_grace_days=60)
    result = compute(CustomerInput(1, (), (contract,)), USD, policy, AS_OF)
    assert result.movements[-1].date == D(2025, 3, 2)
    assert [(s.month_from, s.month_to, s.pending_renewal) for s in result.months] == [
        (D(2024, 1, 1), D(2024, 12, 1), False),
        (D(2025, 1, 1), D(2025, 2, 1), True),
    ]
    assert [t.outcome for t in result.terms] == ["churned"]


def test_open_term_uses_its_capped_forecast() -> None:
    contract = ContractInput(
        "k1",
        "USD",
        D(2025, 6, 1),
        D(2026, 5, 31),
        1_200_000,
        forecast_renewal=2_000_000,
    )
    result = compute(CustomerInput(1, (), (contract,)), USD, Policy(), AS_OF)
    assert [(t.outcome, t.forecast_amount) for t in result.terms] == [
        ("open", 1_200_000)
    ]


def test_annual_subscription_terms_renew_and_churn() -> None:
    sub = SubscriptionInput(
        "s1", "USD", D(2023, 3, 1), (ItemInput(120_000),), D(2025, 3, 1), "year"
    )
    result = compute(CustomerInput(1, (sub,)), USD, Policy(), AS_OF)
    assert [(t.due_date.isoformat(), t.outcome) for t in result.terms] == [
        ("2024-02-29", "renewed"),
        ("2025-02-28", "churned"),
    ]


def test_monthly_subscriptions_have_no_renewal_terms() -> None:
    result = compute(CustomerInput(1, (monthly(),)), USD, Policy(), AS_OF)
    assert result.terms == []


def test_rates_are_found_through_inverse_and_cross_pairs() -> None:
    fx = FxTable(
        "CNY",
        [
            (D(2024, 1, 1), "CNY", "USD", Decimal("0.125")),
            (D(2024, 1, 1), "EUR", "USD", Decimal("1.10")),
        ],
    )
    assert fx.convert(100, "USD", D(2024, 6, 1)) == 800
    assert fx.convert(100, "EUR", D(2024, 6, 1)) == 880
    with pytest.raises(MissingRateError, match="GBP"):
        fx.convert(100, "GBP", D(2024, 6, 1))


def test_currencies_with_other_minor_units_convert_exactly() -> None:
    fx = FxTable("USD", [(D(2024, 1, 1), "JPY", "USD", Decimal("0.0067"))])
    sub = SubscriptionInput("s1", "JPY", D(2024, 1, 1), (ItemInput(15_000),))
    assert moves(sub, fx=fx) == [("2024-01-01", "new", 10_050)]
