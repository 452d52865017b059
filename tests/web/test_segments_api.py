"""The segments, tiers and watch-list API: roles, scope, errors, lists filtered.

Every test runs on SQLite and on PostgreSQL over the demo company, which has the
default segments and tiers installed. Tests undo what they add or change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select

from tenure.accounts.models import Account
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.rules.models import Rule
from tenure.segments.models import SavedSegment, TierRule, WatchEntry
from tenure.timeline.models import Activity
from tests.web.conftest import WebData
from tests.web.test_api import all_accounts, bearer, db_session, owned_by
from tests.web.test_health_api import foreign_account

DEMO_TIERS = ["Strategic", "Key", "Standard", "Long-tail"]
pytestmark = pytest.mark.anyio

NEEDS_A_CALLER = (
    ("GET", "/api/v1/segments"),
    ("POST", "/api/v1/segments"),
    ("GET", "/api/v1/segments/at-risk"),
    ("GET", "/api/v1/segments/at-risk/accounts"),
    ("POST", "/api/v1/segments/preview"),
    ("GET", "/api/v1/tiers"),
    ("PUT", "/api/v1/tiers"),
    ("GET", "/api/v1/watchlist"),
    ("PUT", "/api/v1/watchlist/ACME"),
)
PAYING = {
    "key": "paying-test",
    "name": "Paying (test)",
    "definition": {"status": "active"},
}


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Undo what a test did: segments, rules, watches, tier rules, tiers, entries."""
    engine = make_engine(web_data.url)
    factory = make_session_factory(engine)
    try:
        with transaction(factory) as session:
            newest = {
                model: session.scalar(select(func.max(model.id))) or 0
                for model in (Rule, SavedSegment, Activity)
            }
            rules = [
                (r.tier, r.position, r.priority, r.definition)
                for r in session.scalars(select(TierRule))
            ]
            tiers = session.execute(
                select(Account.id, Account.tier, Account.priority)
            ).all()
        yield
        with transaction(factory) as session:
            session.execute(delete(WatchEntry))
            for model, last in newest.items():
                session.execute(delete(model).where(model.id > last))
            session.execute(delete(TierRule))
            session.add_all(
                TierRule(tier=t, position=p, priority=n, definition=d)
                for t, p, n, d in rules
            )
            for account, tier, priority in tiers:
                row = session.get_one(Account, account)
                row.tier, row.priority = tier, priority
    finally:
        engine.dispose()


async def create(
    client: httpx.AsyncClient, data: WebData, spec: dict[str, Any] = PAYING
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/segments", json=spec, headers=bearer(data, "manager")
    )
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


@pytest.mark.parametrize(("method", "path"), NEEDS_A_CALLER)
async def test_every_segments_endpoint_needs_a_caller(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    assert (await client.request(method, path)).status_code == 401


@pytest.mark.parametrize("role", ["admin", "executive", "manager", "csm", "viewer"])
async def test_every_role_reads_segments_and_tiers(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    headers = bearer(web_data, role)
    listed = await client.get("/api/v1/segments", headers=headers)
    assert listed.status_code == 200
    assert {"at-risk", "key-accounts", "renewing-90"} <= {
        r["key"] for r in listed.json()
    }
    tiers = await client.get("/api/v1/tiers", headers=headers)
    assert [r["tier"] for r in tiers.json()] == [
        "Strategic",
        "Key",
        "Standard",
        "Long-tail",
    ]


@pytest.mark.parametrize("role", ["executive", "csm", "viewer"])
async def test_only_admins_and_managers_change_segments_and_tiers(
    client: httpx.AsyncClient, web_data: WebData, role: str
) -> None:
    headers = bearer(web_data, role)
    attempts = [
        await client.post("/api/v1/segments", json=PAYING, headers=headers),
        await client.put("/api/v1/segments/at-risk", json=PAYING, headers=headers),
        await client.delete("/api/v1/segments/at-risk", headers=headers),
        await client.put("/api/v1/tiers", json=[], headers=headers),
    ]
    assert [r.status_code for r in attempts] == [403] * 4


async def test_a_segment_counts_only_the_callers_accounts(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    mine = await client.get(
        "/api/v1/segments/paying-test/accounts", headers=bearer(web_data, "csm")
    )
    every = await client.get(
        "/api/v1/segments/paying-test", headers=bearer(web_data, "executive")
    )
    own = owned_by(web_data, {web_data.logins["csm"]})
    seen = {row["account_id"] for row in mine.json()["rows"]}
    assert seen and seen <= own
    assert mine.json()["total"] == len(seen) < every.json()["members"]
    assert created["definition"] == {"status": ["active"]}
    assert {r["status"] for r in mine.json()["rows"]} == {"active"}


async def test_a_segment_is_changed_and_deleted(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    await create(client, web_data)
    changed = await client.put(
        "/api/v1/segments/paying-test",
        json={**PAYING, "key": "churned-test", "definition": {"status": "churned"}},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["key"] == "churned-test"
    gone = await client.delete("/api/v1/segments/churned-test", headers=headers)
    assert gone.status_code == 204
    missing = await client.get("/api/v1/segments/churned-test", headers=headers)
    assert missing.status_code == 404
    assert "no such segment" in missing.json()["detail"]


async def test_a_segment_a_rule_uses_is_kept(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    created = await create(client, web_data)
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            session.add(
                Rule(
                    name="Uses paying", trigger={}, action={}, segment_id=created["id"]
                )
            )
    finally:
        engine.dispose()
    refused = await client.delete(
        "/api/v1/segments/paying-test", headers=bearer(web_data, "admin")
    )
    assert refused.status_code == 409
    assert "rules use it (Uses paying)" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({**PAYING, "definition": {"status": "paying"}}, "definition.status"),
        ({**PAYING, "key": "Not A Slug"}, "segment.key"),
        ({**PAYING, "key": "at-risk"}, "is already taken"),
        ({**PAYING, "colour": "red"}, "segment.colour"),
    ],
)
async def test_a_bad_segment_says_which_field(
    client: httpx.AsyncClient, web_data: WebData, spec: dict[str, Any], words: str
) -> None:
    response = await client.post(
        "/api/v1/segments", json=spec, headers=bearer(web_data, "admin")
    )
    assert response.status_code == 422
    assert words in response.json()["detail"]


async def test_a_preview_counts_an_unsaved_filter_in_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    every = await client.post(
        "/api/v1/segments/preview",
        json={"status": "active"},
        params={"limit": 3},
        headers=bearer(web_data, "viewer"),
    )
    assert every.status_code == 200
    assert every.json()["total"] > 3 == len(every.json()["rows"])
    mrr = [row["mrr"] for row in every.json()["rows"]]
    assert mrr == sorted(mrr, reverse=True)
    bad = await client.post(
        "/api/v1/segments/preview",
        json={"mrr_min": 10, "mrr_max": 5},
        headers=bearer(web_data, "viewer"),
    )
    assert bad.status_code == 422
    assert "mrr_min must be below mrr_max" in bad.json()["detail"]


async def test_the_customer_list_takes_a_segment(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    await create(client, web_data)
    headers = bearer(web_data, "csm")
    members = await client.get("/api/v1/segments/paying-test/accounts", headers=headers)
    listed = await client.get(
        "/api/v1/accounts", params={"segment": "paying-test"}, headers=headers
    )
    assert listed.status_code == 200
    assert listed.json()["total"] == members.json()["total"]
    assert {r["status"] for r in listed.json()["rows"]} == {"active"}
    everyone = await all_accounts(client, headers)
    assert len(everyone) > listed.json()["total"]
    unknown = await client.get(
        "/api/v1/accounts", params={"segment": "nope"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "segment 'nope': no such segment"


async def test_revenue_reports_take_a_segment(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "executive")
    key_accounts = await client.get(
        "/api/v1/segments/key-accounts/accounts", headers=headers
    )
    paying = await client.get(
        "/api/v1/revenue/customers", params={"segment": "key-accounts"}, headers=headers
    )
    assert paying.status_code == 200
    members = {row["account_id"] for row in key_accounts.json()["rows"]}
    assert members and {row["customer"] for row in paying.json()} == members
    unknown = await client.get(
        "/api/v1/revenue/mrr", params={"segment": "nope"}, headers=headers
    )
    assert unknown.status_code == 422


async def test_tiers_are_replaced_and_applied_at_once(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    rules = [
        {"tier": "Big", "priority": 80, "definition": {"mrr_min": 10000}},
        {"tier": "Paying", "priority": 20, "definition": {"status": "active"}},
    ]
    response = await client.put(
        "/api/v1/tiers", params={"apply": True}, json=rules, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["tier"] for r in body["rules"]] == ["Big", "Paying"]
    assert set(body["assigned"]["by_tier"]) == {"Big", "Paying"}
    listed = await client.get(
        "/api/v1/accounts", params={"tier": "Big"}, headers=headers
    )
    assert listed.json()["total"] > 0


async def test_a_bad_tier_list_changes_nothing(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "admin")
    rules = [{"tier": "X"}, {"tier": "Y", "definition": {"health_bands": "red"}}]
    response = await client.put("/api/v1/tiers", json=rules, headers=headers)
    assert response.status_code == 422
    assert "tiers[1]" in response.json()["detail"]
    assert "may not use health_bands" in response.json()["detail"]
    tiers = await client.get("/api/v1/tiers", headers=headers)
    assert [r["tier"] for r in tiers.json()] == [
        "Strategic",
        "Key",
        "Standard",
        "Long-tail",
    ]


async def test_a_watch_list_is_the_callers_own(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = sorted(owned_by(web_data, {web_data.logins["csm"]}))[0]
    path = f"/api/v1/watchlist/{account}"
    put = await client.put(
        path, json={"reason": "renewal at risk"}, headers=bearer(web_data, "csm")
    )
    assert put.status_code == 200, put.text
    mine = await client.get("/api/v1/watchlist", headers=bearer(web_data, "csm"))
    assert [(r["account_id"], r["reason"]) for r in mine.json()] == [
        (account, "renewal at risk")
    ]
    theirs = await client.get("/api/v1/watchlist", headers=bearer(web_data, "viewer"))
    assert theirs.json() == []
    gone = await client.delete(path, headers=bearer(web_data, "csm"))
    assert gone.status_code == 204
    assert (
        await client.get("/api/v1/watchlist", headers=bearer(web_data, "csm"))
    ).json() == []


async def test_a_viewer_may_watch_and_a_csm_not_beyond_their_book(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    foreign = foreign_account(web_data)
    viewer = await client.put(
        f"/api/v1/watchlist/{foreign}", headers=bearer(web_data, "viewer")
    )
    assert viewer.status_code == 200
    csm = await client.put(
        f"/api/v1/watchlist/{foreign}", headers=bearer(web_data, "csm")
    )
    assert csm.status_code == 404
    assert "no such account" in csm.json()["detail"]
