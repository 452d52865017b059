"""Each page's behaviour through NiceGUI's simulated user (SQLite demo company)."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from tenure.accounts.models import Account
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.revenue.models import AccountRevenue
from tenure.staff.models import StaffUser
from tests.web.conftest import WebData, sign_in

pytestmark = pytest.mark.anyio


def own_accounts(data: WebData, email: str) -> list[tuple[str, str, bool]]:
    """Return (external id, name, paying now) of the accounts ``email`` owns."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            query = (
                select(Account.external_id, Account.name, AccountRevenue.active)
                .join(StaffUser, StaffUser.id == Account.owner_id)
                .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
                .where(StaffUser.email == email)
                .order_by(Account.external_id)
            )
            return [(r[0], r[1], bool(r[2])) for r in session.execute(query)]
    finally:
        engine.dispose()


async def test_pages_ask_to_sign_in_first(user: User) -> None:
    await user.open("/revenue")
    await user.should_see(marker="email")
    await user.should_see("Sign in to Tenure")


async def test_a_wrong_password_is_refused(user: User, web_sqlite: WebData) -> None:
    await sign_in(user, web_sqlite.logins["executive"], "not the password")
    await user.should_see("Wrong email or password.")


async def test_signing_in_leads_to_the_business_overview(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in(user, web_sqlite.logins["executive"])
    await user.should_see("Business overview")
    await user.should_see(marker="active-customers")
    await user.should_see("Churned this month")
    await user.should_see("Active customers by segment")


async def test_the_revenue_overview_switches_retained_mrr_off(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in(user, web_sqlite.logins["executive"])
    await user.open("/revenue")
    await user.should_see(marker="mrr")
    await user.should_see("NRR")
    await user.should_see("Quick ratio")
    chart = user.find(marker="composition").elements.pop()
    assert isinstance(chart, ui.echart)
    retained = chart.options["series"][0]
    assert retained["name"] == "Retained"
    assert all(value > 0 for value in retained["data"])
    user.find(marker="show-retained").click()
    assert all(value is None for value in retained["data"])
    user.find(marker="show-retained").click()
    assert all(value > 0 for value in retained["data"])


async def test_clicking_the_churn_bar_lists_the_churned_customers(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in(user, web_sqlite.logins["executive"])
    await user.open("/revenue?months=36&retained=0")
    chart = user.find(marker="composition").elements.pop()
    assert isinstance(chart, ui.echart)
    churn = next(s for s in chart.options["series"] if s["name"] == "Churn")
    series = chart.options["series"].index(churn)
    month = next(i for i, v in enumerate(churn["data"]) if v < 0)
    period = chart.options["xAxis"]["data"][month]
    user.find(marker="composition").trigger(
        "componentClick",
        {
            "componentType": "series",
            "seriesType": "bar",
            "seriesIndex": series,
            "seriesName": "Churn",
            "name": period,
            "dataIndex": month,
            "data": churn["data"][month],
            "value": churn["data"][month],
        },
    )
    await user.should_see("Customers behind the figure")
    await user.should_see(f"Churn · {period}-01")


async def test_the_renewals_page_labels_its_rates(
    user: User, web_sqlite: WebData
) -> None:
    await sign_in(user, web_sqlite.logins["executive"])
    await user.open("/renewals")
    await user.should_see("Due this month")
    await user.should_see("Due this quarter")
    await user.should_see("Renewal rate by count (续约率)")
    await user.should_see("Gross renewal rate by amount (续费率)")
    await user.should_see("Forecast against actual")


async def test_a_csm_lists_only_their_own_customers(
    user: User, web_sqlite: WebData
) -> None:
    csm = web_sqlite.logins["csm"]
    mine = own_accounts(web_sqlite, csm)
    await sign_in(user, csm)
    await user.open("/customers")
    await user.should_see(f"{len(mine)} customers")
    table = user.find(marker="customers").elements.pop()
    assert isinstance(table, ui.table)
    assert {row["account_id"] for row in table.rows} <= {m[0] for m in mine}
    user.find(marker="search").type(mine[0][1])
    await user.should_see(marker="total")
    table = user.find(marker="customers").elements.pop()
    assert isinstance(table, ui.table)
    assert mine[0][0] in {row["account_id"] for row in table.rows}
    foreign = own_accounts(web_sqlite, web_sqlite.other_csm)[0]
    await user.open(f"/customers/{foreign[0]}")
    await user.should_see("No such customer.")


async def test_the_customer_360_shows_profile_history_and_places_to_fill(
    user: User, web_sqlite: WebData
) -> None:
    csm = web_sqlite.logins["csm"]
    paying = next(m for m in own_accounts(web_sqlite, csm) if m[2])
    await sign_in(user, csm)
    await user.open(f"/customers/{paying[0]}")
    await user.should_see(paying[1])
    for heading in ("MRR history", "MRR movements", "Timeline", "Health", "Tasks"):
        await user.should_see(heading)


async def test_the_language_follows_the_user(user: User, web_sqlite: WebData) -> None:
    await sign_in(user, web_sqlite.logins["viewer"])
    await user.open("/me")
    user.find(marker="language").elements.pop().set_value("zh-CN")
    await user.open("/revenue")
    await user.should_see("经营概览")
    await user.should_see("显示留存 MRR")
    user.find(marker="language").elements.pop().set_value("en")
    await user.open("/revenue")
    await user.should_see("Revenue overview")
