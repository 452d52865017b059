"""The timeline and churn review API: logging, reading newest first, reviews.

Every test runs on SQLite and on PostgreSQL over the demo company; what a test
adds is deleted afterwards (reviews are written only for unreviewed accounts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import exists, select

from tenure.accounts.models import Account
from tenure.revenue.models import MrrMovement
from tenure.staff.models import StaffUser
from tenure.timeline.models import ChurnReview
from tenure.timeline.service import last_churn
from tests.web.conftest import WebData
from tests.web.test_api import bearer, db_session
from tests.web.test_tasks_api import foreign, mine, newest_ids, remove_added

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Undo what a test added."""
    before = newest_ids(web_data)
    yield
    remove_added(web_data, before)


def churned_unreviewed(data: WebData) -> str:
    """An account of the test CSM that has churned and has no review yet."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            statement = (
                select(Account.id, Account.external_id)
                .join(StaffUser, StaffUser.id == Account.owner_id)
                .where(
                    StaffUser.email == data.logins["csm"],
                    exists().where(
                        MrrMovement.account_id == Account.id,
                        MrrMovement.kind == "churn",
                    ),
                    ~exists().where(ChurnReview.account_id == Account.id),
                )
                .order_by(Account.external_id)
            )
            for account, external_id in session.execute(statement):
                if last_churn(session, account) is not None:
                    return str(external_id)
    finally:
        engine.dispose()
    pytest.fail("the demo company has no churned, unreviewed account of the CSM")


def still_paying(data: WebData) -> str:
    """An account of the test CSM whose latest movement is not a churn."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            statement = (
                select(Account.id, Account.external_id)
                .join(StaffUser, StaffUser.id == Account.owner_id)
                .where(StaffUser.email == data.logins["csm"])
                .where(exists().where(MrrMovement.account_id == Account.id))
                .order_by(Account.external_id)
            )
            for account, external_id in session.execute(statement):
                if last_churn(session, account) is None:
                    return str(external_id)
    finally:
        engine.dispose()
    pytest.fail("the demo company has no paying account of the CSM")


def staff_name(data: WebData, email: str) -> str:
    """The name of a demo staff user."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            query = select(StaffUser.name).filter_by(email=email)
            return str(session.scalars(query).one())
    finally:
        engine.dispose()


async def test_a_logged_call_comes_first_on_the_timeline(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/accounts/{mine(web_data)}/timeline"
    logged = await client.post(
        path,
        json={"kind": "call", "subject": "Renewal intent", "body": "Likely to renew"},
        headers=bearer(web_data, "csm"),
    )
    assert logged.status_code == 201, logged.text
    row = logged.json()
    assert (row["kind"], row["subject"], row["author"]) == (
        "call",
        "Renewal intent",
        staff_name(web_data, web_data.logins["csm"]),
    )
    listed = await client.get(
        path, params={"kind": ["call", "note"]}, headers=bearer(web_data, "manager")
    )
    assert listed.status_code == 200
    rows = listed.json()
    assert rows[0]["id"] == row["id"]
    assert {r["kind"] for r in rows} <= {"call", "note"}
    times = [r["occurred_at"] for r in rows]
    assert times == sorted(times, reverse=True)


async def test_logging_errors_name_the_field(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/accounts/{mine(web_data)}/timeline"
    headers = bearer(web_data, "csm")
    task_kind = await client.post(
        path, json={"kind": "task", "subject": "x"}, headers=headers
    )
    assert task_kind.status_code == 422
    assert task_kind.json()["detail"].startswith("kind 'task'")
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    future = await client.post(
        path,
        json={"kind": "meeting", "subject": "x", "occurred_at": ahead.isoformat()},
        headers=headers,
    )
    assert future.status_code == 422
    assert "more than a day ahead" in future.json()["detail"]
    naive = await client.post(
        path,
        json={"kind": "call", "subject": "x", "occurred_at": "2026-01-05T09:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    assert naive.json()["detail"][0]["loc"] == ["body", "occurred_at"]


async def test_a_viewer_reads_but_may_not_log(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/accounts/{mine(web_data)}/timeline"
    read = await client.get(path, headers=bearer(web_data, "viewer"))
    assert read.status_code == 200
    refused = await client.post(
        path, json={"kind": "note", "subject": "x"}, headers=bearer(web_data, "viewer")
    )
    assert refused.status_code == 403


async def test_an_account_out_of_scope_has_no_timeline(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = foreign(web_data)
    response = await client.get(
        f"/api/v1/accounts/{account}/timeline", headers=bearer(web_data, "csm")
    )
    assert response.status_code == 404
    assert response.json()["detail"] == f"account '{account}' not found"


async def test_a_churn_review_is_written_once_and_rewritten(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = churned_unreviewed(web_data)
    path = f"/api/v1/accounts/{account}/churn-review"
    headers = bearer(web_data, "csm")
    assert (await client.get(path, headers=headers)).status_code == 404
    body = {"reason": "price", "what_happened": "A cheaper tool", "preventable": True}
    first = await client.put(path, json=body, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["churned_on"] is not None
    second = await client.put(
        path, json={**body, "reason": "competitor"}, headers=headers
    )
    assert second.json()["id"] == first.json()["id"]
    read = await client.get(path, headers=bearer(web_data, "manager"))
    assert read.json()["reason"] == "competitor"
    listed = await client.get("/api/v1/churn-reviews", headers=headers)
    assert account in [row["account_id"] for row in listed.json()]
    outside = await client.get(
        "/api/v1/churn-reviews", headers=bearer(web_data, "executive")
    )
    assert account in [row["account_id"] for row in outside.json()]


async def test_a_paying_customer_cannot_be_reviewed(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = still_paying(web_data)
    response = await client.put(
        f"/api/v1/accounts/{account}/churn-review",
        json={"reason": "price", "what_happened": "x"},
        headers=bearer(web_data, "csm"),
    )
    assert response.status_code == 422
    assert "has not churned" in response.json()["detail"]


async def test_an_unknown_churn_reason_is_a_422(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.get(
        "/api/v1/churn-reviews",
        params={"reason": "moved"},
        headers=bearer(web_data, "manager"),
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("reason 'moved'")
