"""The rules API: who may read and change rules, previews in scope, running now.

Every test runs on SQLite and on PostgreSQL over the demo company, which has the
default rules installed. Tests delete the rules, tasks, runs and notices they add.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from tenure.notifications.models import Notification
from tenure.playbooks.models import PlaybookRun
from tenure.rules.models import Rule
from tenure.tasks.models import Task
from tests.web.conftest import WebData
from tests.web.test_api import bearer, db_session, owned_by

pytestmark = pytest.mark.anyio

ADDED = (Notification, Task, PlaybookRun, Rule)
NEEDS_A_CALLER = (
    ("GET", "/api/v1/rules"),
    ("POST", "/api/v1/rules"),
    ("GET", "/api/v1/rules/1"),
    ("POST", "/api/v1/rules/1/preview"),
    ("GET", "/api/v1/rules/1/firings"),
    ("POST", "/api/v1/rules/evaluate"),
)
USING = {
    "kind": "usage_threshold",
    "field": "active_users",
    "aggregate": "avg",
    "window_days": 30,
    "at_least": 0,
}


def newest_ids(data: WebData) -> dict[type, int]:
    """The highest id of each table a test may add rows to."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            return {m: session.scalar(select(func.max(m.id))) or 0 for m in ADDED}
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Delete what a test added; a rule's states and firings go with it."""
    before = newest_ids(web_data)
    yield
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            for model, newest in before.items():
                session.execute(delete(model).where(model.id > newest))
    finally:
        engine.dispose()


def rule(name: str = "Any usage", **changes: Any) -> dict[str, Any]:
    """A rule creating a task for every customer with usage."""
    return {
        "name": name,
        "trigger": USING,
        "action": {"task": {"title": "Say hello to {account}", "type": "follow_up"}},
        **changes,
    }


async def create(
    client: httpx.AsyncClient, data: WebData, spec: dict[str, Any], role: str = "admin"
) -> dict[str, Any]:
    response = await client.post("/api/v1/rules", json=spec, headers=bearer(data, role))
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize(("method", "path"), NEEDS_A_CALLER)
async def test_every_rules_endpoint_needs_a_caller(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["admin", "executive", "manager", "csm", "viewer"])
async def test_every_role_reads_the_rules(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    response = await client.get("/api/v1/rules", headers=bearer(web_data, role))
    assert response.status_code == 200
    names = {row["name"] for row in response.json()}
    assert {"Usage drop", "Health fell to red"} <= names


@pytest.mark.parametrize("role", ["executive", "csm", "viewer"])
async def test_only_admins_and_managers_change_or_run_rules(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    headers = bearer(web_data, role)
    existing = (await client.get("/api/v1/rules", headers=headers)).json()[0]["id"]
    attempts = [
        await client.post("/api/v1/rules", json=rule(), headers=headers),
        await client.put(f"/api/v1/rules/{existing}", json={}, headers=headers),
        await client.delete(f"/api/v1/rules/{existing}", headers=headers),
        await client.post("/api/v1/rules/evaluate", headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * 4


async def test_a_manager_creates_changes_and_deletes_a_rule(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    created = await create(client, web_data, rule(), "manager")
    assert (created["version"], created["open_tasks"], created["last_firing"]) == (
        1,
        0,
        None,
    )
    path = f"/api/v1/rules/{created['id']}"
    changed = await client.put(path, json={"active": False}, headers=headers)
    assert (changed.json()["version"], changed.json()["active"]) == (2, False)
    assert (await client.delete(path, headers=headers)).status_code == 204
    assert (await client.get(path, headers=headers)).status_code == 404


async def test_a_bad_rule_says_which_field_and_value(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    spec = rule(trigger={**USING, "field": "logins"})
    response = await client.post(
        "/api/v1/rules", json=spec, headers=bearer(web_data, "admin")
    )
    assert response.status_code == 422
    assert "trigger.usage_threshold.field" in response.json()["detail"]
    assert "'logins'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/rules/999999"),
        ("PUT", "/api/v1/rules/999999"),
        ("DELETE", "/api/v1/rules/999999"),
        ("POST", "/api/v1/rules/999999/preview"),
        ("GET", "/api/v1/rules/999999/firings"),
    ],
)
async def test_an_unknown_rule_is_not_found(
    client: httpx.AsyncClient, web_data: WebData, method: str, path: str
) -> None:
    response = await client.request(
        method, path, headers=bearer(web_data, "admin"), json={}
    )
    assert response.status_code == 404


async def test_a_csm_previews_only_their_own_accounts(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    everyone = await client.post(
        "/api/v1/rules/preview", json=rule(), headers=bearer(web_data, "admin")
    )
    mine = await client.post(
        "/api/v1/rules/preview", json=rule(), headers=bearer(web_data, "csm")
    )
    own = owned_by(web_data, {web_data.logins["csm"]})
    seen = {row["account_id"] for row in mine.json()}
    assert seen and seen <= own
    assert len(everyone.json()) > len(seen)
    assert all(row["title"].startswith("Say hello to") for row in mine.json())


async def test_running_now_fires_once_and_the_firings_list_it(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    created = await create(client, web_data, rule())
    preview = await client.post(
        f"/api/v1/rules/{created['id']}/preview", headers=bearer(web_data, "admin")
    )
    first = await client.post("/api/v1/rules/evaluate", headers=headers)
    again = await client.post("/api/v1/rules/evaluate", headers=headers)
    counts = {r["rule_id"]: r["fired"] for r in first.json()["rules"]}
    assert counts[created["id"]] == len(preview.json()) > 0
    assert {r["rule_id"]: r["fired"] for r in again.json()["rules"]}[created["id"]] == 0
    firings = await client.get(
        f"/api/v1/rules/{created['id']}/firings", params={"limit": 5}, headers=headers
    )
    assert len(firings.json()) == 5
    assert {f["outcome"] for f in firings.json()} == {"fired"}
    listed = await client.get(f"/api/v1/rules/{created['id']}", headers=headers)
    assert listed.json()["open_tasks"] == len(preview.json())
