"""The team API: each endpoint and role, totals equal to revenue, errors that explain.

Every test runs on SQLite and on PostgreSQL over the demo company and changes
nothing in it.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import httpx
import pytest

from tests.web.conftest import WebData
from tests.web.test_api import bearer
from tests.web.test_tasks_api import staff_id

pytestmark = pytest.mark.anyio

ENDPOINTS = (
    "/api/v1/team/performance",
    "/api/v1/team/comparison",
    "/api/v1/team/trend",
    "/api/v1/team/behind?owner=1&figure=mrr",
)
YEAR = "start=2025-01-01&end=2025-12-31"


async def get(
    client: httpx.AsyncClient, data: WebData, role: str, path: str
) -> httpx.Response:
    return await client.get(path, headers=bearer(data, role))


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_every_team_endpoint_needs_a_caller(
    client: httpx.AsyncClient, path: str
) -> None:
    assert (await client.get(path)).status_code == 401


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_a_viewer_may_not_see_team_figures(
    client: httpx.AsyncClient, web_data: WebData, path: str
) -> None:
    response = await get(client, web_data, "viewer", path)
    assert response.status_code == 403
    assert "view team" in response.json()["detail"]


async def test_a_csm_gets_their_own_row_for_the_month_to_date(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await get(client, web_data, "csm", "/api/v1/team/performance")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [row["email"] for row in body["people"]] == [web_data.logins["csm"]]
    assert body["start"] == body["today"][:8] + "01"
    assert body["end"] == body["today"]


async def test_a_manager_sees_their_team_and_not_the_others(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    response = await get(
        client, web_data, "manager", f"/api/v1/team/performance?{YEAR}"
    )
    emails = {row["email"] for row in response.json()["people"]}
    assert web_data.logins["csm"] in emails
    assert web_data.other_csm not in emails
    mrr = sum(Decimal(str(row["mrr"])) for row in response.json()["people"])
    assert Decimal(str(response.json()["total"]["mrr"])) == mrr


async def test_the_executives_total_is_the_company_mrr(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    team = (await get(client, web_data, "executive", "/api/v1/team/performance")).json()
    revenue = await get(
        client, web_data, "executive",
        f"/api/v1/revenue/mrr?start={team['start']}&end={team['end']}",
    )  # fmt: skip
    month = revenue.json()[-1]
    for name in ("mrr", "new", "expansion", "contraction", "churn"):
        assert team["total"][name] == month[name], name


async def test_people_rank_by_the_figure_asked_for(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/team/performance?{YEAR}&rank=mrr"
    people = (await get(client, web_data, "admin", path)).json()["people"]
    values = [row["mrr"] for row in people]
    assert values == sorted(values, reverse=True)
    assert [row["rank"] for row in people] == list(range(1, len(people) + 1))


async def test_the_performance_comes_as_csv_with_a_total_line(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/team/performance?{YEAR}&format=csv"
    response = await get(client, web_data, "manager", path)
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[-1]["name"] == "total"
    assert {"rate_by_count", "gross_rate_by_amount", "nrr"} <= set(rows[0])


async def test_executives_compare_teams_and_managers_may_not(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    teams = await get(client, web_data, "executive", f"/api/v1/team/comparison?{YEAR}")
    assert teams.status_code == 200
    assert all(row["team"] for row in teams.json()[:-1])
    refused = await get(client, web_data, "manager", "/api/v1/team/comparison")
    assert refused.status_code == 403


async def test_the_trend_has_twelve_months_and_ends_with_the_total(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    rows = (await get(client, web_data, "manager", "/api/v1/team/trend")).json()
    assert len(rows) == 12
    month = (await get(client, web_data, "manager", "/api/v1/team/performance")).json()
    assert rows[-1]["mrr"] == month["total"]["mrr"]


async def test_the_trend_of_someone_outside_the_team_is_refused(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    other = staff_id(web_data, web_data.other_csm)
    path = f"/api/v1/team/trend?owner={other}"
    assert (await get(client, web_data, "manager", path)).status_code == 403


async def test_the_accounts_behind_a_figure_add_up_to_it(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    me = staff_id(web_data, web_data.logins["csm"])
    row = (
        await get(client, web_data, "csm", f"/api/v1/team/performance?{YEAR}")
    ).json()["people"][0]
    for figure in ("mrr", "churn", "new", "renewals_due"):
        path = f"/api/v1/team/behind?owner={me}&figure={figure}&{YEAR}"
        found = (await get(client, web_data, "csm", path)).json()
        total = sum(Decimal(str(r["amount"])) for r in found)
        name = {"renewals_due": "due_amount"}.get(figure, figure)
        assert total == Decimal(str(row[name])), figure


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("/api/v1/team/performance?start=2025-13-01", "start"),
        ("/api/v1/team/performance?start=2025-02-01&end=2025-01-01", "before start"),
        ("/api/v1/team/performance?rank=luck", "rank 'luck'"),
        ("/api/v1/team/performance?team=999", "team 999"),
        ("/api/v1/team/trend?interval=fortnight", "interval"),
        ("/api/v1/team/behind?owner=abc&figure=mrr", "owner 'abc'"),
        ("/api/v1/team/behind?owner=none&figure=arr", "figure 'arr'"),
    ],
)
async def test_bad_parameters_are_named(
    client: httpx.AsyncClient, web_data: WebData, path: str, named: str
) -> None:
    response = await get(client, web_data, "admin", path)
    assert response.status_code == 422
    assert named in response.text


async def test_an_executive_drills_into_accounts_without_an_owner(
    client: httpx.AsyncClient, web_data: WebData
) -> None:
    path = f"/api/v1/team/behind?owner=none&figure=mrr&{YEAR}"
    assert (await get(client, web_data, "executive", path)).status_code == 200
    assert (await get(client, web_data, "manager", path)).status_code == 403
