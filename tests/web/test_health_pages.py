"""Health on the pages: the overview's distribution, the customer 360, scorecards."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlalchemy import select

from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.health.defaults import DEFAULT_DEFINITION
from tenure.staff.models import StaffUser
from tenure.staff.service import set_locale
from tests.web.conftest import WebData, reset_health, sign_in
from tests.web.test_health_api import scored_today

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def restored(web_sqlite: WebData) -> Iterator[None]:
    """Undo what a test entered through the pages."""
    yield
    reset_health(web_sqlite)


async def sign_in_english(user: User, data: WebData, role: str) -> None:
    """Sign in as the role's user, with English pages whatever the demo chose."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            staff = session.scalar(
                select(StaffUser).where(StaffUser.email == data.logins[role])
            )
            assert staff is not None
            set_locale(session, staff.id, "en")
    finally:
        engine.dispose()
    await sign_in(user, data.logins[role])
    await user.should_see(marker="active-customers")


def team_account(data: WebData) -> str:
    """An account scored today, owned by the CSM in the manager's team."""
    return scored_today(data, {data.logins["csm"]})[0]


async def test_the_overview_shows_health_by_segment_and_drills_to_customers(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in_english(user, web_sqlite, "executive")
    await user.should_see("Customer health by segment")
    await user.should_see("Customer health, last 90 days")
    chart = user.find(marker="health-chart").elements.pop()
    assert isinstance(chart, ui.echart)
    assert chart.options["yAxis"]["data"] == [
        "Key",
        "Long-tail",
        "Standard",
        "Strategic",
    ]
    names = [series["name"] for series in chart.options["series"]]
    assert names == ["Red", "Yellow", "Green", "Insufficient data"]
    total = sum(sum(series["data"]) for series in chart.options["series"])
    assert total == len(scored_today(web_sqlite))
    user.find(marker="health-by").elements.pop().set_value("region")
    assert "East China" in chart.options["yAxis"]["data"]
    green = names.index("Green")
    row = next(i for i, v in enumerate(chart.options["series"][green]["data"]) if v)
    region = chart.options["yAxis"]["data"][row]
    count = chart.options["series"][green]["data"][row]
    user.find(marker="health-chart").trigger(
        "componentClick",
        {
            "componentType": "series",
            "seriesType": "bar",
            "seriesIndex": green,
            "seriesName": "Green",
            "name": region,
            "dataIndex": row,
            "data": count,
            "value": count,
        },
    )
    await user.should_see("Customers by health")
    await user.should_see(f"Green · Region: {region}")
    await user.should_see(f"{count} customers")


async def test_the_trend_has_every_scored_day(user: User, web_sqlite: WebData) -> None:
    await sign_in_english(user, web_sqlite, "viewer")
    await user.should_see(marker="health-trend-chart")
    chart = user.find(marker="health-trend-chart").elements.pop()
    assert isinstance(chart, ui.echart)
    assert len(chart.options["xAxis"]["data"]) == 4


async def test_the_customer_360_explains_the_score_in_the_users_language(
    user: User, web_sqlite: WebData
) -> None:
    account = team_account(web_sqlite)
    await sign_in_english(user, web_sqlite, "csm")
    await user.open(f"/customers/{account}")
    await user.should_see(marker="health-score")
    await user.should_see(marker="health-band")
    await user.should_see("How the score is made")
    await user.should_see(marker="health-history")
    await user.should_see("Product usage, last 90 days")
    table = user.find(marker="health-measures").elements.pop()
    assert isinstance(table, ui.table)
    labels = [row["measure"] for row in table.rows]
    assert labels == [m["label"]["en"] for m in DEFAULT_DEFINITION["measures"]]
    sentiment = next(r for r in table.rows if r["key"] == "sentiment")
    assert (sentiment["status"], sentiment["value"]) == ("Missing", "–")
    usage = user.find(marker="usage-chart").elements.pop()
    assert isinstance(usage, ui.echart)
    assert len(usage.options["series"][0]["data"]) == 90
    user.find(marker="language").elements.pop().set_value("zh-CN")
    await user.open(f"/customers/{account}")
    await user.should_see("评分明细")
    table = user.find(marker="health-measures").elements.pop()
    assert isinstance(table, ui.table)
    assert table.rows[-1]["measure"] == "客户成功经理评估"
    assert table.rows[-1]["status"] == "缺失"
    user.find(marker="language").elements.pop().set_value("en")


async def test_a_csm_records_sentiment_but_may_not_override(
    user: User, web_sqlite: WebData
) -> None:
    account = team_account(web_sqlite)
    await sign_in_english(user, web_sqlite, "csm")
    await user.open(f"/customers/{account}")
    await user.should_not_see(marker="override-reason")
    user.find(marker="sentiment-value").elements.pop().set_value(1)
    user.find(marker="sentiment-note").type("Angry about the outage")
    user.find(marker="save-sentiment").click()
    await user.should_see("Set by rule: The CSM reports the customer very unhappy")
    await user.should_see("Angry about the outage")
    band = user.find(marker="health-band").elements.pop()
    assert isinstance(band, ui.chip)
    assert band.text == "Red"


async def test_a_manager_sets_and_revokes_an_override(
    user: User, web_sqlite: WebData
) -> None:
    account = team_account(web_sqlite)
    await sign_in_english(user, web_sqlite, "manager")
    await user.open(f"/customers/{account}")
    user.find(marker="override-band").elements.pop().set_value("red")
    user.find(marker="save-override").click()
    await user.should_see("reason must not be blank")
    user.find(marker="override-reason").type("Champion left the company")
    user.find(marker="save-override").click()
    await user.should_see(marker="health-override")
    await user.should_see("Set by hand: Champion left the company")
    override = user.find(marker="health-override").elements.pop()
    assert isinstance(override, ui.label)
    assert override.text.startswith("Red until ")
    user.find(marker="revoke-override").click()
    await user.should_see(marker="health-score")
    await user.should_not_see(marker="health-override")


async def test_scorecards_are_for_admins_only(user: User, web_sqlite: WebData) -> None:
    await sign_in_english(user, web_sqlite, "manager")
    await user.should_not_see("Health scorecards")
    await user.open("/health/scorecards")
    await user.should_see(marker="admin-only")
    await user.should_see("Only admins manage health scorecards.")


async def test_an_admin_sees_the_errors_of_a_bad_scorecard_and_saves_a_good_one(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in_english(user, web_sqlite, "admin")
    await user.should_see("Health scorecards")
    await user.open("/health/scorecards")
    table = user.find(marker="scorecards").elements.pop()
    assert isinstance(table, ui.table)
    assert [row["name"] for row in table.rows] == ["Default"]
    user.find(marker="new-scorecard").click()
    await user.should_see(marker="scorecard-name")
    user.find(marker="scorecard-name").type("Strategic accounts")
    user.find(marker="segment-tier").elements.pop().set_value(["Strategic"])
    user.find(marker="measures").clear().type("[{")
    await user.should_see(marker="measures-error")
    user.find(marker="save-scorecard").click()
    user.find(marker="measures").clear().type(json.dumps([{"key": "bad"}]))
    user.find(marker="save-scorecard").click()
    await user.should_see(marker="save-errors")
    await user.should_see("definition.measures['bad'].label: Field required")
    await user.should_see("definition.measures['bad'].metric: Field required")
    measures = json.dumps(DEFAULT_DEFINITION["measures"])
    user.find(marker="measures").clear().type(measures)
    user.find(marker="band-green").elements.pop().set_value(75)
    user.find(marker="save-scorecard").click()
    await user.should_see(marker="scorecards")
    table = user.find(marker="scorecards").elements.pop()
    assert isinstance(table, ui.table)
    row = next(r for r in table.rows if r["name"] == "Strategic accounts")
    assert row["segment"] == "Tier: Strategic"
    await user.open(f"/health/scorecards/{row['id']}")
    green = user.find(marker="band-green").elements.pop()
    assert isinstance(green, ui.number)
    assert green.value == 75
    user.find(marker="delete-scorecard").click()
    user.find(marker="confirm-delete").click()
    await user.should_see(marker="scorecards")
    table = user.find(marker="scorecards").elements.pop()
    assert isinstance(table, ui.table)
    assert [r["name"] for r in table.rows] == ["Default"]


async def test_an_import_with_errors_shows_them_all_and_changes_nothing(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in_english(user, web_sqlite, "admin")
    await user.open("/health/scorecards")
    user.find(marker="export-scorecards").click()
    exported = (await user.download.next()).json()
    assert exported["format"] == "tenure.scorecards"
    broken = [
        {"name": "One", "priority": -1, "definition": DEFAULT_DEFINITION},
        {"name": "Two", "definition": {"measures": []}},
    ]
    document = {**exported, "scorecards": [*exported["scorecards"], *broken]}
    upload = user.find(marker="import-file").elements.pop()
    assert isinstance(upload, ui.upload)
    body = json.dumps(document).encode()
    await upload.handle_uploads([SmallFileUpload("s.json", "application/json", body)])
    await user.should_see(marker="import-errors")
    await user.should_see("Nothing was imported:")
    await user.should_see("scorecards['One'].priority", retries=5)
    await user.should_see("scorecards['Two'].definition.measures", retries=5)
    table = user.find(marker="scorecards").elements.pop()
    assert isinstance(table, ui.table)
    assert [r["name"] for r in table.rows] == ["Default"]
    good = {
        **exported,
        "scorecards": [*exported["scorecards"], {**broken[0], "priority": 5}],
    }
    body = json.dumps(good).encode()
    await upload.handle_uploads([SmallFileUpload("s.json", "application/json", body)])
    await user.should_see("Imported: 1 created, 0 updated, 1 unchanged, 0 deleted.")
