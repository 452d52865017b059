"""Who is in a segment on a day: each kind of condition against stored data."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tenure.segments import service as segments
from tenure.segments.schemas import NotFound, SegmentFilter
from tests.segments.conftest import AS_OF, Operations, days_before


def members(session: Session, definition: dict[str, Any], **kwargs: Any) -> set[int]:
    return segments.member_ids(
        session, SegmentFilter.model_validate(definition), AS_OF, **kwargs
    )


def test_an_empty_filter_holds_every_account(
    session: Session, company: Operations
) -> None:
    ids = {company.account("P1"), company.customer("C1")}
    assert members(session, {}) == ids
    assert members(session, {}, accounts=[min(ids)]) == {min(ids)}


def test_record_fields_owner_tags_and_custom_attributes(
    session: Session, company: Operations
) -> None:
    ann = company.user("Ann@example.com")
    retail = company.account(
        "R1",
        industry="Retail",
        region="East",
        size="SMB",
        tier="KA",
        owner_id=ann,
        tags=["vip", "api"],
        custom_attributes={"seats": 120, "beta": True},
    )
    company.account("E1", industry="Education", tags=["api"])
    assert members(session, {"industry": "Retail", "tier": "KA"}) == {retail}
    assert members(session, {"owner": "ann@example.com"}) == {retail}
    assert members(session, {"tags_all": ["vip", "api"]}) == {retail}
    assert members(session, {"custom": {"seats": "120", "beta": True}}) == {retail}


def test_mrr_and_status_are_those_of_the_day(
    session: Session, company: Operations
) -> None:
    grew = company.customer("G1", mrr=10_000, since=dt.date(2026, 1, 1))
    company.movement(grew, days_before(10), "expansion", 40_000, 50_000)
    left = company.customer("L1", mrr=30_000, since=dt.date(2026, 1, 1))
    company.movement(left, days_before(5), "churn", -30_000, 0)
    prospect = company.account("P1")
    assert members(session, {"mrr_min": 400}) == {grew}
    assert members(session, {"mrr_min": 200, "mrr_max": 400}) == set()
    assert members(session, {"status": "churned"}) == {left}
    assert members(session, {"status": "prospect"}) == {prospect}
    earlier = SegmentFilter.model_validate({"mrr_min": 200})
    assert segments.member_ids(session, earlier, days_before(20)) == {left}


def test_mrr_change_over_the_window(session: Session, company: Operations) -> None:
    grew = company.customer("G1", mrr=10_000, since=dt.date(2026, 1, 1))
    company.movement(grew, days_before(30), "expansion", 2_000, 12_000)
    flat = company.customer("F1", mrr=10_000, since=dt.date(2026, 1, 1))
    assert members(session, {"mrr_change_min": 0.2}) == {grew}
    assert members(session, {"mrr_change_max": 0.01}) == {flat}
    assert members(session, {"mrr_change_min": 0.1, "mrr_change_days": 20}) == set()


def test_the_latest_health_on_or_before_the_day(
    session: Session, company: Operations
) -> None:
    worse = company.customer("W1")
    company.health(worse, days_before(7), "green", 80.0)
    company.health(worse, AS_OF, "red", 20.0)
    company.health(worse, AS_OF + dt.timedelta(days=1), "green", 90.0)
    thin = company.customer("T1")
    company.health(thin, days_before(3), "insufficient")
    company.customer("U1")
    assert members(session, {"health_bands": "red"}) == {worse}
    assert members(session, {"health_bands": "insufficient"}) == {thin}
    assert members(session, {"health_score_max": 50}) == {worse}
    before = SegmentFilter(health_bands=["green"])
    assert segments.member_ids(session, before, days_before(1)) == {worse}


def test_average_daily_active_users_over_the_window(
    session: Session, company: Operations
) -> None:
    busy = company.customer("B1")
    company.daily(busy, days_before(29), AS_OF, 10)
    quiet = company.customer("Q1")
    company.daily(quiet, days_before(29), days_before(20), 3)
    company.customer("N1")
    assert members(session, {"active_users_min": 5}) == {busy}
    assert members(session, {"active_users_max": 2}) == {quiet}
    week = {"active_users_max": 1, "usage_window_days": 7}
    assert members(session, week) == {quiet}


def test_an_open_renewal_due_within_the_days(
    session: Session, company: Operations
) -> None:
    soon = company.customer("S1")
    company.renewal(soon, AS_OF + dt.timedelta(days=30))
    late = company.customer("L1")
    company.renewal(late, AS_OF + dt.timedelta(days=120))
    overdue = company.customer("O1")
    company.renewal(overdue, days_before(5))
    won = company.customer("W1")
    company.renewal(won, AS_OF + dt.timedelta(days=10), outcome="renewed")
    assert members(session, {"renewal_within_days": 90}) == {soon, overdue}


def test_all_conditions_must_hold(session: Session, company: Operations) -> None:
    both = company.customer("B1", mrr=50_000, industry="Retail")
    company.customer("M1", mrr=50_000, industry="Education")
    company.customer("I1", mrr=1_000, industry="Retail")
    assert members(session, {"industry": "Retail", "mrr_min": 100}) == {both}


def test_only_the_given_accounts_are_looked_at(
    session: Session, company: Operations
) -> None:
    first = company.customer("A1", industry="Retail")
    company.customer("A2", industry="Retail")
    assert members(session, {"industry": "Retail"}, accounts=[first]) == {first}


def test_a_saved_segment_is_found_by_key_or_id(
    session: Session, company: Operations
) -> None:
    retail = company.customer("A1", industry="Retail")
    saved = segments.create_segment(
        session,
        {"key": "retail", "name": "Retail", "definition": {"industry": "Retail"}},
        None,
    )
    assert segments.member_ids(session, "retail", AS_OF) == {retail}
    assert segments.member_ids(session, saved.id, AS_OF) == {retail}
    assert segments.member_ids(session, saved, AS_OF) == {retail}


@pytest.mark.parametrize("ref", ["nope", 999_999])
def test_an_unknown_segment_is_not_found(
    session: Session, company: Operations, ref: str | int
) -> None:
    with pytest.raises(NotFound, match="no such segment"):
        segments.member_ids(session, ref, AS_OF)
