"""The book of business page, as a simulated user: rules, the preview, reassigning.

Tests run on the SQLite demo company and put it back as they found it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from tenure.book.models import AssignmentRule
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.staff.models import StaffUser
from tenure.staff.service import set_locale
from tests.web.conftest import WebData, sign_in
from tests.web.test_book_api import (
    new_account,
    owned,
    owner_of,
    restore,
    take,
    teammate,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def kept(web_sqlite: WebData) -> Iterator[None]:
    """Undo whatever the test changed."""
    before = take(web_sqlite)
    yield
    restore(web_sqlite, before)


def speaks(data: WebData, email: str, locale: str) -> None:
    """Have the user read the pages in ``locale``."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            user = session.scalars(select(StaffUser).filter_by(email=email)).one()
            set_locale(session, user.id, locale)
    finally:
        engine.dispose()


def rule_named(data: WebData, name: str) -> AssignmentRule | None:
    """The stored rule called ``name``, detached."""
    engine = make_engine(data.url)
    try:
        with transaction(make_session_factory(engine)) as session:
            found = session.scalar(
                select(AssignmentRule).where(AssignmentRule.name == name)
            )
            if found is not None:
                session.expunge(found)
            return found
    finally:
        engine.dispose()


def select_value(user: User, marker: str, value: object) -> None:
    """Choose ``value`` in the select marked ``marker``."""
    element = user.find(marker=marker).elements.pop()
    assert isinstance(element, ui.select)
    element.set_value(value)


async def test_a_manager_sees_the_rules_in_order_and_the_menu_entry(
    user: User, web_sqlite: WebData
) -> None:
    manager = web_sqlite.logins["manager"]
    speaks(web_sqlite, manager, "en")
    await sign_in(user, manager, target="/book")

    await user.should_see("Assignment rules")
    await user.should_see("Bulk reassignment")
    await user.should_see("Strategic · East China")
    await user.should_see("Region: East China · Tier: Strategic")
    await user.should_see("Book of business")


async def test_the_page_speaks_chinese(user: User, web_sqlite: WebData) -> None:
    manager = web_sqlite.logins["manager"]
    speaks(web_sqlite, manager, "zh-CN")
    await sign_in(user, manager, target="/book")

    await user.should_see("分配规则")
    await user.should_see("批量转移客户")
    await user.should_see("团队中客户最少者")


async def test_a_csm_is_not_shown_the_page(user: User, web_sqlite: WebData) -> None:
    csm = web_sqlite.logins["csm"]
    speaks(web_sqlite, csm, "en")
    await sign_in(user, csm, target="/book")

    await user.should_see(marker="not-allowed")
    await user.should_not_see("Assignment rules")


async def test_a_rule_is_added_switched_off_and_moved_up(
    user: User, web_sqlite: WebData
) -> None:
    admin = web_sqlite.logins["admin"]
    speaks(web_sqlite, admin, "en")
    await sign_in(user, admin, target="/book")
    await user.should_see(marker="add-rule")

    user.find(marker="add-rule").click()
    await user.should_see(marker="rule-name")
    user.find(marker="rule-name").type("Test: retail")
    select_value(user, "rule-industry", ["Retail"])
    select_value(user, "rule-strategy", "round_robin")
    team = user.find(marker="rule-team").elements.pop()
    assert isinstance(team, ui.select)
    team.set_value(next(iter(team.options)))
    user.find(marker="save-rule").click()
    await user.should_see("Saved.")
    added = rule_named(web_sqlite, "Test: retail")
    assert added is not None
    await user.should_see(marker=f"rule-{added.id}")
    assert (added.conditions, added.strategy) == (
        {"industry": ["Retail"]},
        "round_robin",
    )

    user.find(marker=f"active-{added.id}").elements.pop().set_value(False)
    await user.should_see(marker=f"up-{added.id}")
    user.find(marker=f"up-{added.id}").click()
    await user.should_see(marker=f"down-{added.id}")
    moved = rule_named(web_sqlite, "Test: retail")
    assert moved is not None
    assert (moved.active, moved.position) == (False, added.position - 1)


async def test_a_bad_rule_is_refused_with_the_reason(
    user: User, web_sqlite: WebData
) -> None:
    admin = web_sqlite.logins["admin"]
    speaks(web_sqlite, admin, "en")
    await sign_in(user, admin, target="/book")
    await user.should_see(marker="add-rule")

    user.find(marker="add-rule").click()
    user.find(marker="rule-name").type("Test: nobody")
    select_value(user, "rule-strategy", "user")
    user.find(marker="save-rule").click()

    await user.should_see("strategy 'user' needs a user_id")
    assert rule_named(web_sqlite, "Test: nobody") is None


async def test_the_preview_shows_where_unowned_accounts_go_and_assign_now_gives_them(
    user: User, web_sqlite: WebData
) -> None:
    new_account(web_sqlite, "BOOK-PAGE-1", "West China")
    admin = web_sqlite.logins["admin"]
    speaks(web_sqlite, admin, "en")
    await sign_in(user, admin, target="/book")
    await user.should_see(marker="preview-unowned")

    user.find(marker="preview-unowned").click()
    await user.should_see(marker="assign-preview")
    table = user.find(marker="assign-preview").elements.pop()
    assert isinstance(table, ui.table)
    (row,) = [r for r in table.rows if r["account_id"] == "BOOK-PAGE-1"]
    assert row["rule"] == "West China"
    assert owner_of(web_sqlite, "BOOK-PAGE-1") is None

    user.find(marker="assign-now").click()
    await user.should_see("Assigned 1 accounts.")
    assert owner_of(web_sqlite, "BOOK-PAGE-1") == row["to"]


async def test_a_manager_previews_then_reassigns_two_accounts(
    user: User, web_sqlite: WebData
) -> None:
    manager, csm = web_sqlite.logins["manager"], web_sqlite.logins["csm"]
    accounts = owned(web_sqlite, csm)
    receiver = teammate(web_sqlite, csm)
    speaks(web_sqlite, manager, "en")
    await sign_in(user, manager, target="/book")
    await user.should_see(marker="reassign-preview")

    user.find(marker="re-account_ids").type("\n".join(accounts))
    select_value(user, "re-to", receiver)
    user.find(marker="reassign-preview").click()
    await user.should_see(marker="reassign-moves")
    table = user.find(marker="reassign-moves").elements.pop()
    assert isinstance(table, ui.table)
    assert [row["account_id"] for row in table.rows] == accounts
    await user.should_see("2 accounts would move")
    assert owner_of(web_sqlite, accounts[0]) == csm

    user.find(marker="reassign-apply").click()
    user.find(marker="confirm-reason").type("Covering a leave")
    user.find(marker="confirm-reassign").click()
    await user.should_see("Reassigned 2 accounts.")
    assert [owner_of(web_sqlite, account) for account in accounts] == [receiver] * 2


async def test_a_reassignment_without_a_target_says_why(
    user: User, web_sqlite: WebData
) -> None:
    admin = web_sqlite.logins["admin"]
    speaks(web_sqlite, admin, "en")
    await sign_in(user, admin, target="/book")
    await user.should_see(marker="reassign-preview")

    select_value(user, "re-region", ["East China"])
    user.find(marker="reassign-preview").click()

    await user.should_see("either 'to'")
