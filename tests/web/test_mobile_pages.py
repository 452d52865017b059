"""The phone pages behind the briefing, through NiceGUI's simulated user (SQLite)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from nicegui.testing import User
from sqlalchemy import delete, func, select

from tenure.accounts.models import Account
from tenure.briefing.document import BriefingDocument, Item, Section
from tenure.briefing.models import Briefing
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.revenue.loading import today
from tenure.revenue.models import MrrMovement
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task
from tenure.tasks.service import create_task
from tenure.timeline.models import Activity
from tests.web.conftest import WebData, sign_in

pytestmark = pytest.mark.anyio


class Rows:
    """Short transactions on the web company, and undoing what a test added."""

    def __init__(self, data: WebData) -> None:
        self.engine = make_engine(data.url)
        self.factory = make_session_factory(self.engine)
        self.tasks: list[int] = []
        self.briefings: list[int] = []
        self.locales: dict[int, str | None] = {}

    def staff_id(self, email: str, locale: str = "en") -> int:
        """The id of the staff user with ``email``, set to read ``locale``."""
        with transaction(self.factory) as session:
            found = session.scalar(select(StaffUser).where(StaffUser.email == email))
            assert found is not None
            self.locales.setdefault(found.id, found.locale)
            found.locale = locale
            return found.id

    def account_of(self, owner: int) -> tuple[int, str, str]:
        """The (id, external id, name) of an account ``owner`` owns."""
        with transaction(self.factory) as session:
            found = session.execute(
                select(Account.id, Account.external_id, Account.name)
                .where(Account.owner_id == owner)
                .order_by(Account.id)
                .limit(1)
            ).one()
            return found[0], found[1], found[2]

    def task_for(self, owner: int, title: str, overdue: bool = False) -> int:
        """A task of ``owner`` due today (or a week ago) on one of their accounts."""
        account, _external, _name = self.account_of(owner)
        with transaction(self.factory) as session:
            due = today(session) - dt.timedelta(days=7 if overdue else 0)
            task = create_task(session, account_id=account, type="follow_up",
                               title=title, actor_id=None, assignee_id=owner,
                               due_on=due)  # fmt: skip
            self.tasks.append(task.id)
            return task.id

    def task(self, task_id: int) -> Task:
        """The task as stored now, detached."""
        with transaction(self.factory) as session:
            found = session.get_one(Task, task_id)
            session.expunge(found)
            return found

    def briefing(self, user_id: int, day: dt.date, doc: BriefingDocument) -> None:
        """Store a sent briefing of ``day``."""
        with transaction(self.factory) as session:
            at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            row = Briefing(user_id=user_id, briefing_date=day, content=doc.to_json(),
                           scheduled_at=at)  # fmt: skip
            session.add(row)
            session.flush()
            self.briefings.append(row.id)

    def busiest_day(self, kind: str) -> dt.date:
        """The latest of the days with the most MRR movements of ``kind``."""
        with transaction(self.factory) as session:
            found = session.execute(
                select(MrrMovement.date)
                .where(MrrMovement.kind == kind)
                .group_by(MrrMovement.date)
                .order_by(func.count().desc(), MrrMovement.date.desc())
                .limit(1)
            ).scalar_one()
            return found

    def undo(self) -> None:
        """Remove the tasks (and what completing them logged) and the briefings."""
        with transaction(self.factory) as session:
            if self.tasks:
                session.execute(
                    delete(Activity).where(Activity.task_id.in_(self.tasks))
                )
                session.execute(delete(Task).where(Task.id.in_(self.tasks)))
            if self.briefings:
                session.execute(delete(Briefing).where(Briefing.id.in_(self.briefings)))
            for user_id, locale in self.locales.items():
                session.get_one(StaffUser, user_id).locale = locale
        self.engine.dispose()


@pytest.fixture
def rows(web_sqlite: WebData) -> Iterator[Rows]:
    """The web company's database; what the test added is removed afterwards."""
    opened = Rows(web_sqlite)
    yield opened
    opened.undo()


async def test_phone_pages_send_to_sign_in_and_keep_where_they_were_heading(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/m/tasks?view=team", follow_redirects=False)

    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/login?next=%2Fm%2Ftasks%3Fview%3Dteam"


async def test_after_signing_in_the_phone_page_asked_for_opens(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    rows.staff_id(csm)

    await sign_in(user, csm, target="/m/renewals")

    await user.should_see(marker="renewals")
    await user.should_see("Renewals due")


async def test_today_briefing_shows_the_headline_and_every_section(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    title = "Phone test: call the sponsor"
    task = rows.task_for(rows.staff_id(csm), title)

    await sign_in(user, csm, target="/m")

    await user.should_see(marker="headline")
    for key in ("mrr_change", "new_customers", "churned_customers", "renewals_due",
                "tasks_due", "health_fell"):  # fmt: skip
        await user.should_see(marker=f"section-{key}")
    await user.should_see(title)
    links = [e for e in user.find(marker="tasks_due-0").elements]
    assert links and links[0].props.get("href") == f"/m/tasks/{task}"


async def test_a_stored_briefing_is_shown_as_it_was_sent(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    user_id = rows.staff_id(csm)
    day = dt.date(2026, 1, 15)
    sent = BriefingDocument(
        user_id=user_id, date=day, locale="en", scope="book",
        title="Tenure daily briefing — 2026-01-15", headline="As it was sent",
        sections=[Section(key="mrr_change", title="MRR change", summary="Frozen",
                          items=[Item(text="<b>Acme</b>", link="/m/customers/X")])],
        link="/m/briefing/2026-01-15",
    )  # fmt: skip
    rows.briefing(user_id, day, sent)

    await sign_in(user, csm, target="/m/briefing/2026-01-15")

    await user.should_see("As it was sent")
    await user.should_see("<b>Acme</b>")


async def test_a_briefing_never_sent_is_built_for_that_day(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    rows.staff_id(csm)

    await sign_in(user, csm, target="/m/briefing/2026-02-03")

    await user.should_see("Tenure daily briefing — 2026-02-03")
    await user.open("/m/briefing/not-a-date")
    await user.should_see(marker="not-found")


async def test_a_csm_sees_their_customer_and_not_another_books(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    _id, mine, name = rows.account_of(rows.staff_id(csm))
    _other, theirs, _name = rows.account_of(rows.staff_id(web_sqlite.other_csm))

    await sign_in(user, csm, target=f"/m/customers/{mine}")

    await user.should_see(marker="mrr")
    await user.should_see(name)
    await user.should_see("Latest activity")
    full = user.find(marker="full-page").elements.pop()
    assert full.props.get("href") == f"/customers/{mine}"
    await user.open(f"/m/customers/{theirs}")
    await user.should_see("No such customer.")


async def test_a_task_is_completed_on_the_phone_with_its_outcome(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    task = rows.task_for(rows.staff_id(csm), "Phone test: confirm the renewal")
    await sign_in(user, csm, target=f"/m/tasks/{task}")
    await user.should_see("Phone test: confirm the renewal")

    user.find(marker="outcome").type("Signed for two more years")
    user.find(marker="complete").click()

    await user.should_see("Task completed.")
    done = rows.task(task)
    assert done.status == "done"
    assert done.outcome == "Signed for two more years"
    await user.should_not_see(marker="complete")


async def test_a_csm_cannot_open_another_books_task(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    rows.staff_id(csm)
    other = rows.task_for(rows.staff_id(web_sqlite.other_csm), "Phone test: not yours")

    await sign_in(user, csm, target=f"/m/tasks/{other}")

    await user.should_see("No such task.")
    await user.should_not_see("Phone test: not yours")


async def test_my_tasks_list_says_how_late_each_one_is(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    csm = web_sqlite.logins["csm"]
    late = rows.task_for(rows.staff_id(csm), "Phone test: late one", overdue=True)

    await sign_in(user, csm, target="/m/tasks")

    await user.should_see(marker=f"task-{late}")
    await user.should_see("7 days overdue")


async def test_a_manager_sees_the_teams_overdue_tasks(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    manager = web_sqlite.logins["manager"]
    late = rows.task_for(
        rows.staff_id(web_sqlite.logins["csm"]), "Phone test: late one", overdue=True
    )
    rows.staff_id(manager)

    await sign_in(user, manager, target="/m/tasks?view=team")

    await user.should_see("Team's overdue tasks")
    await user.should_see(marker=f"task-{late}")


async def test_the_days_movements_are_listed_by_kind(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    executive = web_sqlite.logins["executive"]
    rows.staff_id(executive)
    day = rows.busiest_day("new")

    await sign_in(user, executive, target=f"/m/movements/{day.isoformat()}")

    await user.should_see(f"MRR movements {day.isoformat()}")
    await user.should_see(marker="kind-new")
    await user.open(f"/m/movements/{day.isoformat()}?kind=churn")
    await user.should_not_see(marker="kind-new")


async def test_a_zh_cn_reader_gets_the_phone_pages_in_chinese(
    user: User, web_sqlite: WebData, rows: Rows
) -> None:
    viewer = web_sqlite.logins["viewer"]
    rows.staff_id(viewer, locale="zh-CN")

    await sign_in(user, viewer, target="/m")

    await user.should_see("每日简报")
    await user.should_see("MRR 变动")
    await user.should_see("新增客户")
