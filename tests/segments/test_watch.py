"""The watch list: watch, change why, unwatch, and only accounts in scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.segments import watch
from tenure.segments.schemas import NotFound, SegmentError
from tests.segments.conftest import AS_OF, Operations


def test_a_watched_account_is_listed_with_why(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com", role="admin")
    acme = company.customer("ACME", mrr=250_000, tier="KA", priority=90)
    company.health(acme, AS_OF, "yellow", 55.0)
    watch.watch(session, ann, "ACME", reason="  renewal in March ")
    rows = watch.watched(session, ann)
    assert len(rows) == 1
    row = rows[0]
    assert (row["account_id"], row["account_name"], row["tier"]) == (
        "ACME",
        "ACME",
        "KA",
    )
    assert (row["band"], row["mrr"], row["reason"]) == (
        "yellow",
        Decimal("2500.00"),
        "renewal in March",
    )
    assert watch.is_watched(session, ann, acme)


def test_watching_again_changes_the_reason(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com", role="admin")
    company.customer("ACME")
    watch.watch(session, ann, "ACME", reason="first")
    watch.watch(session, ann, "ACME", reason="second")
    assert [r["reason"] for r in watch.watched(session, ann)] == ["second"]


def test_unwatching_takes_it_off_once(session: Session, company: Operations) -> None:
    ann = company.user("ann@example.com", role="admin")
    acme = company.customer("ACME")
    watch.watch(session, ann, "ACME")
    assert watch.unwatch(session, ann, "ACME") is True
    assert watch.unwatch(session, ann, "ACME") is False
    assert not watch.is_watched(session, ann, acme)
    assert watch.watched(session, ann) == []


def test_highest_priority_comes_first(session: Session, company: Operations) -> None:
    ann = company.user("ann@example.com", role="admin")
    company.customer("LOW", priority=0)
    company.customer("NONE")
    company.customer("TOP", priority=90)
    for account in ("LOW", "NONE", "TOP"):
        watch.watch(session, ann, account)
    assert [r["account_id"] for r in watch.watched(session, ann)] == [
        "TOP",
        "LOW",
        "NONE",
    ]


def test_each_user_has_a_list_of_their_own(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com", role="admin")
    bob = company.user("bob@example.com", role="admin")
    company.customer("ACME")
    watch.watch(session, ann, "ACME")
    assert watch.watched(session, bob) == []


def test_an_account_outside_the_scope_cannot_be_watched(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com")
    bob = company.user("bob@example.com")
    company.customer("BOBS", owner_id=bob)
    with pytest.raises(NotFound, match="no such account"):
        watch.watch(session, ann, "BOBS")


def test_an_account_leaving_the_scope_leaves_the_list(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com")
    bob = company.user("bob@example.com")
    acme = company.customer("ACME", owner_id=ann)
    watch.watch(session, ann, "ACME")
    account = session.get_one(Account, acme)
    account.owner_id = bob
    session.flush()
    assert watch.watched(session, ann) == []


def test_a_long_reason_is_refused(session: Session, company: Operations) -> None:
    ann = company.user("ann@example.com", role="admin")
    company.customer("ACME")
    with pytest.raises(SegmentError, match="at most 300 characters"):
        watch.watch(session, ann, "ACME", reason="x" * 301)
