"""Daily scoring: who is scored, by which scorecard, stored once per day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.health import service
from tenure.health.models import HealthSnapshot, Scorecard, SentimentEntry

from .conftest import AS_OF, Company, days_before
from .definitions import attribute, label, linear_measure

SEATS_ONLY = {
    "measures": [linear_measure("seats", attribute("seats"))],
    "minimum": {"weight_share": 0.5, "measures": 1},
}


def snapshots(session: Session, day: dt.date = AS_OF) -> dict[int, HealthSnapshot]:
    """The stored snapshots of ``day`` by account id."""
    session.expire_all()
    rows = session.scalars(select(HealthSnapshot).where(HealthSnapshot.as_of == day))
    return {row.account_id: row for row in rows}


def card(session: Session, name: str, **fields: Any) -> Scorecard:
    """Create a scorecard scoring the ``seats`` attribute from 0 to 100."""
    spec = {"name": name, "definition": SEATS_ONLY, **fields}
    return service.create(session, spec)


def test_creates_the_default_scorecard_when_none_exists(
    session: Session, company: Company
) -> None:
    company.customer("A")
    stats = service.score_accounts(session, AS_OF)
    cards = service.list_scorecards(session)
    assert [(c.name, c.is_default, c.version) for c in cards] == [("Default", True, 1)]
    assert stats.accounts == 1


def test_scores_customers_only(session: Session, company: Company) -> None:
    card(session, "Seats", is_default=True)
    paying = company.customer("P", custom_attributes={"seats": 80})
    company.account("prospect", custom_attributes={"seats": 80})
    gone = company.customer("G", custom_attributes={"seats": 80})
    company.movement(gone, days_before(5), "churn", -10_000, 0)
    later = company.customer("L", since=days_before(-3))
    stats = service.score_accounts(session, AS_OF)
    assert set(snapshots(session)) == {paying}
    assert stats.accounts == 1
    assert later not in snapshots(session)


def test_snapshot_holds_score_band_version_and_measures(
    session: Session, company: Company
) -> None:
    seats = card(session, "Seats", is_default=True)
    a = company.customer("A", custom_attributes={"seats": 64})
    service.score_accounts(session, AS_OF)
    row = snapshots(session)[a]
    assert (row.score, row.band, row.computed_score, row.reason) == (
        64.0,
        "yellow",
        64.0,
        None,
    )
    assert (row.scorecard_id, row.scorecard_version) == (seats.id, 1)
    assert row.measures == [
        {
            "key": "seats",
            "metric": "attribute:seats",
            "status": "scored",
            "value": 64.0,
            "points": 64.0,
            "weight": 1.0,
            "effective_weight": 1.0,
            "contribution": 64.0,
        }
    ]


def test_insufficient_data_stores_no_score(session: Session, company: Company) -> None:
    card(session, "Seats", is_default=True)
    a = company.customer("A")
    stats = service.score_accounts(session, AS_OF)
    row = snapshots(session)[a]
    assert (row.score, row.computed_score, row.band) == (None, None, "insufficient")
    assert row.measures[0]["status"] == "missing"
    assert stats.insufficient == 1


def test_rerun_replaces_the_day_without_duplicates(
    session: Session, company: Company
) -> None:
    card(session, "Seats", is_default=True)
    a = company.customer("A", custom_attributes={"seats": 30})
    b = company.customer("B", custom_attributes={"seats": 90})
    service.score_accounts(session, days_before(1))
    service.score_accounts(session, AS_OF)
    row = session.get(Account, a)
    assert row is not None
    row.custom_attributes = {"seats": 75}
    session.flush()
    service.score_accounts(session, AS_OF)
    today = snapshots(session)
    assert {k: v.score for k, v in today.items()} == {a: 75.0, b: 90.0}
    assert snapshots(session, days_before(1))[a].score == 30.0
    total = session.scalar(select(func.count()).select_from(HealthSnapshot))
    assert total == 4


def test_rescoring_some_accounts_leaves_the_others(
    session: Session, company: Company
) -> None:
    card(session, "Seats", is_default=True)
    a = company.customer("A", custom_attributes={"seats": 30})
    b = company.customer("B", custom_attributes={"seats": 90})
    service.score_accounts(session, AS_OF)
    service.update_scorecard(
        session,
        service.ensure_default_scorecard(session).id,
        {"definition": {**SEATS_ONLY, "bands": [
            {"name": "low", "label": label("Low"), "min": 0},
            {"name": "high", "label": label("High"), "min": 50},
        ]}},
    )  # fmt: skip
    stats = service.score_accounts(session, AS_OF, account_ids=[a])
    rows = snapshots(session)
    assert stats.accounts == 1
    assert (rows[a].band, rows[a].scorecard_version) == ("low", 2)
    assert (rows[b].band, rows[b].scorecard_version) == ("green", 1)


def test_segments_by_priority_with_the_default_as_fallback(
    session: Session, company: Company
) -> None:
    default = card(session, "Everyone", is_default=True, priority=0)
    retail = card(session, "Retail", priority=20, segment={"industry": "Retail"})
    key = card(session, "Key accounts", priority=10, segment={"tier": "Key"})
    card(session, "Off", priority=1, segment={"tier": "Key"}, active=False)
    both = company.customer("B", industry="Retail", tier="Key")
    shop = company.customer("S", industry="Retail", tier="Standard")
    other = company.customer("O", industry="Education")
    service.score_accounts(session, AS_OF)
    used = {k: v.scorecard_id for k, v in snapshots(session).items()}
    assert used == {both: key.id, shop: retail.id, other: default.id}


def test_segment_on_plan_tags_and_mrr(session: Session, company: Company) -> None:
    card(session, "Everyone", is_default=True)
    big = card(session, "Big", priority=1, segment={"mrr_min": "500"})
    vip = card(session, "VIP", priority=2, segment={"tags_any": ["vip"]})
    large = company.customer("L", mrr=60_000)
    tagged = company.customer("T", tags=["vip"])
    service.score_accounts(session, AS_OF)
    used = {k: v.scorecard_id for k, v in snapshots(session).items()}
    assert used == {large: big.id, tagged: vip.id}


def test_default_scorecard_scores_usage_renewal_mrr_and_sentiment(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    company.daily(a, days_before(59), AS_OF, active_users=5)
    company.renewal(a, dt.date(2026, 12, 31))
    session.add(SentimentEntry(account_id=a, value=4, recorded_on=days_before(3)))
    session.flush()
    service.score_accounts(session, AS_OF)
    row = snapshots(session)[a]
    points = {m["key"]: m["points"] for m in row.measures}
    # Level usage: 0.0 on a -0.5..0.1 line; 30 active days; renewal 184 days
    # away; MRR unchanged; sentiment 4 of 1..5.
    assert points == {
        "active_users_trend": 83.3333,
        "days_active": 100.0,
        "renewal_proximity": 100.0,
        "mrr_trend": 75.0,
        "sentiment": 75.0,
    }
    # (83.3333 * 25 + 100 * 25 + 100 * 15 + 75 * 20 + 75 * 15) / 100
    assert row.score == 87.1
    assert row.band == "green"


def test_exception_and_override_are_recorded_with_their_reason(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    b = company.customer("B")
    for account in (a, b):
        company.daily(account, days_before(59), AS_OF, active_users=5)
        session.add(SentimentEntry(account_id=account, value=1, recorded_on=AS_OF))
    session.flush()
    service.create_override(
        session,
        account_external_id="B",
        band="yellow",
        reason="Exec sponsor says all is fine",
        starts_on=days_before(1),
        expires_on=days_before(-30),
    )
    stats = service.score_accounts(session, AS_OF)
    rows = snapshots(session)
    assert (rows[a].band, rows[a].reason) == (
        "red",
        "exception very_unhappy: The CSM reports the customer very unhappy",
    )
    assert (rows[b].band, rows[b].reason) == (
        "yellow",
        "override: Exec sponsor says all is fine",
    )
    assert rows[a].score == rows[a].computed_score
    assert stats.forced == 2


def statements_to_score(session: Session) -> int:
    """How many SQL statements one scoring run sends."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        service.score_accounts(session, AS_OF)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def test_statements_do_not_grow_with_accounts(
    session: Session, company: Company
) -> None:
    def add(count: int, offset: int) -> None:
        for number in range(offset, offset + count):
            account = company.customer(f"A{number}")
            company.daily(account, days_before(59), AS_OF, active_users=number % 4)
            company.renewal(account, dt.date(2026, 9, 1))
            session.add(SentimentEntry(account_id=account, value=3, recorded_on=AS_OF))
        session.flush()

    service.ensure_default_scorecard(session)
    add(2, 0)
    few = statements_to_score(session)
    add(40, 2)
    many = statements_to_score(session)
    assert few == many
    assert many < 30
