"""Property tests: the MRR bridge holds for random histories on every interval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.revenue.bridge import bridge
from tenure.revenue.calendar import INTERVALS, periods
from tenure.revenue.engine import compute
from tenure.revenue.fx import FxTable
from tenure.revenue.inputs import (
    ContractInput,
    CustomerInput,
    ItemInput,
    SubscriptionInput,
)
from tenure.revenue.normalise import customer_segments
from tenure.revenue.policy import Policy
from tenure.revenue.timeline import (
    CHURN,
    CONTRACTION,
    EXPANSION,
    NEW,
    REACTIVATION,
    mrr_on,
)

BASE = dt.date(2022, 1, 1)
DAYS = 3 * 365
CURRENCIES = ("USD", "EUR", "CNY", "JPY")

days = st.integers(min_value=0, max_value=DAYS).map(lambda n: BASE + dt.timedelta(n))


@st.composite
def spans(draw: st.DrawFn) -> tuple[dt.date, dt.date | None]:
    start = draw(days)
    length = draw(st.one_of(st.none(), st.integers(1, 800)))
    return start, None if length is None else start + dt.timedelta(length)


@st.composite
def items(draw: st.DrawFn, start: dt.date) -> ItemInput:
    item_start, item_end = draw(st.one_of(st.just((None, None)), spans()))
    percent = draw(st.one_of(st.none(), st.integers(1, 100).map(Decimal)))
    return ItemInput(
        unit_amount=draw(st.integers(0, 500_000)),
        quantity=draw(st.integers(0, 5)),
        start=item_start,
        end=item_end,
        discount_percent=percent,
        discount_amount=draw(st.one_of(st.none(), st.integers(1, 10_000))),
        discount_end=draw(st.one_of(st.none(), days)),
    )


@st.composite
def subscriptions(draw: st.DrawFn, index: int) -> SubscriptionInput:
    start, end = draw(spans())
    pause = draw(st.one_of(st.none(), spans()))
    return SubscriptionInput(
        external_id=f"s{index}",
        currency=draw(st.sampled_from(CURRENCIES)),
        start=start,
        end=end,
        items=tuple(draw(st.lists(items(start), min_size=1, max_size=3))),
        interval=draw(st.sampled_from(("week", "month", "quarter", "year"))),
        interval_count=draw(st.integers(1, 2)),
        trial_end=draw(st.one_of(st.none(), days)),
        canceled_at=draw(st.one_of(st.none(), days)),
        past_due_since=draw(st.one_of(st.none(), days)),
        pauses=() if pause is None else (pause,),
    )


@st.composite
def contracts(draw: st.DrawFn, count: int) -> tuple[ContractInput, ...]:
    result = []
    for index in range(count):
        start = draw(days)
        end = start + dt.timedelta(draw(st.integers(0, 1100)))
        renews = draw(st.one_of(st.none(), st.integers(0, max(index - 1, 0))))
        result.append(
            ContractInput(
                external_id=f"c{index}",
                currency=draw(st.sampled_from(CURRENCIES)),
                start=start,
                end=end,
                recurring_amount=draw(st.integers(0, 50_000_000)),
                renews=f"c{renews}" if renews is not None and renews < index else None,
            )
        )
    return tuple(result)


@st.composite
def customers(draw: st.DrawFn, account_id: int) -> CustomerInput:
    subs = draw(st.integers(0, 3))
    return CustomerInput(
        account_id=account_id,
        subscriptions=tuple(draw(subscriptions(i)) for i in range(subs)),
        contracts=draw(contracts(draw(st.integers(0, 3)))),
    )


@st.composite
def fx_tables(draw: st.DrawFn) -> FxTable:
    reporting = draw(st.sampled_from(CURRENCIES))
    rates = []
    for currency in CURRENCIES:
        if currency == reporting:
            continue
        for month in range(0, 40, draw(st.integers(1, 6))):
            day = BASE + dt.timedelta(days=30 * month)
            rate = Decimal(draw(st.integers(50, 2000))) / 1000
            rates.append((day, currency, reporting, rate))
    return FxTable(reporting, rates)


policies = st.builds(
    Policy,
    discount_mode=st.sampled_from(("deduct", "stripe")),
    churn_recognition=st.sampled_from(("period_end", "at_request")),
    contract_grace_days=st.integers(0, 90),
    past_due_churn_days=st.integers(0, 60),
    reactivation_window_days=st.sampled_from((0, 30, 90)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(st.integers(0, 10), min_size=1, max_size=4),
    data=st.data(),
    fx=fx_tables(),
    policy=policies,
    interval=st.sampled_from(INTERVALS),
)
def test_bridge_holds_per_customer_and_in_total(
    people: list[int], data: st.DataObject, fx: FxTable, policy: Policy, interval: str
) -> None:
    policy = Policy(**{**policy.__dict__, "reporting_currency": fx.reporting_currency})
    inputs = [data.draw(customers(i)) for i in range(len(people))]
    as_of = BASE + dt.timedelta(days=DAYS)
    results = [compute(c, fx, policy, as_of) for c in inputs]
    segments = {c.account_id: customer_segments(c, policy) for c in inputs}
    start = data.draw(days)
    end = start + dt.timedelta(days=data.draw(st.integers(0, 500)))
    spans_ = list(periods(start, end, interval))
    moves = [
        (r.account_id, m.date, m.kind, m.amount) for r in results for m in r.movements
    ]

    def direct(account: int, day: dt.date) -> tuple[int, bool]:
        return mrr_on(segments[account], day - dt.timedelta(days=1), fx)

    for row in bridge(moves, spans_, group_of=lambda a: str(a)):
        account = int(row.group or 0)
        opening = direct(account, row.period)
        closing = direct(account, next(e for s, e in spans_ if s == row.period))
        assert row.opening_mrr == opening[0]
        assert row.opening_mrr + row.movement_total() == row.mrr == closing[0]
        assert row.customers == int(closing[1])
    for row in bridge(moves, spans_):
        following = next(e for s, e in spans_ if s == row.period)
        assert row.mrr == sum(direct(c.account_id, following)[0] for c in inputs)
        assert row.opening_mrr + row.movement_total() == row.mrr
        assert row.customers == sum(direct(c.account_id, following)[1] for c in inputs)


@settings(max_examples=150, deadline=None)
@given(customer=customers(1), fx=fx_tables(), policy=policies)
def test_movement_kinds_follow_their_definitions(
    customer: CustomerInput, fx: FxTable, policy: Policy
) -> None:
    policy = Policy(**{**policy.__dict__, "reporting_currency": fx.reporting_currency})
    result = compute(customer, fx, policy, BASE + dt.timedelta(days=DAYS))
    segments = customer_segments(customer, policy)
    active, mrr, seen = False, 0, False
    for move in result.movements:
        if move.kind in (NEW, REACTIVATION):
            assert not active
            assert (
                move.kind == REACTIVATION or not seen or policy.reactivation_window_days
            )
            active = seen = True
        elif move.kind == CHURN:
            assert active and move.amount == -mrr
            active = False
        elif move.kind == EXPANSION:
            assert active and move.amount > 0
        elif move.kind == CONTRACTION:
            assert active and move.amount < 0
        mrr += move.amount
        assert mrr == move.mrr_after
    for move in result.movements:
        assert mrr_on(segments, move.date, fx)[0] == _after_day(result, move.date)


def _after_day(result: object, day: dt.date) -> int:
    moves = [m for m in result.movements if m.date <= day]  # type: ignore[attr-defined]
    return moves[-1].mrr_after if moves else 0
