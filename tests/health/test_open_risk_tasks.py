"""The open_risk_tasks metric: each account's risk tasks still open or in progress."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenure.health import metrics
from tenure.health.measures import Metric
from tenure.tasks.service import create_task

from .conftest import AS_OF, Company

OPEN_RISK_TASKS = Metric(source="open_risk_tasks")


def task(
    session: Session, account: int, type: str = "risk", status: str = "open"
) -> None:
    """Add a task of ``type`` on ``account`` and leave it in ``status``."""
    created = create_task(
        session, account_id=account, type=type, title="Look into it", actor_id=None
    )
    created.status = status
    session.flush()


def values(session: Session, accounts: list[int]) -> dict[int, float]:
    """The metric for ``accounts`` on AS_OF."""
    mrr = metrics.mrr_on(session, AS_OF)
    got = metrics.compute(session, [OPEN_RISK_TASKS], AS_OF, accounts, mrr, "USD")
    return got["open_risk_tasks"]


def test_open_and_in_progress_risk_tasks_are_counted(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    task(session, a)
    task(session, a, status="in_progress")
    assert values(session, [a]) == {a: 2.0}


def test_closed_and_other_tasks_are_not_counted(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    task(session, a, status="done")
    task(session, a, status="cancelled")
    task(session, a, type="renewal")
    assert values(session, [a]) == {a: 0.0}


def test_an_account_without_tasks_has_zero_not_missing_data(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    b = company.customer("B")
    task(session, b)
    assert values(session, [a, b]) == {a: 0.0, b: 1.0}


def test_only_the_wanted_accounts_get_a_value(
    session: Session, company: Company
) -> None:
    a = company.customer("A")
    b = company.customer("B")
    task(session, b)
    assert values(session, [a]) == {a: 0.0}
