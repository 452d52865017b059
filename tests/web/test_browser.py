"""Journeys in a real Chromium (Debian's package) against a real `tenure serve`.

Every journey records the requests the page makes and checks that each went to the
local server: no CDN, no outside font, nothing fetched from the internet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy import delete, func, select

from tenure.accounts.models import Account
from tenure.briefing.delivery import send_now
from tenure.briefing.models import Briefing
from tenure.briefing.preferences import subscribers
from tenure.db.base import utcnow
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.notifications.models import Notification
from tenure.rules.models import Rule
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task
from tests.conftest import _in_ci
from tests.web.conftest import PASSWORD, WebData
from tests.web.serving import tenure_serve
from tests.web.test_pages import own_accounts

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
USAGE_DROP_RULE = "Usage drop"


@pytest.fixture(scope="module")
def server(
    web_sqlite: WebData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Run `tenure serve` over the demo company; yield its base URL."""
    storage = tmp_path_factory.mktemp("browser-storage")
    settings = {
        "TENURE_DATABASE_URL": web_sqlite.url,
        "TENURE_SECRET_KEY": "browser tests",
        "NICEGUI_STORAGE_PATH": str(storage),
        "TENURE_EVENTS_PATH": str(storage / "events.duckdb"),
    }
    with tenure_serve(settings, storage / "server.log") as (_, base):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright; never a downloaded one."""
    if not CHROMIUM.exists():
        if _in_ci():
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        yield _launch(playwright)


def _launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )


class Journey:
    """A phone-sized page that records where each of its requests went."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=PHONE, locale="en-US")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.requests: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))

    def sign_in(self, email: str) -> None:
        """Sign in through the sign-in page."""
        self.page.goto(f"{self.base}/")
        self.page.wait_for_url("**/login?next=*")
        self.page.get_by_test_id("email").fill(email)
        self.page.get_by_test_id("password").fill(PASSWORD)
        self.page.get_by_test_id("sign-in").click()
        self.page.get_by_test_id("active-customers").wait_for()

    def check_all_local(self) -> None:
        """Assert that every request went to the local server."""
        ws = self.base.replace("http://", "ws://")
        outside = [
            url
            for url in self.requests
            if not url.startswith((self.base, ws, "data:", "blob:"))
        ]
        assert self.requests
        assert outside == []

    def close(self) -> None:
        """Close the browser context."""
        self.context.close()


def churn_bar_point(page: Page) -> tuple[float, float, str]:
    """Return the page coordinates of the biggest churn bar and its month."""
    return page.evaluate(
        """() => {
          const el = document.querySelector('[data-testid="composition"]');
          const chart = getElement(el.id.replace(/^c/, '')).chart;
          const option = chart.getOption();
          const series = option.series;
          const churn = series.findIndex(s => s.name === 'Churn');
          const contraction = series.findIndex(s => s.name === 'Contraction');
          let best = 0;
          series[churn].data.forEach((v, i) => {
            if (v < series[churn].data[best]) best = i;
          });
          const middle = series[contraction].data[best] + series[churn].data[best] / 2;
          const [x, y] = chart.convertToPixel({xAxisIndex: 0, yAxisIndex: 0},
                                              [best, middle]);
          const box = el.getBoundingClientRect();
          return [box.left + x, box.top + y, option.xAxis[0].data[best]];
        }"""
    )


def test_an_executive_on_a_phone_drills_from_a_churn_bar_to_a_customer(
    browser: Browser, server: str, web_sqlite: WebData
) -> None:
    journey = Journey(browser, server)
    page = journey.page
    try:
        journey.sign_in(web_sqlite.logins["executive"])
        page.get_by_role("button", name="menu").click()
        page.get_by_text("Revenue overview").click()
        page.wait_for_url("**/revenue")
        page.get_by_test_id("mrr").wait_for()
        page.get_by_test_id("show-retained").click()
        page.wait_for_function(
            """() => {
              const el = document.querySelector('[data-testid="composition"]');
              const chart = getElement(el.id.replace(/^c/, '')).chart;
              return chart.getOption().series[0].data.every(v => v === null);
            }"""
        )
        page.get_by_test_id("composition").scroll_into_view_if_needed()
        x, y, month = churn_bar_point(page)
        page.mouse.click(x, y)
        page.wait_for_url("**/revenue/customers?kind=churn*")
        assert f"Churn · {month}-01" in page.get_by_test_id("drill-title").inner_text()
        first = page.locator('[data-testid^="drill-row-"]').first
        name = first.locator(".q-item__label").first.inner_text()
        first.click()
        page.wait_for_url("**/customers/*")
        page.get_by_test_id("customer-name").wait_for()
        assert page.get_by_test_id("customer-name").inner_text() == name
        page.get_by_text("MRR movements").wait_for()
        journey.check_all_local()
    finally:
        journey.close()


def test_a_csm_sees_only_their_own_book(
    browser: Browser, server: str, web_sqlite: WebData
) -> None:
    csm = web_sqlite.logins["csm"]
    mine = own_accounts(web_sqlite, csm)
    journey = Journey(browser, server)
    page = journey.page
    try:
        journey.sign_in(csm)
        page.goto(f"{server}/customers")
        total = page.get_by_test_id("customer-total")
        total.wait_for()
        page.wait_for_function(
            "el => el.textContent.trim().length > 0", arg=total.element_handle()
        )
        assert total.inner_text() == f"{len(mine)} customers"
        page.locator('[data-testid="customers"] tbody tr').first.wait_for()
        shown = page.locator('[data-testid="customers"] tbody tr td:first-child')
        assert set(shown.all_inner_texts()) <= {m[0] for m in mine}
        foreign = own_accounts(web_sqlite, web_sqlite.other_csm)[0][0]
        page.goto(f"{server}/customers/{foreign}")
        page.get_by_test_id("not-found").wait_for()
        response = page.request.get(f"{server}/api/v1/accounts/{foreign}")
        assert response.status == 404
        journey.check_all_local()
    finally:
        journey.close()


def test_the_api_documentation_works_offline(browser: Browser, server: str) -> None:
    journey = Journey(browser, server)
    try:
        journey.page.goto(f"{server}/docs")
        journey.page.get_by_text("/api/v1/accounts").first.wait_for()
        journey.check_all_local()
    finally:
        journey.close()


def usage_drop_task(data: WebData) -> tuple[int, str, str, str]:
    """An open task of the demo's usage-drop rule: id, title, assignee, account."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            query = (
                select(Task.id, Task.title, StaffUser.email, Account.external_id)
                .join(Rule, Rule.id == Task.rule_id)
                .join(StaffUser, StaffUser.id == Task.assignee_id)
                .join(Account, Account.id == Task.account_id)
                .where(
                    Rule.name == USAGE_DROP_RULE,
                    Task.status == "open",
                    StaffUser.role == "csm",
                )
                .order_by(Task.due_on, Task.id)
            )
            found = session.execute(query).first()
            assert found is not None, "the demo's usage drop made no open CSM task"
            return found[0], found[1], found[2], found[3]
    finally:
        engine.dispose()


def test_a_usage_drop_becomes_a_task_the_owner_completes_and_finds_in_the_timeline(
    browser: Browser, server: str, web_sqlite: WebData
) -> None:
    task_id, title, owner, account = usage_drop_task(web_sqlite)
    journey = Journey(browser, server)
    page = journey.page
    try:
        page.goto(f"{server}/login")
        page.get_by_test_id("email").fill(owner)
        page.get_by_test_id("password").fill(PASSWORD)
        page.get_by_test_id("sign-in").click()
        page.wait_for_url("**/workbench")
        page.get_by_test_id(f"task-title-{task_id}").click()
        page.wait_for_url(f"**/tasks/{task_id}")
        why = page.get_by_test_id("why")
        why.wait_for()
        assert USAGE_DROP_RULE in why.inner_text()
        assert page.get_by_test_id("signal-change_pct").inner_text()
        page.get_by_test_id("complete").click()
        page.get_by_test_id("outcome").fill(
            "Called the admin: a team moved tools; training booked"
        )
        page.get_by_test_id("confirm-complete").click()
        page.get_by_test_id("reopen").wait_for()
        page.get_by_test_id("task-account").click()
        page.wait_for_url(f"**/customers/{account}")
        entry = page.get_by_test_id("entry-task").filter(has_text=title).first
        entry.wait_for()
        assert "training booked" in entry.inner_text()
        journey.check_all_local()
    finally:
        journey.close()


@pytest.fixture
def executive_briefing(web_sqlite: WebData) -> Iterator[tuple[str, str]]:
    """Send the executive today's briefing in-app; yield their email and the date.

    The briefing and its notice are removed afterwards, as the demo had them.
    """
    email = web_sqlite.logins["executive"]
    factory = make_session_factory(make_engine(web_sqlite.url))
    with factory() as session:
        user = session.scalars(select(StaffUser).filter_by(email=email)).one()
        before = session.scalar(
            select(func.max(Notification.id)).where(Notification.user_id == user.id)
        )
        subs = subscribers(session, [user.id])
    assert subs, "the demo subscribes its executive to the briefing"
    now = utcnow()
    day = now.astimezone(subs[0].zone).date()
    sent = send_now(factory, subs[0], day, now)
    try:
        yield email, day.isoformat()
    finally:
        with transaction(factory) as session:
            session.execute(delete(Briefing).where(Briefing.id == sent.briefing_id))
            session.execute(
                delete(Notification).where(
                    Notification.user_id == user.id, Notification.id > (before or 0)
                )
            )


def test_an_executive_opens_the_briefing_on_the_phone_and_follows_a_customer(
    browser: Browser, server: str, executive_briefing: tuple[str, str]
) -> None:
    email, day = executive_briefing
    journey = Journey(browser, server)
    page = journey.page
    try:
        journey.sign_in(email)
        page.goto(f"{server}/notifications")
        page.get_by_role("link", name="briefing").first.click()
        page.wait_for_url(f"**/m/briefing/{day}")
        assert page.get_by_test_id("headline").inner_text()
        for key in ("mrr_change", "new_customers", "renewals_due", "health_fell"):
            assert page.get_by_test_id(f"section-{key}").is_visible(), key
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.locator('a[href*="/m/customers/"]').first.click()
        page.wait_for_url("**/m/customers/*")
        page.get_by_test_id("mrr").wait_for()
        page.get_by_test_id("full-page").click()
        page.wait_for_url("**/customers/*")
        journey.check_all_local()
    finally:
        journey.close()


def test_a_manager_ranks_the_team_and_opens_the_customers_behind_a_figure(
    browser: Browser, server: str, web_sqlite: WebData
) -> None:
    journey = Journey(browser, server)
    page = journey.page
    try:
        journey.sign_in(web_sqlite.logins["manager"])
        page.goto(f"{server}/team?period=last_12_months")
        page.get_by_test_id("trend").wait_for()
        cell = page.locator('[data-testid="ranking"] a[href*="figure=mrr"]').first
        amount = cell.inner_text()
        cell.click()
        page.wait_for_url("**/team/behind?*figure=mrr*")
        # The customers behind the figure add up to it.
        assert amount in page.get_by_test_id("behind-count").inner_text()
        page.locator('[data-testid^="behind-row-"]').first.click()
        page.wait_for_url("**/customers/*")
        journey.check_all_local()
    finally:
        journey.close()
