"""The task and notification API: roles, scope, errors that explain, the CSV.

Every test runs on SQLite and on PostgreSQL over the demo company. Tests create
their own tasks and notifications, and delete whatever they added afterwards.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, update

from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.notifications import service as notifications
from tenure.notifications.models import Notification
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task
from tenure.timeline.models import Activity, ChurnReview
from tests.web.conftest import WebData
from tests.web.test_api import bearer, db_session
from tests.web.test_pages import own_accounts

pytestmark = pytest.mark.anyio

ADDED = (Activity, ChurnReview, Notification, Task)
NEEDS_A_CALLER = ("/api/v1/tasks", "/api/v1/tasks/1", "/api/v1/notifications")


def newest_ids(data: WebData) -> dict[type, int]:
    """The highest id of each table a test may add rows to."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return {
                model: session.scalar(select(func.max(model.id))) or 0
                for model in ADDED
            }
    finally:
        engine.dispose()


def remove_added(data: WebData, before: dict[type, int]) -> None:
    """Delete the rows added since ``before`` (a task's history goes with it)."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            for model, newest in before.items():
                session.execute(delete(model).where(model.id > newest))
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Undo what a test added."""
    before = newest_ids(web_data)
    yield
    remove_added(web_data, before)


def staff_id(data: WebData, email: str) -> int:
    """The id of a demo staff user."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return session.scalars(select(StaffUser.id).filter_by(email=email)).one()
    finally:
        engine.dispose()


def mine(data: WebData) -> str:
    """An account the test CSM owns."""
    return own_accounts(data, data.logins["csm"])[0][0]


def foreign(data: WebData) -> str:
    """An account owned by a CSM outside the manager's teams."""
    return own_accounts(data, data.other_csm)[0][0]


async def new_task(
    client: httpx.AsyncClient, data: WebData, role: str = "csm", **fields: Any
) -> httpx.Response:
    """POST a task (on the CSM's account unless given) as ``role``."""
    body = {"account_id": mine(data), "type": "risk", "title": "Call the sponsor"}
    return await client.post(
        "/api/v1/tasks", json={**body, **fields}, headers=bearer(data, role)
    )


async def created(client: httpx.AsyncClient, data: WebData, **fields: Any) -> int:
    """Create a task as the CSM and return its id."""
    response = await new_task(client, data, **fields)
    assert response.status_code == 201, response.text
    task_id: int = response.json()["id"]
    return task_id


@pytest.mark.parametrize("path", NEEDS_A_CALLER)
async def test_every_task_endpoint_needs_a_caller(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401


async def test_a_new_task_goes_to_the_owner_with_its_history(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await new_task(client, web_data, role="manager", priority="high")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["assignee"], body["priority"], body["source"]) == (
        web_data.logins["csm"],
        "high",
        "manual",
    )
    assert [h["action"] for h in body["history"]] == ["created"]
    again = await client.get(
        f"/api/v1/tasks/{body['id']}", headers=bearer(web_data, "csm")
    )
    assert again.json()["title"] == "Call the sponsor"


async def test_a_task_on_an_account_out_of_scope_is_not_found(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = foreign(web_data)
    response = await new_task(client, web_data, account_id=account)
    assert response.status_code == 404
    assert response.json()["detail"] == f"account '{account}' not found"


async def test_a_viewer_may_not_create_tasks(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await new_task(client, web_data, role="viewer")
    assert response.status_code == 403
    assert "viewer" in response.json()["detail"]


async def test_bad_values_are_422s_that_name_them(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    bad_type = await new_task(client, web_data, type="chore")
    assert bad_type.status_code == 422
    assert bad_type.json()["detail"].startswith("type 'chore': must be one of")
    no_title = await new_task(client, web_data, title="")
    assert no_title.status_code == 422
    assert no_title.json()["detail"][0]["loc"] == ["body", "title"]
    long_title = await new_task(client, web_data, title="x" * 301)
    assert long_title.status_code == 422


async def test_patch_changes_fields_and_refuses_a_csm_reassigning(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    task_id = await created(client, web_data)
    path = f"/api/v1/tasks/{task_id}"
    changed = await client.patch(
        path,
        json={"priority": "urgent", "due_on": "2030-01-31"},
        headers=bearer(web_data, "csm"),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["priority"], changed.json()["due"]) == (
        "urgent",
        "2030-01-31",
    )
    wrong = await client.patch(
        path, json={"priority": "soon"}, headers=bearer(web_data, "csm")
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"].startswith("priority 'soon'")
    other = staff_id(web_data, web_data.other_csm)
    refused = await client.patch(
        path, json={"assignee_id": other}, headers=bearer(web_data, "csm")
    )
    assert refused.status_code == 403


async def test_completing_twice_is_a_conflict_and_the_timeline_shows_it(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    task_id = await created(client, web_data, title="Send the renewal quote")
    path = f"/api/v1/tasks/{task_id}/complete"
    done = await client.post(
        path, json={"outcome": "Quote sent"}, headers=bearer(web_data, "csm")
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "Quote sent")
    again = await client.post(path, headers=bearer(web_data, "csm"))
    assert again.status_code == 409
    assert "already done" in again.json()["detail"]
    entries = await client.get(
        f"/api/v1/accounts/{mine(web_data)}/timeline",
        params={"kind": "task", "limit": 1},
        headers=bearer(web_data, "csm"),
    )
    (entry,) = entries.json()
    assert (entry["task_id"], entry["subject"]) == (task_id, "Send the renewal quote")


async def test_a_comment_is_added_to_the_task(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    task_id = await created(client, web_data)
    response = await client.post(
        f"/api/v1/tasks/{task_id}/comments",
        json={"body": "Waiting for their CFO"},
        headers=bearer(web_data, "manager"),
    )
    assert response.status_code == 201, response.text
    detail = await client.get(
        f"/api/v1/tasks/{task_id}", headers=bearer(web_data, "csm")
    )
    assert [c["body"] for c in detail.json()["comments"]] == ["Waiting for their CFO"]


async def test_bulk_reassigns_all_or_none(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    ids = [await created(client, web_data, title=f"t{n}") for n in range(2)]
    hidden = await new_task(
        client, web_data, role="admin", account_id=foreign(web_data)
    )
    manager = staff_id(web_data, web_data.logins["manager"])
    refused = await client.post(
        "/api/v1/tasks/bulk",
        json={"ids": [*ids, hidden.json()["id"]], "assignee_id": manager},
        headers=bearer(web_data, "manager"),
    )
    assert refused.status_code == 404
    moved = await client.post(
        "/api/v1/tasks/bulk",
        json={"ids": ids, "assignee_id": manager},
        headers=bearer(web_data, "manager"),
    )
    assert moved.json() == {"updated": 2}
    listed = await client.get(
        "/api/v1/tasks",
        params={"assignee_ids": manager, "account": mine(web_data)},
        headers=bearer(web_data, "manager"),
    )
    assert sorted(row["id"] for row in listed.json()["rows"]) == ids


async def test_a_csm_does_not_see_tasks_out_of_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = foreign(web_data)
    hidden = await new_task(client, web_data, role="admin", account_id=account)
    listed = await client.get(
        "/api/v1/tasks",
        params={"account": account, "state": "all"},
        headers=bearer(web_data, "csm"),
    )
    assert listed.json()["total"] == 0
    one = await client.get(
        f"/api/v1/tasks/{hidden.json()['id']}", headers=bearer(web_data, "csm")
    )
    assert one.status_code == 404


async def test_the_csv_lists_every_matching_task_with_the_header(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    task_id = await created(client, web_data, due_on="2030-02-01")
    response = await client.get(
        "/api/v1/tasks",
        params={"format": "csv", "account": mine(web_data), "page_size": 1},
        headers=bearer(web_data, "csm"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.text)))
    assert lines[0] == [
        "id", "account_id", "type", "status", "assignee", "due", "source", "rule",
    ]  # fmt: skip
    assert [str(task_id), mine(web_data), "risk", "open", web_data.logins["csm"],
            "2030-02-01", "manual", ""] in lines  # fmt: skip


async def test_a_filter_that_cannot_work_is_a_422(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.get(
        "/api/v1/tasks", params={"sort": "size"}, headers=bearer(web_data, "csm")
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("sort 'size'")


@pytest.fixture
def unread_kept(web_data: WebData) -> Iterator[None]:
    """Leave the demo's unread notifications unread after a test marks them."""
    engine = make_engine(web_data.url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            unread = list(
                session.scalars(
                    select(Notification.id).where(Notification.read_at.is_(None))
                )
            )
        yield
        with transaction(factory) as session:
            session.execute(
                update(Notification)
                .where(Notification.id.in_(unread))
                .values(read_at=None)
            )
    finally:
        engine.dispose()


def notify(data: WebData, email: str, title: str) -> int:
    """Give a staff user a notification and return its id."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            user = session.scalars(select(StaffUser.id).filter_by(email=email)).one()
            return notifications.notify(session, user, "test", title).id
    finally:
        engine.dispose()


async def test_notifications_are_the_callers_and_can_be_marked_read(
    client: httpx.AsyncClient, web_data: WebData, unread_kept: None
) -> None:
    headers = bearer(web_data, "csm")
    first = notify(web_data, web_data.logins["csm"], "first")
    notify(web_data, web_data.logins["csm"], "second")
    others = notify(web_data, web_data.other_csm, "not yours")
    listed = (await client.get("/api/v1/notifications", headers=headers)).json()
    titles = [row["title"] for row in listed["rows"]]
    assert titles[:2] == ["second", "first"] and "not yours" not in titles
    unread = listed["unread"]
    marked = await client.post(
        "/api/v1/notifications/read", json={"ids": [first, others]}, headers=headers
    )
    assert marked.json() == {"marked": 1, "unread": unread - 1}
    everything = await client.post(
        "/api/v1/notifications/read", json={"all": True}, headers=headers
    )
    assert everything.json()["unread"] == 0


async def test_marking_read_needs_ids_or_all(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.post(
        "/api/v1/notifications/read", json={}, headers=bearer(web_data, "csm")
    )
    assert response.status_code == 422
    assert "'ids' or 'all'" in response.json()["detail"]
