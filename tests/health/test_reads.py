"""Reading stored health: report rows, an account's why and history, distributions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.health import service
from tenure.health.errors import HealthError, NotFound

from .conftest import AS_OF, Company, days_before
from .definitions import attribute, linear_measure

SEATS = {"measures": [linear_measure("seats", attribute("seats"))],
         "minimum": {"measures": 1}}  # fmt: skip


@pytest.fixture
def scored(session: Session, company: Company) -> dict[str, int]:
    """Three customers of two owners scored on the last three days.

    A (alice, Retail, East): seats 20 -> red; B (alice, Retail, West): seats 50 ->
    yellow; C (bob, Education, East): no seats -> insufficient. On the first day A
    had 80 seats (green).
    """
    service.create(session, {"name": "Seats", "is_default": True, "definition": SEATS})
    alice = company.staff("alice@example.com")
    bob = company.staff("bob@example.com")
    a = company.customer("A", industry="Retail", region="East", owner_id=alice,
                         custom_attributes={"seats": 80})  # fmt: skip
    company.customer("B", industry="Retail", region="West", owner_id=alice,
                     custom_attributes={"seats": 50})  # fmt: skip
    company.customer("C", industry="Education", region="East", owner_id=bob)
    service.score_accounts(session, days_before(2))
    session.get_one(Account, a).custom_attributes = {"seats": 20}
    session.flush()
    service.score_accounts(session, days_before(1))
    service.score_accounts(session, AS_OF)
    return {"alice": alice, "bob": bob}


def test_report_rows_latest_per_account(
    session: Session, scored: dict[str, int]
) -> None:
    assert service.report_rows(session) == [
        {"account_id": "A", "score": 20.0, "band": "red", "as_of": AS_OF},
        {"account_id": "B", "score": 50.0, "band": "yellow", "as_of": AS_OF},
        {"account_id": "C", "score": None, "band": "insufficient", "as_of": AS_OF},
    ]


def test_report_rows_of_a_day_an_account_and_a_scope(
    session: Session, scored: dict[str, int]
) -> None:
    first = service.report_rows(session, as_of=days_before(2), account_id="A")
    assert first == [
        {"account_id": "A", "score": 80.0, "band": "green", "as_of": days_before(2)}
    ]
    bobs = service.report_rows(session, owners=frozenset({scored["bob"]}))
    assert [row["account_id"] for row in bobs] == ["C"]
    assert service.report_rows(session, as_of=days_before(10)) == []


def test_latest_scores_by_internal_id(session: Session, scored: dict[str, int]) -> None:
    latest = service.latest_scores(session, owners=frozenset({scored["alice"]}))
    assert sorted(row["band"] for row in latest.values()) == ["red", "yellow"]


def test_account_health_explains_the_latest_score(
    session: Session, scored: dict[str, int]
) -> None:
    health = service.account_health(session, "A", None)
    latest = health["latest"]
    assert (latest["as_of"], latest["score"], latest["band"]) == (AS_OF, 20.0, "red")
    assert latest["insufficient"] is False
    assert latest["applied"] is None
    assert latest["scorecard"]["name"] == "Seats"
    assert [b["name"] for b in latest["bands"]] == ["red", "yellow", "green"]
    [measure] = latest["measures"]
    assert measure["label"] == {"en": "seats", "zh-CN": "seats（中文）"}
    assert (measure["value"], measure["points"], measure["contribution"]) == (
        20.0,
        20.0,
        20.0,
    )
    assert health["history"] == [
        {"as_of": days_before(2), "score": 80.0, "band": "green"},
        {"as_of": days_before(1), "score": 20.0, "band": "red"},
        {"as_of": AS_OF, "score": 20.0, "band": "red"},
    ]
    assert health["trend"] is None
    assert health["override"] is None


def test_account_health_shows_the_override_and_why(
    session: Session, scored: dict[str, int]
) -> None:
    service.create_override(
        session,
        account_external_id="C",
        band="green",
        reason="Onboarding; usage data not connected yet",
        starts_on=AS_OF,
        expires_on=AS_OF + dt.timedelta(days=14),
    )
    service.score_accounts(session, AS_OF)
    health = service.account_health(session, "C", None)
    assert health["latest"]["band"] == "green"
    assert health["latest"]["score"] is None
    assert health["latest"]["insufficient"] is True
    assert health["latest"]["applied"] == {
        "kind": "override",
        "key": None,
        "reason": "Onboarding; usage data not connected yet",
    }
    assert health["override"]["expires_on"] == AS_OF + dt.timedelta(days=14)


def test_account_health_respects_scope(
    session: Session, scored: dict[str, int]
) -> None:
    with pytest.raises(NotFound, match="account 'C' not found"):
        service.account_health(session, "C", frozenset({scored["alice"]}))


def test_account_without_snapshots(session: Session, company: Company) -> None:
    company.customer("N")
    health = service.account_health(session, "N", None)
    assert (health["latest"], health["history"]) == (None, [])


def test_trend_over_thirty_days(session: Session, company: Company) -> None:
    service.create(session, {"name": "Seats", "is_default": True, "definition": SEATS})
    a = company.customer("A", custom_attributes={"seats": 30})
    service.score_accounts(session, days_before(30))
    session.get_one(Account, a).custom_attributes = {"seats": 45.5}
    session.flush()
    service.score_accounts(session, AS_OF)
    assert service.account_health(session, "A", None)["trend"] == 15.5


def test_distribution_of_a_day_by_segment(
    session: Session, scored: dict[str, int]
) -> None:
    overall = service.distribution(session)
    assert overall["as_of"] == AS_OF
    assert overall["total"] == 3
    assert overall["rows"] == [
        {"segment": None, "band": "red", "accounts": 1},
        {"segment": None, "band": "yellow", "accounts": 1},
        {"segment": None, "band": "insufficient", "accounts": 1},
    ]
    by_industry = service.distribution(session, as_of=days_before(2), by="industry")
    assert by_industry["rows"] == [
        {"segment": "Education", "band": "insufficient", "accounts": 1},
        {"segment": "Retail", "band": "green", "accounts": 1},
        {"segment": "Retail", "band": "yellow", "accounts": 1},
    ]
    alices = service.distribution(
        session, by="region", owners=frozenset({scored["alice"]})
    )
    assert alices["rows"] == [
        {"segment": "East", "band": "red", "accounts": 1},
        {"segment": "West", "band": "yellow", "accounts": 1},
    ]


def test_distribution_trend_over_days(session: Session, scored: dict[str, int]) -> None:
    rows = service.distribution_trend(
        session, days_before(2), days_before(1), owners=frozenset({scored["alice"]})
    )
    assert rows == [
        {"as_of": days_before(2), "segment": None, "band": "green", "accounts": 1},
        {"as_of": days_before(2), "segment": None, "band": "yellow", "accounts": 1},
        {"as_of": days_before(1), "segment": None, "band": "red", "accounts": 1},
        {"as_of": days_before(1), "segment": None, "band": "yellow", "accounts": 1},
    ]
    by_tier = service.distribution_trend(session, AS_OF, AS_OF, by="tier")
    assert {row["segment"] for row in by_tier} == {None}


def test_distribution_errors_and_empty(session: Session) -> None:
    with pytest.raises(HealthError, match="distribution by 'owner' is unknown"):
        service.distribution(session, by="owner")
    with pytest.raises(HealthError, match="is before start"):
        service.distribution_trend(session, AS_OF, days_before(1))
    assert service.distribution(session) == {
        "as_of": None,
        "by": None,
        "total": 0,
        "rows": [],
    }
