"""The JSON API: authentication, scope, figures equal to the CLI, errors that explain.

Every test runs on SQLite and on PostgreSQL, over a small demo company.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tenure.accounts.models import Account
from tenure.auth import service as auth
from tenure.cli.main import app as cli
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.staff.models import StaffUser
from tests.web.conftest import PASSWORD, WebData

pytestmark = pytest.mark.anyio

READ_ENDPOINTS = (
    "/api/v1/auth/me",
    "/api/v1/accounts",
    "/api/v1/accounts/filters",
    "/api/v1/accounts/export",
    "/api/v1/accounts/ACME",
    "/api/v1/revenue/mrr",
    "/api/v1/revenue/retention",
    "/api/v1/revenue/cohorts",
    "/api/v1/revenue/movements?start=2025-01-01&end=2025-01-31",
    "/api/v1/revenue/customers",
    "/api/v1/renewals",
    "/api/v1/renewals/terms?start=2025-01-01&end=2025-01-31",
    "/api/v1/overview",
    "/api/v1/apikeys",
    "/api/v1/users",
)


def bearer(data: WebData, role: str) -> dict[str, str]:
    """Return the Authorization header of the role's API key."""
    return {"Authorization": f"Bearer {data.keys[role]}"}


def cli_json(data: WebData, *args: str) -> Any:
    """Run a ``tenure`` command with --format json on the demo company's database."""
    result = CliRunner().invoke(
        cli, [*args, "--format", "json"], env={"TENURE_DATABASE_URL": data.url}
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def db_session(data: WebData) -> Any:
    """Open a transaction on the demo company's database."""
    engine = make_engine(data.url)
    return engine, transaction(make_session_factory(engine))


def owned_by(data: WebData, emails: set[str]) -> set[str]:
    """Return the external ids of the accounts owned by these staff users."""
    engine, tx = db_session(data)
    try:
        with tx as session:
            query = (
                select(Account.external_id)
                .join(StaffUser, StaffUser.id == Account.owner_id)
                .where(StaffUser.email.in_(emails))
            )
            return set(session.scalars(query))
    finally:
        engine.dispose()


async def all_accounts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Any]:
    """Page through /accounts and return every row."""
    rows: list[Any] = []
    page = 1
    while True:
        response = await client.get(
            "/api/v1/accounts",
            params={"page": page, "page_size": 500, "sort": "account_id"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        rows.extend(body["rows"])
        if len(rows) >= body["total"]:
            return rows
        page += 1


@pytest.mark.parametrize("path", READ_ENDPOINTS)
async def test_every_endpoint_needs_a_caller(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Bearer" in response.json()["detail"]


async def test_a_malformed_or_unknown_key_is_refused(
    client: httpx.AsyncClient,
) -> None:
    basic = await client.get(
        "/api/v1/auth/me", headers={"Authorization": "Basic dXNlcjpwdw=="}
    )
    assert basic.status_code == 401
    assert "'Bearer <API key>'" in basic.json()["detail"]
    unknown = await client.get(
        "/api/v1/auth/me", headers={"Authorization": "Bearer tnr_nope"}
    )
    assert unknown.status_code == 401
    assert "unknown, revoked" in unknown.json()["detail"]


async def test_a_key_acts_as_its_user(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    for role in ("admin", "executive", "manager", "csm", "viewer"):
        response = await client.get("/api/v1/auth/me", headers=bearer(web_data, role))
        assert response.status_code == 200
        assert response.json()["role"] == role
        assert response.json()["email"] == web_data.logins[role]


async def test_signing_in_opens_one_session_for_api_and_pages(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    email = web_data.logins["executive"]
    wrong = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": "not it at all"}
    )
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "wrong email or password"
    nobody = await client.post(
        "/api/v1/auth/login",
        json={"email": "nobody@example.com", "password": "not it at all"},
    )
    assert nobody.json() == wrong.json()
    signed = await client.post(
        "/api/v1/auth/login", json={"email": email.upper(), "password": PASSWORD}
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["role"] == "executive"
    assert (await client.get("/api/v1/auth/me")).json()["email"] == email
    page = await client.get("/revenue")
    assert page.status_code == 200
    assert "/login" not in str(page.url)
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    redirected = await client.get("/revenue")
    assert redirected.status_code == 307
    assert redirected.headers["location"] == "/login?next=%2Frevenue"


async def test_repeated_failures_lock_and_disabled_users_are_refused(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            auth.create_user(
                session, "locked@example.com", "Lock Test", "csm", PASSWORD
            )
            auth.create_user(session, "gone@example.com", "Gone Test", "csm", PASSWORD)
            auth.disable_user(session, "gone@example.com")
    finally:
        engine.dispose()
    for attempt in range(1, 6):
        failed = await client.post(
            "/api/v1/auth/login",
            json={"email": "locked@example.com", "password": "wrong password!"},
        )
        assert failed.status_code == (423 if attempt == 5 else 401)
    locked = await client.post(
        "/api/v1/auth/login", json={"email": "locked@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 423
    assert "too many failed sign-ins" in locked.json()["detail"]
    disabled = await client.post(
        "/api/v1/auth/login", json={"email": "gone@example.com", "password": PASSWORD}
    )
    assert disabled.status_code == 403
    missing = await client.post("/api/v1/auth/login", json={"email": "x@y.z"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "password"]


async def test_mrr_and_renewals_equal_the_cli(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "executive")
    for path, command in (
        ("/api/v1/revenue/mrr", "mrr"),
        ("/api/v1/renewals", "renewals"),
        ("/api/v1/revenue/retention", "retention"),
    ):
        params = {"interval": "month", "start": "2024-07-01", "end": "2025-06-30"}
        api = await client.get(path, params=params, headers=headers)
        assert api.status_code == 200, api.text
        expected = cli_json(
            web_data, "report", command, "--start", "2024-07-01", "--end", "2025-06-30"
        )
        assert [{k: row[k] for k in expected[0]} for row in api.json()] == expected
    by = await client.get(
        "/api/v1/revenue/mrr",
        params={"interval": "quarter", "start": "2024-01-01", "by": "region"},
        headers=headers,
    )
    expected = cli_json(
        web_data, "report", "mrr", "--interval", "quarter", "--start", "2024-01-01",
        "--by", "region",
    )  # fmt: skip
    assert [{k: row[k] for k in expected[0]} for row in by.json()] == expected


async def test_a_csm_sees_only_their_own_book(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    csm = web_data.logins["csm"]
    headers = bearer(web_data, "csm")
    mine = owned_by(web_data, {csm})
    assert mine, "the demo CSM owns accounts"
    rows = await all_accounts(client, headers)
    assert {row["account_id"] for row in rows} == mine
    assert {row["owner"] for row in rows} == {csm}
    foreign = sorted(owned_by(web_data, {web_data.other_csm}))[0]
    assert (
        await client.get(f"/api/v1/accounts/{foreign}", headers=headers)
    ).status_code == 404
    own = sorted(mine)[0]
    detail = await client.get(f"/api/v1/accounts/{own}", headers=headers)
    assert detail.status_code == 200
    assert detail.json()["profile"]["account_id"] == own
    api = await client.get(
        "/api/v1/revenue/mrr", params={"start": "2024-07-01", "end": "2025-06-30"},
        headers=headers,
    )  # fmt: skip
    expected = cli_json(
        web_data, "report", "mrr", "--start", "2024-07-01", "--end", "2025-06-30",
        "--where", f"owner={csm}",
    )  # fmt: skip
    assert [{k: row[k] for k in expected[0]} for row in api.json()] == expected
    moves = await client.get(
        "/api/v1/revenue/movements",
        params={"start": "2020-01-01", "end": "2030-12-31"},
        headers=headers,
    )
    assert {row["customer"] for row in moves.json()} <= mine
    terms = await client.get(
        "/api/v1/renewals/terms",
        params={"start": "2020-01-01", "end": "2030-12-31"},
        headers=headers,
    )
    assert {row["customer"] for row in terms.json()} <= mine
    options = (await client.get("/api/v1/accounts/filters", headers=headers)).json()
    assert options["owner"] == [csm]


async def test_a_manager_sees_the_team_and_executives_everything(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    manager_rows = await all_accounts(client, bearer(web_data, "manager"))
    manager_ids = {row["account_id"] for row in manager_rows}
    assert owned_by(web_data, {web_data.logins["csm"]}) <= manager_ids
    assert not owned_by(web_data, {web_data.other_csm}) & manager_ids
    everything = await all_accounts(client, bearer(web_data, "executive"))
    assert len(everything) > len(manager_rows)
    viewer = await all_accounts(client, bearer(web_data, "viewer"))
    assert len(viewer) == len(everything)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("executive", 403),
        ("manager", 403),
        ("csm", 403),
        ("viewer", 403),
    ],
)
async def test_only_admins_manage_users(
    client: httpx.AsyncClient, web_data: WebData, role: str, status: int
) -> None:
    headers = bearer(web_data, role)
    listed = await client.get("/api/v1/users", headers=headers)
    assert listed.status_code == status
    new = {
        "email": f"new-{role}@example.com",
        "name": "New Person",
        "role": "viewer",
        "password": "a long enough password",
    }
    created = await client.post("/api/v1/users", json=new, headers=headers)
    assert created.status_code == (201 if status == 200 else 403)
    changed = await client.patch(
        f"/api/v1/users/{new['email']}", json={"role": "csm"}, headers=headers
    )
    assert changed.status_code == status
    if status == 403:
        assert listed.json()["detail"] == f"the role '{role}' may not manage users"
    else:
        assert changed.json()["role"] == "csm"
        unknown = await client.patch(
            "/api/v1/users/nobody@example.com", json={"active": False}, headers=headers
        )
        assert unknown.status_code == 404
        assert "nobody@example.com" in unknown.json()["detail"]


async def test_bad_requests_say_what_is_wrong(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "executive")
    cases = {
        "/api/v1/revenue/mrr?interval=fortnight": "interval",
        "/api/v1/revenue/mrr?start=2025-13-01": "start",
        "/api/v1/revenue/mrr?by=colour": "by",
        "/api/v1/renewals/terms?start=2025-01-01": "end",
        "/api/v1/accounts?page=0": "page",
        "/api/v1/accounts?page_size=501": "page_size",
        "/api/v1/accounts/export?format=pdf": "format",
    }
    for path, field in cases.items():
        response = await client.get(path, headers=headers)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"][-1] == field, path
    backwards = await client.get(
        "/api/v1/revenue/mrr?start=2025-06-01&end=2025-01-01", headers=headers
    )
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "end 2025-01-01 is before start 2025-06-01"
    sort = await client.get("/api/v1/accounts?sort=colour", headers=headers)
    assert sort.status_code == 422
    assert "sort" in sort.json()["detail"] and "colour" in sort.json()["detail"]
    missing = await client.get("/api/v1/accounts/NO-SUCH-ID", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no account 'NO-SUCH-ID'"


async def test_the_export_holds_exactly_the_filtered_list(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "manager")
    params = {"status": "active", "sort": "mrr", "descending": "true"}
    listed = await client.get(
        "/api/v1/accounts", params={**params, "page_size": 500}, headers=headers
    )
    ids = [row["account_id"] for row in listed.json()["rows"]]
    assert ids
    exported = await client.get(
        "/api/v1/accounts/export", params={**params, "format": "csv"}, headers=headers
    )
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    text = exported.content.decode("utf-8-sig")
    assert [row["account_id"] for row in csv.DictReader(io.StringIO(text))] == ids
    xlsx = await client.get(
        "/api/v1/accounts/export", params={**params, "format": "xlsx"}, headers=headers
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    column = values[0].index("account_id")
    assert [row[column] for row in values[1:]] == ids


async def test_api_keys_are_shown_once_and_can_be_revoked(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    headers = bearer(web_data, "viewer")
    created = await client.post("/api/v1/apikeys", json={"name": "ci"}, headers=headers)
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("tnr_")
    listed = (await client.get("/api/v1/apikeys", headers=headers)).json()
    assert all("key" not in row for row in listed)
    assert key not in json.dumps(listed)
    mine = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/api/v1/auth/me", headers=mine)).status_code == 200
    revoked = await client.delete(
        f"/api/v1/apikeys/{created.json()['id']}", headers=headers
    )
    assert revoked.status_code == 204
    assert (await client.get("/api/v1/auth/me", headers=mine)).status_code == 401
    other = await client.delete("/api/v1/apikeys/999999", headers=headers)
    assert other.status_code == 404


async def test_changing_the_password(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    engine, tx = db_session(web_data)
    try:
        with tx as session:
            auth.create_user(session, "pw@example.com", "Pass Word", "viewer", PASSWORD)
    finally:
        engine.dispose()
    signed = await client.post(
        "/api/v1/auth/login", json={"email": "pw@example.com", "password": PASSWORD}
    )
    assert signed.status_code == 200
    wrong = await client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": "another good one"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"].startswith("current_password")
    weak = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert weak.status_code == 422
    assert weak.json()["detail"].startswith("new_password")
    done = await client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "another good one"},
    )
    assert done.status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    old = await client.post(
        "/api/v1/auth/login", json={"email": "pw@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401


async def test_overview_counts_the_customers_it_links_to(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    for role in ("executive", "csm"):
        headers = bearer(web_data, role)
        overview = (await client.get("/api/v1/overview", headers=headers)).json()
        paying = (await client.get("/api/v1/revenue/customers", headers=headers)).json()
        assert overview["active_customers"] == len(paying)
        for name in ("industry", "region", "tier"):
            counts = overview["segments"][name]
            assert sum(c["customers"] for c in counts) == len(paying)


async def test_documentation_is_served_without_internet(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/openapi.json")).json()
    assert "/api/v1/accounts" in schema["paths"]
    assert "/api/v1/revenue/mrr" in schema["paths"]
    assert not any(path.startswith("/_nicegui") for path in schema["paths"])
    assert "/revenue" not in schema["paths"]
    for page in ("/docs", "/redoc"):
        html = (await client.get(page)).text
        assert "https://" not in html.replace("https://fastapi", "")
        for asset in ("swagger-ui-bundle.js", "redoc.standalone.js"):
            if asset.split(".")[0].split("-")[0] in page:
                assert f"/_tenure/docs/{asset}" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = await client.get(f"/_tenure/docs/{asset}")
        assert response.status_code == 200
