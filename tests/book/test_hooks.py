"""Where assignment runs by itself: the daily job and the accounts import."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account
from tenure.imports import ImportFailed, import_rows
from tenure.jobs import service as jobs

from .conftest import TODAY, Book, People, counts


def test_the_assignment_job_runs_between_tiers_and_rules() -> None:
    names = list(jobs.jobs())
    assert names.index("tiers") < names.index("assignment") < names.index("rules")


def test_the_job_assigns_the_unowned_accounts_and_a_rerun_nothing(
    book: Book, people: People, session: Session, factory: sessionmaker[Session]
) -> None:
    book.account("N1", region="East")
    book.account("N2", region="Mars")
    book.rule("East", conditions={"region": ["East"]}, user_id=people.csm.user_id)
    session.commit()
    context = jobs.JobContext(factory, None, TODAY)

    first = jobs.run_job(context, "assignment", TODAY.isoformat())
    again = jobs.run_job(context, "assignment", TODAY.isoformat())

    assert first.status == "succeeded"
    assert (first.details["assigned"], first.details["unmatched"]) == (1, 1)
    assert first.details["per_owner"] == {"cam@example.com": 1}
    assert first.details["unmatched_ids"] == ["N2"]
    assert (again.attempts, again.details["assigned"]) == (2, 0)
    with factory() as fresh:
        owned = select(func.count()).where(Account.owner_id.is_not(None))
        assert fresh.scalar(owned) == 1


def test_an_import_assigns_the_new_accounts_it_creates_without_an_owner(
    book: Book, people: People, session: Session
) -> None:
    book.account("OLD")
    book.rule("East", conditions={"region": ["East"]}, user_id=people.csm.user_id)
    rows = [
        {"account_id": "N1", "name": "New One", "region": "East", "owner_email": ""},
        {"account_id": "N2", "name": "New Two", "region": "East",
         "owner_email": "tom@example.com"},
        {"account_id": "OLD", "name": "Old", "region": "East", "owner_email": ""},
    ]  # fmt: skip

    result = import_rows(
        session, "accounts", rows, source="a.csv", default_currency="USD", today=TODAY
    )

    assert book.owner("N1") == people.csm.user_id
    assert book.owner("N2") == people.teammate.user_id
    assert book.owner("OLD") is None
    assert "assigned 1 new accounts by rule; 0 matched no rule" in result.notes
    assert book.entries("N1") == ["Assigned to Cam by rule East"]


def test_an_import_that_fails_assigns_nothing(
    book: Book, people: People, session: Session
) -> None:
    book.rule("Any", user_id=people.csm.user_id)
    before = counts(session)
    rows = [
        {"account_id": "N1", "name": "New One"},
        {"account_id": "N2", "name": ""},
    ]

    with pytest.raises(ImportFailed):
        import_rows(session, "accounts", rows, source="a.csv", default_currency="USD")

    assert counts(session) == before
    assert book.owner("N1") is None
