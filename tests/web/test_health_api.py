"""The health and usage API: scores and why, distributions, scorecards, manual input.

Every test runs on SQLite and on PostgreSQL over the demo company, whose usage is
rolled up and whose health is scored today and on a few earlier days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tenure.health import service as health
from tenure.health.defaults import DEFAULT_DEFINITION, DEFAULT_NAME
from tenure.revenue.loading import today
from tests.web.conftest import WebData, reset_health
from tests.web.test_api import bearer, cli_json, db_session, owned_by
from tests.web.test_pages import own_accounts

pytestmark = pytest.mark.anyio

READ_ENDPOINTS = (
    "/api/v1/accounts/ACME/health",
    "/api/v1/accounts/ACME/usage",
    "/api/v1/health/scores",
    "/api/v1/health/distribution",
    "/api/v1/health/trend",
    "/api/v1/health/scorecards",
    "/api/v1/health/scorecards/export",
)


@pytest.fixture(autouse=True)
def restored(web_data: WebData) -> Iterator[None]:
    """Undo what a test entered."""
    yield
    reset_health(web_data)


def scored_today(data: WebData, emails: set[str] | None = None) -> list[str]:
    """External ids of the accounts scored today (owned by ``emails``, if given)."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            day = today(session)
            rows = health.report_rows(session, as_of=day)
    finally:
        engine.dispose()
    wanted = None if emails is None else owned_by(data, emails)
    return [
        r["account_id"] for r in rows if wanted is None or r["account_id"] in wanted
    ]


def manager_team_account(data: WebData) -> str:
    """An account scored today that the test CSM (in the manager's team) owns."""
    return scored_today(data, {data.logins["csm"]})[0]


def foreign_account(data: WebData) -> str:
    """An account owned by a CSM outside the manager's teams."""
    return own_accounts(data, data.other_csm)[0][0]


def scorecard_spec(name: str, **changes: Any) -> dict[str, Any]:
    """A valid scorecard claiming Strategic accounts, with ``changes`` applied."""
    return {
        "name": name,
        "priority": 10,
        "segment": {"tier": "Strategic"},
        "definition": DEFAULT_DEFINITION,
        **changes,
    }


@pytest.mark.parametrize("path", READ_ENDPOINTS)
async def test_every_health_endpoint_needs_a_caller(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


async def test_scores_equal_the_cli_report(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.get(
        "/api/v1/health/scores", headers=bearer(web_data, "executive")
    )
    assert response.status_code == 200
    rows = response.json()
    assert rows == cli_json(web_data, "report", "health")
    assert set(rows[0]) == {"account_id", "score", "band", "as_of"}
    day = rows[-1]["as_of"]
    one_day = await client.get(
        "/api/v1/health/scores",
        params={"as_of": day, "account": rows[-1]["account_id"]},
        headers=bearer(web_data, "executive"),
    )
    assert one_day.json() == [rows[-1]]


async def test_a_csm_sees_only_the_scores_of_their_own_book(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    csm = web_data.logins["csm"]
    response = await client.get(
        "/api/v1/health/scores", headers=bearer(web_data, "csm")
    )
    ids = {row["account_id"] for row in response.json()}
    assert ids and ids <= owned_by(web_data, {csm})
    foreign = foreign_account(web_data)
    for path in (
        f"/api/v1/accounts/{foreign}/health",
        f"/api/v1/accounts/{foreign}/usage",
    ):
        refused = await client.get(path, headers=bearer(web_data, "csm"))
        assert refused.status_code == 404
        assert refused.json()["detail"] == f"no account '{foreign}'"


async def test_account_health_explains_every_measure(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = manager_team_account(web_data)
    response = await client.get(
        f"/api/v1/accounts/{account}/health", headers=bearer(web_data, "csm")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    latest = body["latest"]
    assert body["account_id"] == account
    assert latest["band"] in {"red", "yellow", "green", "insufficient"}
    assert latest["scorecard"]["name"] == DEFAULT_NAME
    keys = [m["key"] for m in latest["measures"]]
    assert keys == [m["key"] for m in DEFAULT_DEFINITION["measures"]]
    sentiment = next(m for m in latest["measures"] if m["key"] == "sentiment")
    assert sentiment["status"] == "missing"
    assert sentiment["label"] == {"en": "CSM sentiment", "zh-CN": "客户成功经理评估"}
    assert len(body["history"]) == 4
    assert body["history"][-1]["as_of"] == latest["as_of"]
    assert body["override"] is None


async def test_usage_lists_every_day_with_zeros_for_idle_days(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = manager_team_account(web_data)
    path = f"/api/v1/accounts/{account}/usage"
    default = await client.get(path, headers=bearer(web_data, "csm"))
    assert default.status_code == 200
    rows = default.json()
    assert len(rows) == 90
    assert set(rows[0]) == {"day", "active_users", "events", "features_used"}
    assert sum(row["events"] for row in rows) > 0
    span = await client.get(
        path,
        params={"start": "2025-01-01", "end": "2025-01-07"},
        headers=bearer(web_data, "csm"),
    )
    assert [row["day"] for row in span.json()][::6] == ["2025-01-01", "2025-01-07"]
    backwards = await client.get(
        path,
        params={"start": "2025-01-07", "end": "2025-01-01"},
        headers=bearer(web_data, "csm"),
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "end 2025-01-01 is before start 2025-01-07"
    too_long = await client.get(
        path, params={"start": "2020-01-01"}, headers=bearer(web_data, "csm")
    )
    assert too_long.status_code == 422
    assert "more than 731 days" in too_long.json()["detail"]
    bad = await client.get(
        path, params={"start": "yesterday"}, headers=bearer(web_data, "csm")
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "start"]
    missing = await client.get(
        "/api/v1/accounts/NOPE/usage", headers=bearer(web_data, "csm")
    )
    assert missing.status_code == 404


async def test_distribution_counts_today_by_segment_within_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.get(
        "/api/v1/health/distribution",
        params={"by": "tier"},
        headers=bearer(web_data, "executive"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "tier"
    assert body["total"] == len(scored_today(web_data))
    assert sum(row["accounts"] for row in body["rows"]) == body["total"]
    assert {row["segment"] for row in body["rows"]} <= {
        "Strategic", "Key", "Standard", "Long-tail",
    }  # fmt: skip
    mine = await client.get(
        "/api/v1/health/distribution", headers=bearer(web_data, "csm")
    )
    csm = web_data.logins["csm"]
    assert mine.json()["total"] == len(scored_today(web_data, {csm}))
    wrong = await client.get(
        "/api/v1/health/distribution",
        params={"by": "plan"},
        headers=bearer(web_data, "executive"),
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "by"]


async def test_trend_counts_every_scored_day(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await client.get(
        "/api/v1/health/trend",
        params={"by": "region"},
        headers=bearer(web_data, "viewer"),
    )
    assert response.status_code == 200
    rows = response.json()
    assert len({row["as_of"] for row in rows}) == 4
    assert set(rows[0]) == {"as_of", "segment", "band", "accounts"}
    backwards = await client.get(
        "/api/v1/health/trend",
        params={"start": "2025-02-01", "end": "2025-01-01"},
        headers=bearer(web_data, "viewer"),
    )
    assert backwards.status_code == 422
    assert "end 2025-01-01 is before start 2025-02-01" in backwards.json()["detail"]


async def test_every_role_reads_scorecards_but_only_admins_change_them(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    listed = await client.get(
        "/api/v1/health/scorecards", headers=bearer(web_data, "viewer")
    )
    assert listed.status_code == 200
    assert [card["name"] for card in listed.json()] == [DEFAULT_NAME]
    spec = scorecard_spec("Strategic accounts")
    for role in ("executive", "manager", "csm", "viewer"):
        refused = await client.post(
            "/api/v1/health/scorecards", json=spec, headers=bearer(web_data, role)
        )
        assert refused.status_code == 403
        assert refused.json()["detail"] == f"the role '{role}' may not manage health"
    export = await client.get(
        "/api/v1/health/scorecards/export", headers=bearer(web_data, "csm")
    )
    assert export.status_code == 403


async def test_an_admin_creates_changes_and_deletes_a_scorecard(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    admin = bearer(web_data, "admin")
    created = await client.post(
        "/api/v1/health/scorecards",
        json=scorecard_spec("Strategic accounts"),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    card = created.json()
    assert (card["version"], card["segment"]) == (1, {"tier": ["Strategic"]})
    changed = await client.put(
        f"/api/v1/health/scorecards/{card['id']}",
        json={"priority": 5},
        headers=admin,
    )
    assert changed.status_code == 200
    assert (changed.json()["priority"], changed.json()["version"]) == (5, 2)
    taken = await client.post(
        "/api/v1/health/scorecards",
        json=scorecard_spec("Strategic accounts"),
        headers=admin,
    )
    assert taken.status_code == 422
    assert (
        taken.json()["detail"] == "scorecard name 'Strategic accounts' is already taken"
    )
    gone = await client.delete(f"/api/v1/health/scorecards/{card['id']}", headers=admin)
    assert gone.status_code == 204
    again = await client.delete(
        f"/api/v1/health/scorecards/{card['id']}", headers=admin
    )
    assert again.status_code == 404
    assert again.json()["detail"] == f"scorecard {card['id']} not found"


async def test_scorecard_errors_name_the_scorecard_measure_and_field(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    admin = bearer(web_data, "admin")
    measures = [dict(m) for m in DEFAULT_DEFINITION["measures"]]
    measures[1] = {**measures[1], "weight": -3}
    bad = scorecard_spec("Broken", definition={"measures": measures})
    refused = await client.post("/api/v1/health/scorecards", json=bad, headers=admin)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("scorecard 'Broken': ")
    assert "definition.measures['days_active'].weight" in detail
    listed = await client.get("/api/v1/health/scorecards", headers=admin)
    default = listed.json()[0]
    undefault = await client.put(
        f"/api/v1/health/scorecards/{default['id']}",
        json={"is_default": False},
        headers=admin,
    )
    assert undefault.status_code == 422
    assert "is the default" in undefault.json()["detail"]
    other = await client.post(
        "/api/v1/health/scorecards", json=scorecard_spec("Strategic"), headers=admin
    )
    assert other.status_code == 201
    kept = await client.delete(
        f"/api/v1/health/scorecards/{default['id']}", headers=admin
    )
    assert kept.status_code == 422
    assert "make another scorecard the default" in kept.json()["detail"]
    missing = await client.put(
        "/api/v1/health/scorecards/999999", json={"priority": 1}, headers=admin
    )
    assert missing.status_code == 404


async def test_export_and_import_round_trip_all_or_nothing(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    admin = bearer(web_data, "admin")
    export = await client.get("/api/v1/health/scorecards/export", headers=admin)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    document = export.json()
    assert document["format"] == "tenure.scorecards"
    same = await client.post(
        "/api/v1/health/scorecards/import", json=document, headers=admin
    )
    assert same.json() == {
        "created": [],
        "updated": [],
        "unchanged": [DEFAULT_NAME],
        "deleted": [],
    }
    good = scorecard_spec("Key accounts", segment={"tier": "Key"})
    broken = scorecard_spec("Broken", priority=-1)
    mixed = {**document, "scorecards": [*document["scorecards"], good, broken]}
    refused = await client.post(
        "/api/v1/health/scorecards/import", json=mixed, headers=admin
    )
    assert refused.status_code == 422
    assert "scorecards['Broken'].priority" in refused.json()["detail"]
    listed = await client.get("/api/v1/health/scorecards", headers=admin)
    assert [card["name"] for card in listed.json()] == [DEFAULT_NAME]
    added = await client.post(
        "/api/v1/health/scorecards/import",
        json={**document, "scorecards": [*document["scorecards"], good]},
        headers=admin,
    )
    assert added.status_code == 200
    assert added.json()["created"] == ["Key accounts"]
    manager = await client.post(
        "/api/v1/health/scorecards/import",
        json=document,
        headers=bearer(web_data, "manager"),
    )
    assert manager.status_code == 403


async def test_a_manager_overrides_a_team_account_until_it_is_revoked(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = manager_team_account(web_data)
    manager = bearer(web_data, "manager")
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    new = {"band": "red", "reason": "Champion left the company", "expires_on": expires}
    created = await client.post(
        f"/api/v1/accounts/{account}/health/overrides", json=new, headers=manager
    )
    assert created.status_code == 201, created.text
    override = created.json()
    assert (override["band"], override["reason"]) == ("red", new["reason"])
    shown = (
        await client.get(f"/api/v1/accounts/{account}/health", headers=manager)
    ).json()
    assert shown["override"]["id"] == override["id"]
    assert shown["latest"]["band"] == "red"
    assert shown["latest"]["applied"]["kind"] == "override"
    revoked = await client.delete(
        f"/api/v1/accounts/{account}/health/overrides/{override['id']}",
        headers=manager,
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    after = (
        await client.get(f"/api/v1/accounts/{account}/health", headers=manager)
    ).json()
    assert after["override"] is None
    assert after["latest"]["applied"] is None


async def test_an_override_needs_a_reason_an_expiry_a_role_and_the_scope(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = manager_team_account(web_data)
    path = f"/api/v1/accounts/{account}/health/overrides"
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    new = {"band": "green", "reason": "Signed the expansion", "expires_on": expires}
    for role in ("csm", "viewer", "executive"):
        refused = await client.post(path, json=new, headers=bearer(web_data, role))
        assert refused.status_code == 403
    admin = bearer(web_data, "admin")
    no_expiry = await client.post(
        path, json={"band": "green", "reason": "x"}, headers=admin
    )
    assert no_expiry.status_code == 422
    assert no_expiry.json()["detail"][0]["loc"] == ["body", "expires_on"]
    blank = await client.post(path, json={**new, "reason": "   "}, headers=admin)
    assert blank.status_code == 422
    assert blank.json()["detail"].endswith("reason must not be blank")
    past = await client.post(
        path, json={**new, "expires_on": "2020-01-01"}, headers=admin
    )
    assert past.status_code == 422
    assert "expires_on 2020-01-01 must be after starts_on" in past.json()["detail"]
    band = await client.post(path, json={**new, "band": "purple"}, headers=admin)
    assert band.status_code == 422
    assert "band 'purple' is not one of green, red, yellow" in band.json()["detail"]
    foreign = foreign_account(web_data)
    outside = await client.post(
        f"/api/v1/accounts/{foreign}/health/overrides",
        json=new,
        headers=bearer(web_data, "manager"),
    )
    assert outside.status_code == 404
    unknown = await client.delete(f"{path}/999999", headers=admin)
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "override 999999 not found"


async def test_a_csm_records_sentiment_of_their_own_customers_only(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    account = manager_team_account(web_data)
    csm = bearer(web_data, "csm")
    path = f"/api/v1/accounts/{account}/sentiment"
    recorded = await client.post(
        path, json={"value": 1, "note": "Angry about the outage"}, headers=csm
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["value"] == 1
    latest = (
        await client.get(f"/api/v1/accounts/{account}/health", headers=csm)
    ).json()["latest"]
    sentiment = next(m for m in latest["measures"] if m["key"] == "sentiment")
    assert (sentiment["status"], sentiment["value"]) == ("scored", 1.0)
    assert latest["band"] == "red"
    assert latest["applied"]["key"] == "very_unhappy"
    for value in (0, 6):
        wrong = await client.post(path, json={"value": value}, headers=csm)
        assert wrong.status_code == 422
        assert wrong.json()["detail"][0]["loc"] == ["body", "value"]
    for role in ("viewer", "executive"):
        refused = await client.post(
            path, json={"value": 4}, headers=bearer(web_data, role)
        )
        assert refused.status_code == 403
        assert "may not write accounts" in refused.json()["detail"]
    foreign = foreign_account(web_data)
    outside = await client.post(
        f"/api/v1/accounts/{foreign}/sentiment", json={"value": 4}, headers=csm
    )
    assert outside.status_code == 404
    assert outside.json()["detail"] == f"no account '{foreign}'"
