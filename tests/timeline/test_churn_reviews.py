"""Churn reviews: only for churned customers, one per churn, listed for leaders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.auth.scope import owner_scope
from tenure.db.base import utcnow
from tenure.timeline.models import ChurnReview
from tenure.timeline.service import (
    NotFound,
    TimelineError,
    add_churn_review,
    churn_review,
    churn_reviews,
    timeline,
)
from tests.tasks.conftest import Org, People

STARTED = dt.date(2025, 1, 1)
CHURNED = dt.date(2026, 6, 1)


def churned(org: Org, external_id: str, owner: object) -> int:
    """An account that became a customer on STARTED and churned on CHURNED."""
    account = org.account(external_id, owner)  # type: ignore[arg-type]
    org.movement(account, STARTED, "new", 10_000)
    org.movement(account, CHURNED, "churn", 0)
    return account


def review(session: Session, org: Org, people: People, **fields: object) -> ChurnReview:
    """Write a review of account A as the CSM."""
    values: dict[str, object] = {"reason": "price", "what_happened": "Budget cut"}
    return add_churn_review(session, people.csm, "A", **{**values, **fields})  # type: ignore[arg-type]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChurnReview)) or 0


def test_an_account_still_paying_cannot_be_reviewed(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    org.movement(account, STARTED, "new", 10_000)
    with pytest.raises(TimelineError, match="account 'A': has not churned"):
        review(session, org, people)


def test_a_review_is_dated_on_the_churn_by_default(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    written = review(session, org, people, lessons="Talk price early")
    assert (written.churned_on, written.reason, written.author_id) == (
        CHURNED,
        "price",
        people.csm.user_id,
    )


def test_a_second_review_of_the_same_churn_updates_it(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    first = review(session, org, people)
    second = review(session, org, people, reason="competitor", preventable=True)
    assert second.id == first.id
    assert (second.reason, second.preventable) == ("competitor", True)
    assert count(session) == 1


def test_a_customer_back_and_gone_again_gets_a_new_review(
    session: Session, org: Org, people: People
) -> None:
    account = churned(org, "A", people.csm)
    review(session, org, people)
    org.movement(account, dt.date(2026, 8, 1), "reactivation", 5_000)
    org.movement(account, dt.date(2026, 10, 1), "churn", 0)
    again = review(session, org, people, reason="support")
    assert again.churned_on == dt.date(2026, 10, 1)
    assert count(session) == 2
    assert churn_review(session, "A", None)["reason"] == "support"


def test_an_unknown_reason_is_refused(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    with pytest.raises(TimelineError, match="reason 'moved'"):
        review(session, org, people, reason="moved")


def test_a_churn_date_before_the_customer_started_is_refused(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    with pytest.raises(TimelineError, match="churned_on"):
        review(session, org, people, churned_on=dt.date(2024, 6, 1))


def test_the_review_shows_on_the_timeline(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    review(session, org, people, lessons="Watch usage")
    (row,) = timeline(session, "A", None)
    assert row["kind"] == "churn_review"
    assert (row["reason"], row["lessons"], row["churned_on"]) == (
        "price",
        "Watch usage",
        CHURNED,
    )
    assert row["subject"] == "Budget cut"
    assert row["occurred_at"] <= utcnow()
    assert timeline(session, "A", None, kinds=["note"]) == []


def test_an_account_without_a_review_answers_not_found(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    with pytest.raises(NotFound, match="no churn review"):
        churn_review(session, "A", None)


def test_the_leaders_list_keeps_the_scope_date_and_reason(
    session: Session, org: Org, people: People
) -> None:
    churned(org, "A", people.csm)
    review(session, org, people)
    churned(org, "FAR", people.outsider)
    add_churn_review(
        session, people.admin, "FAR", reason="budget", what_happened="Closed a unit"
    )
    everyone = churn_reviews(session, None)
    assert sorted(r["account_id"] for r in everyone) == ["A", "FAR"]
    mine = churn_reviews(session, owner_scope(session, people.manager))
    assert [(r["account_id"], r["author"], r["account_name"]) for r in mine] == [
        ("A", "Cam", "A Ltd")
    ]
    assert [r["account_id"] for r in churn_reviews(session, None, reason="budget")] == [
        "FAR"
    ]
    assert churn_reviews(session, None, since=CHURNED + dt.timedelta(days=1)) == []
