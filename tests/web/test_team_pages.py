"""The team page and its drill-down, as a CSM, a manager, an executive and a viewer.

One test hands an account from one CSM to another through owner history rows of
its own, and puts everything back afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import delete, select

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.db.session import transaction
from tenure.revenue.calendar import add_months, month_start
from tenure.revenue.loading import today
from tenure.revenue.models import AccountRevenue, MrrMovement
from tenure.staff.models import StaffUser
from tenure.staff.service import set_locale
from tests.web.conftest import WebData, sign_in
from tests.web.test_work_pages import Database, database

__all__ = ["database"]

pytestmark = pytest.mark.anyio


def table_rows(user: User, marker: str) -> list[dict]:
    """The rows of the table marked ``marker``."""
    table = user.find(marker=marker).elements.pop()
    assert isinstance(table, ui.table)
    return table.rows


def links(user: User) -> set[str]:
    """Where the page's links go."""
    return {str(link.props.get("href")) for link in user.find(ui.link).elements}


async def open_as(user: User, email: str, path: str) -> None:
    """Sign in (to the team page) and open ``path``."""
    await sign_in(user, email, target="/team")
    await user.should_see("Team performance")
    await user.open(path)


def members(database: Database, team_id: int) -> set[int]:
    """The staff ids of a team's people."""
    with transaction(database.factory) as session:
        query = select(StaffUser.id).where(StaffUser.team_id == team_id)
        return set(session.scalars(query))


def owned_paying(database: Database, owner: int) -> list[str]:
    """The external ids of the paying accounts ``owner`` owns."""
    with transaction(database.factory) as session:
        query = (
            select(Account.external_id)
            .join(AccountRevenue, AccountRevenue.account_id == Account.id)
            .where(Account.owner_id == owner, AccountRevenue.active.is_(True))
            .order_by(Account.external_id)
        )
        return list(session.scalars(query))


@contextmanager
def chinese(database: Database, email: str) -> Iterator[None]:
    """Have the user read in Simplified Chinese, then put their language back."""
    user_id = database.staff_id(email)
    with transaction(database.factory) as session:
        before = session.get_one(StaffUser, user_id).locale
        set_locale(session, user_id, "zh-CN")
    try:
        yield
    finally:
        with transaction(database.factory) as session:
            session.get_one(StaffUser, user_id).locale = before


async def test_a_csm_sees_their_own_figures_with_links_behind_them(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    await sign_in(user, email, target="/team")

    await user.should_see("Team performance")
    await user.should_see(marker="total-mrr")
    rows = table_rows(user, "ranking")
    assert [row["key"] for row in rows] == [database.staff_id(email)]
    assert rows[0]["links"]["mrr"].startswith("/team/behind?owner=")
    await user.should_not_see(marker="comparison")
    await user.should_not_see(marker="team")
    assert "/team" in links(user)


async def test_a_manager_ranks_their_team_and_does_not_compare_teams(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    await open_as(user, email, "/team?period=last_12_months&rank_by=mrr")
    await user.should_see(marker="ranking")

    rows = table_rows(user, "ranking")
    people = {row["key"] for row in rows}
    assert database.staff_id(web_sqlite.logins["csm"]) in people
    assert database.staff_id(web_sqlite.other_csm) not in people
    assert [row["rank"] for row in rows][:3] == [1, 2, 3]
    await user.should_not_see(marker="comparison")
    await user.should_see(marker="trend")


async def test_fewest_overdue_tasks_rank_first(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["admin"]
    database.english(email)
    await open_as(user, email, "/team?rank_by=tasks_overdue")
    await user.should_see(marker="ranking")
    late = [
        int(row["tasks_overdue"].replace(",", ""))
        for row in table_rows(user, "ranking")
    ]
    assert late == sorted(late)


async def test_an_executive_compares_teams_and_opens_one(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["executive"]
    database.english(email)
    await sign_in(user, email, target="/team")
    await user.should_see(marker="comparison")

    teams = [row for row in table_rows(user, "comparison") if row["key"] != "none"]
    assert teams and all(row["links"]["team"].startswith("/team?") for row in teams)
    chosen = teams[0]["key"]
    await user.open(f"/team?team={chosen}")
    await user.should_see(marker="ranking")
    shown = {row["key"] for row in table_rows(user, "ranking")}
    assert shown and shown <= members(database, chosen)


async def test_a_viewer_is_told_the_page_is_not_for_them(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["viewer"]
    database.english(email)
    await sign_in(user, email, target="/team")
    await user.should_see(marker="not-permitted")
    await user.should_not_see(marker="ranking")
    assert "/team" not in links(user)


async def test_the_page_reads_in_chinese(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    with chinese(database, email):
        await sign_in(user, email, target="/team")
        await user.should_see("团队业绩")
        await user.should_see("续约率（按数量）")


async def test_a_custom_period_shows_its_days(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    await open_as(user, email, "/team?period=custom&start=2025-01-01&end=2025-03-31")
    await user.should_see("2025-01-01 – 2025-03-31")


async def test_a_bad_date_is_named(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    await open_as(user, email, "/team?period=custom&start=2025-02-30&end=2025-03-31")
    await user.should_see("'2025-02-30' is not a date")


async def test_the_drill_down_lists_the_accounts_with_links(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    me = database.staff_id(email)
    await open_as(user, email, f"/team/behind?owner={me}&figure=mrr"
                  "&start=2025-01-01&end=2025-12-31")  # fmt: skip
    await user.should_see(marker="behind-count")
    owned = owned_paying(database, me)
    assert owned, "the demo CSM has paying accounts"
    await user.should_see(marker=f"behind-row-{owned[0]}")


async def test_the_drill_down_refuses_someone_outside_the_team(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    other = database.staff_id(web_sqlite.other_csm)
    await open_as(user, email, f"/team/behind?owner={other}&figure=mrr"
                  "&start=2025-01-01&end=2025-12-31")  # fmt: skip
    await user.should_see("outside your scope")


@dataclass(frozen=True)
class Handover:
    """An account handed from one CSM to another on ``day``."""

    account: int
    external_id: str
    giver: int
    giver_name: str
    taker: int
    day: dt.date
    month: tuple[dt.date, dt.date]
    before: tuple[dt.date, dt.date]


@pytest.fixture
def handover(web_sqlite: WebData, database: Database) -> Iterator[Handover]:
    """Last month, one of the test CSM's steady accounts went to a teammate."""
    giver = database.staff_id(web_sqlite.logins["csm"])
    with transaction(database.factory) as session:
        day = today(session)
        first = add_months(month_start(day), -1)
        earlier = add_months(first, -1)
        me = session.get_one(StaffUser, giver)
        taker = session.scalar(
            select(StaffUser.id).where(
                StaffUser.team_id == me.team_id, StaffUser.role == "csm",
                StaffUser.id != giver,
            )
        )  # fmt: skip
        assert taker is not None, "the test CSM has a teammate"
        recent = select(MrrMovement.account_id).where(
            MrrMovement.date >= earlier,
            MrrMovement.kind.in_(("new", "reactivation", "churn")),
        )
        # Accounts whose history is at most one open row: the giver's all along.
        changed = select(AccountOwnerHistory.account_id).where(
            (AccountOwnerHistory.end_date.is_not(None))
            | (AccountOwnerHistory.owner_id != giver)
        )
        account = session.scalar(
            select(Account.id)
            .join(AccountRevenue, AccountRevenue.account_id == Account.id)
            .where(
                Account.owner_id == giver, AccountRevenue.active.is_(True),
                AccountRevenue.mrr_minor > 0, Account.id.not_in(recent),
                Account.id.not_in(changed),
            )
            .order_by(Account.id)
        )  # fmt: skip
        assert account is not None, "the test CSM has a steady paying account"
        kept = [
            (row.owner_id, row.start_date, row.end_date)
            for row in session.scalars(
                select(AccountOwnerHistory).where(
                    AccountOwnerHistory.account_id == account
                )
            )
        ]
        session.execute(
            delete(AccountOwnerHistory).where(AccountOwnerHistory.account_id == account)
        )
        change = first + dt.timedelta(days=10)
        rows = [
            AccountOwnerHistory(account_id=account, owner_id=giver,
                                start_date=dt.date(2000, 1, 1), end_date=change),
            AccountOwnerHistory(account_id=account, owner_id=taker, start_date=change),
        ]  # fmt: skip
        session.add_all(rows)
        found = session.get_one(Account, account)
        found.owner_id = taker
        made = Handover(
            account, found.external_id, giver, me.name, taker, change,
            (first, month_start(day) - dt.timedelta(days=1)),
            (earlier, first - dt.timedelta(days=1)),
        )  # fmt: skip
    yield made
    with transaction(database.factory) as session:
        session.execute(
            delete(AccountOwnerHistory).where(AccountOwnerHistory.account_id == account)
        )
        session.add_all(
            AccountOwnerHistory(
                account_id=account, owner_id=owner, start_date=start, end_date=end
            )
            for owner, start, end in kept
        )
        session.get_one(Account, account).owner_id = giver


def behind_path(owner: int, figure: str, span: tuple[dt.date, dt.date]) -> str:
    """The drill-down of one person's figure over a span."""
    return f"/team/behind?owner={owner}&figure={figure}&start={span[0]}&end={span[1]}"


async def test_a_handover_moves_the_account_without_rewriting_the_past(
    user: User, web_sqlite: WebData, database: Database, handover: Handover
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    await open_as(user, email, behind_path(
        handover.taker, "transfers_in", handover.month))  # fmt: skip
    await user.should_see(marker=f"behind-row-{handover.external_id}")
    await user.should_see(handover.giver_name)

    await user.open(behind_path(handover.giver, "transfers_out", handover.month))
    await user.should_see(marker=f"behind-row-{handover.external_id}")
    await user.open(behind_path(handover.giver, "mrr", handover.before))
    await user.should_see(marker=f"behind-row-{handover.external_id}")
    await user.open(behind_path(handover.taker, "mrr", handover.before))
    await user.should_not_see(marker=f"behind-row-{handover.external_id}")

    await user.open("/team?period=last_month")
    await user.should_see(marker="ranking")
    taker = next(r for r in table_rows(user, "ranking") if r["key"] == handover.taker)
    assert taker["transfers_in"] != "–"
