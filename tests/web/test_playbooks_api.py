"""The playbooks API: defining playbooks, starting and cancelling runs, in scope.

Every test runs on SQLite and on PostgreSQL over the demo company, which has the
default playbooks installed. Tests delete the playbooks, runs and tasks they add.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from tenure.playbooks.models import Playbook, PlaybookRun
from tenure.revenue.loading import today
from tenure.tasks.models import Task
from tests.web.conftest import WebData
from tests.web.test_api import bearer, db_session, owned_by
from tests.web.test_health_api import foreign_account

pytestmark = pytest.mark.anyio

ADDED = (Task, PlaybookRun, Playbook)
NEEDS_A_CALLER = (
    ("GET", "/api/v1/playbooks"),
    ("POST", "/api/v1/playbooks"),
    ("GET", "/api/v1/playbooks/1"),
    ("GET", "/api/v1/accounts/ACME/playbooks"),
    ("POST", "/api/v1/accounts/ACME/playbooks"),
    ("GET", "/api/v1/playbook-runs"),
    ("POST", "/api/v1/playbook-runs/1/cancel"),
)
SPEC: dict[str, Any] = {
    "name": "Welcome (test)",
    "kind": "onboarding",
    "steps": [
        {"title": "Welcome call", "type": "onboarding"},
        {"title": "Check-in", "type": "follow_up", "due_offset_days": 14},
        {
            "title": "Escalate",
            "type": "risk",
            "assignee": "manager",
            "condition": {"health_bands": "no_such_band"},
        },
    ],
}


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Delete the playbooks, runs and tasks a test added."""
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            newest = {m: session.scalar(select(func.max(m.id))) or 0 for m in ADDED}
    finally:
        engine.dispose()
    yield
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            for model, last in newest.items():
                session.execute(delete(model).where(model.id > last))
    finally:
        engine.dispose()


def csm_account(data: WebData) -> str:
    """An account the test CSM owns."""
    return sorted(owned_by(data, {data.logins["csm"]}))[0]


async def create(client: httpx.AsyncClient, data: WebData) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/playbooks", json=SPEC, headers=bearer(data, "manager")
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def start(
    client: httpx.AsyncClient, data: WebData, playbook: int, account: str
) -> httpx.Response:
    return await client.post(
        f"/api/v1/accounts/{account}/playbooks",
        json={"playbook_id": playbook, "note": "test"},
        headers=bearer(data, "csm"),
    )


@pytest.mark.parametrize(("method", "path"), NEEDS_A_CALLER)
async def test_every_playbooks_endpoint_needs_a_caller(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    assert (await client.request(method, path)).status_code == 401


@pytest.mark.parametrize("role", ["admin", "executive", "manager", "csm", "viewer"])
async def test_every_role_reads_the_playbooks(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    response = await client.get("/api/v1/playbooks", headers=bearer(web_data, role))
    assert response.status_code == 200
    names = {row["name"] for row in response.json()}
    assert {"Onboarding", "Renewal", "KA service cadence"} <= names


@pytest.mark.parametrize("role", ["executive", "csm", "viewer"])
async def test_only_admins_and_managers_define_playbooks(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    headers = bearer(web_data, role)
    existing = (await client.get("/api/v1/playbooks", headers=headers)).json()[0]
    attempts = [
        await client.post("/api/v1/playbooks", json=SPEC, headers=headers),
        await client.put(
            f"/api/v1/playbooks/{existing['id']}", json=SPEC, headers=headers
        ),
        await client.delete(f"/api/v1/playbooks/{existing['id']}", headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * 3


async def test_a_manager_defines_changes_and_deletes_a_playbook(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    created = await create(client, web_data)
    assert (created["version"], created["active_runs"]) == (1, 0)
    path = f"/api/v1/playbooks/{created['id']}"
    changed = await client.put(
        path, json={**SPEC, "description": "First two weeks"}, headers=headers
    )
    assert (changed.json()["version"], changed.json()["description"]) == (
        2,
        "First two weeks",
    )
    deleted = await client.delete(path, headers=headers)
    assert deleted.json() == {"id": created["id"], "outcome": "deleted"}
    assert (await client.get(path, headers=headers)).status_code == 404


async def test_a_bad_playbook_says_which_step_and_field(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    steps = [{"title": "Call", "type": "chore"}]
    response = await client.post(
        "/api/v1/playbooks",
        json={**SPEC, "steps": steps},
        headers=bearer(web_data, "admin"),
    )
    assert response.status_code == 422
    assert "playbook.steps.0.type 'chore'" in response.json()["detail"]


async def test_a_csm_starts_a_playbook_on_their_account(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    account = csm_account(web_data)
    response = await start(client, web_data, created["id"], account)
    assert response.status_code == 201, response.text
    run = response.json()
    assert (run["name"], run["status"], run["note"], run["total"]) == (
        "Welcome (test)",
        "active",
        "test",
        2,
    )
    statuses = [step["status"] for step in run["steps"]]
    assert statuses == ["open", "open", "skipped"]
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            day = today(session)
    finally:
        engine.dispose()
    assert run["steps"][1]["due"] == (day + dt.timedelta(days=14)).isoformat()
    assert run["steps"][0]["assignee"] == web_data.logins["csm"]
    listed = await client.get(
        f"/api/v1/accounts/{account}/playbooks", headers=bearer(web_data, "viewer")
    )
    assert run["id"] in [r["id"] for r in listed.json()]
    again = await start(client, web_data, created["id"], account)
    assert again.status_code == 422
    assert "already has 'Welcome (test)' under way" in again.json()["detail"]


async def test_a_run_cannot_start_beyond_the_callers_book(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    foreign = foreign_account(web_data)
    refused = await start(client, web_data, created["id"], foreign)
    assert refused.status_code == 404
    viewer = await client.post(
        f"/api/v1/accounts/{csm_account(web_data)}/playbooks",
        json={"playbook_id": created["id"]},
        headers=bearer(web_data, "viewer"),
    )
    assert viewer.status_code == 403
    unknown = await start(client, web_data, 999_999, csm_account(web_data))
    assert unknown.status_code == 404


async def test_a_run_is_cancelled_with_its_open_tasks(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    run = (await start(client, web_data, created["id"], csm_account(web_data))).json()
    under_way = await client.get(
        "/api/v1/playbook-runs", headers=bearer(web_data, "csm")
    )
    assert run["id"] in [r["id"] for r in under_way.json()]
    viewer = await client.post(
        f"/api/v1/playbook-runs/{run['id']}/cancel",
        headers=bearer(web_data, "viewer"),
    )
    assert viewer.status_code == 403
    cancelled = await client.post(
        f"/api/v1/playbook-runs/{run['id']}/cancel", headers=bearer(web_data, "csm")
    )
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["status"] == "cancelled"
    assert [s["status"] for s in body["steps"]] == ["cancelled", "cancelled", "skipped"]
    again = await client.post(
        f"/api/v1/playbook-runs/{run['id']}/cancel", headers=bearer(web_data, "csm")
    )
    assert again.status_code == 422


async def test_a_playbook_that_ran_is_deactivated_not_deleted(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    await start(client, web_data, created["id"], csm_account(web_data))
    deleted = await client.delete(
        f"/api/v1/playbooks/{created['id']}", headers=bearer(web_data, "admin")
    )
    assert deleted.json()["outcome"] == "deactivated"
    found = await client.get(
        f"/api/v1/playbooks/{created['id']}", headers=bearer(web_data, "admin")
    )
    assert found.json()["active"] is False
