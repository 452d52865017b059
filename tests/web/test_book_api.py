"""The book of business API: rules, assigning, reassigning; roles, scope, errors.

Every test runs on SQLite and on PostgreSQL over the demo company, and puts the
company back as it found it: owners, owner history, task assignees, rules, and
whatever rows it added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web.book_state import (
    new_account,
    owned,
    owner_of,
    restore,
    staff,
    take,
    teammate,
)
from tests.web.conftest import WebData
from tests.web.test_api import bearer

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def kept(web_data: WebData) -> Iterator[None]:
    """Undo whatever the test changed."""
    before = take(web_data)
    yield
    restore(web_data, before)


async def test_every_role_reads_the_rules_in_order(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    for role in ("viewer", "csm", "manager"):
        response = await client.get(
            "/api/v1/book/rules", headers=bearer(web_data, role)
        )
        assert response.status_code == 200, response.text
        rows = response.json()
        assert [row["position"] for row in rows] == list(range(len(rows)))
    assert rows[0]["name"].startswith("Strategic")
    assert rows[0]["strategy"] == "user"
    assert rows[-1]["strategy"] == "least_loaded"


@pytest.mark.parametrize("role", ["csm", "viewer", "executive"])
async def test_only_admins_and_managers_change_rules(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    spec = {"name": "Mine", "strategy": "user", "user_id": 1}
    response = await client.post(
        "/api/v1/book/rules", json=spec, headers=bearer(web_data, role)
    )
    assert response.status_code == 403


async def test_a_rule_is_created_changed_moved_and_deleted(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    team = staff(web_data, web_data.logins["csm"])[1]
    created = await client.post(
        "/api/v1/book/rules",
        json={"name": "Retail", "conditions": {"industry": ["Retail"]},
              "strategy": "round_robin", "team_id": team, "position": 0},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["position"], rule["strategy"]) == (0, "round_robin")

    path = f"/api/v1/book/rules/{rule['id']}"
    changed = await client.put(
        path, json={"active": False, "position": 3}, headers=headers
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["active"], changed.json()["position"]) == (False, 3)

    assert (await client.delete(path, headers=headers)).status_code == 204
    assert (await client.get(path, headers=headers)).status_code == 404


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"name": "X", "user_id": 1, "conditions": {"colour": ["red"]}}, "'colour'"),
        ({"name": "X", "strategy": "least_loaded"}, "needs a team_id"),
        ({"name": "X", "user_id": 99999}, "user_id 99999"),
        ({"name": "Strategic · East China", "user_id": 1}, "has this name already"),
    ],
)
async def test_a_bad_rule_is_a_422_naming_the_field_and_value(
    client: httpx.AsyncClient, web_data: WebData, spec: dict[str, Any], named: str
) -> None:
    response = await client.post(
        "/api/v1/book/rules", json=spec, headers=bearer(web_data, "admin")
    )
    assert response.status_code == 422
    assert named in response.json()["detail"]


async def test_an_unknown_rule_is_a_404(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "admin")
    assert (
        await client.get("/api/v1/book/rules/99999", headers=headers)
    ).status_code == 404
    response = await client.put(
        "/api/v1/book/rules/99999", json={"active": False}, headers=headers
    )
    assert response.status_code == 404


async def test_the_preview_shows_who_new_accounts_go_to_and_assigning_gives_them(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    new_account(web_data, "BOOK-NEW-1", "East China")
    new_account(web_data, "BOOK-NEW-2", "Atlantis")
    headers = bearer(web_data, "manager")

    shown = await client.post("/api/v1/book/rules/preview", json={}, headers=headers)
    assert shown.status_code == 200, shown.text
    rows = {row["account_id"]: row for row in shown.json()["rows"]}
    assert rows["BOOK-NEW-1"]["rule"] == "East China"
    assert rows["BOOK-NEW-2"]["to"] is None
    assert owner_of(web_data, "BOOK-NEW-1") is None

    done = await client.post(
        "/api/v1/book/assign", json={"account_ids": ["BOOK-NEW-1"]}, headers=headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["assigned"] == 1
    assert owner_of(web_data, "BOOK-NEW-1") == rows["BOOK-NEW-1"]["to"]
    again = await client.post("/api/v1/book/assign", json=None, headers=headers)
    assert (again.json()["assigned"], again.json()["unmatched"]) == (0, 1)


async def test_assigning_needs_manage_book_and_known_accounts(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    refused = await client.post("/api/v1/book/assign", headers=bearer(web_data, "csm"))
    assert refused.status_code == 403
    unknown = await client.post(
        "/api/v1/book/rules/preview",
        json={"account_ids": ["NO-SUCH"]},
        headers=bearer(web_data, "admin"),
    )
    assert unknown.status_code == 422
    assert "account_ids 'NO-SUCH'" in unknown.json()["detail"]


def _spec(data: WebData) -> dict[str, Any]:
    csm = data.logins["csm"]
    return {
        "account_ids": owned(data, csm),
        "to": teammate(data, csm),
        "reason": "Test",
    }


async def test_a_manager_previews_and_applies_a_reassignment_in_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    spec = _spec(web_data)

    shown = await client.post(
        "/api/v1/book/reassign/preview", json=spec, headers=headers
    )
    assert shown.status_code == 200, shown.text
    preview = shown.json()
    assert [m["account_id"] for m in preview["moves"]] == spec["account_ids"]
    assert preview["totals"][0]["owner"] == spec["to"]
    assert preview["totals"][0]["accounts"] == 2
    assert owner_of(web_data, spec["account_ids"][0]) == web_data.logins["csm"]

    done = await client.post(
        "/api/v1/book/reassign",
        json={**spec, "expected": preview["moves"]},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    assert (done.json()["moved"], done.json()["notified"]) == (2, 2)
    assert owner_of(web_data, spec["account_ids"][0]) == spec["to"]


async def test_a_stale_preview_is_a_409_saying_what_changed(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "admin")
    spec = _spec(web_data)
    shown = await client.post(
        "/api/v1/book/reassign/preview", json=spec, headers=headers
    )
    moves = shown.json()["moves"]
    moves[0]["from_id"] = moves[0]["to_id"]

    response = await client.post(
        "/api/v1/book/reassign", json={**spec, "expected": moves}, headers=headers
    )

    assert response.status_code == 409
    changes = response.json()["detail"]["changes"]
    assert changes == [
        f"account '{spec['account_ids'][0]}' is now owned by {web_data.logins['csm']}"
    ]
    assert owner_of(web_data, spec["account_ids"][0]) == web_data.logins["csm"]


async def test_a_manager_may_not_move_or_give_outside_their_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    foreign = owned(web_data, web_data.other_csm, 1)
    outside = await client.post(
        "/api/v1/book/reassign/preview",
        json={"account_ids": foreign, "to": web_data.logins["csm"]},
        headers=headers,
    )
    assert outside.status_code == 422
    assert "no such account in your scope" in outside.json()["detail"]
    away = await client.post(
        "/api/v1/book/reassign/preview",
        json={**_spec(web_data), "to": web_data.other_csm},
        headers=headers,
    )
    assert away.status_code == 403


@pytest.mark.parametrize("role", ["csm", "viewer", "executive"])
async def test_other_roles_may_not_reassign(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    for path in ("/api/v1/book/reassign/preview", "/api/v1/book/reassign"):
        response = await client.post(
            path, json=_spec(web_data), headers=bearer(web_data, role)
        )
        assert response.status_code == 403, path


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"to": None}, "either 'to'"),
        ({"day": "2999-01-01"}, "day datetime.date(2999, 1, 1): is after today"),
        ({"spread": "random"}, "spread 'random'"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_a_bad_reassignment_is_a_422_naming_the_field(
    client: httpx.AsyncClient, web_data: WebData, change: dict[str, Any], named: str
) -> None:
    spec = {**_spec(web_data), **change}
    response = await client.post(
        "/api/v1/book/reassign/preview", json=spec, headers=bearer(web_data, "admin")
    )
    assert response.status_code == 422
    assert named in response.json()["detail"]
