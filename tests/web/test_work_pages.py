"""The operations pages: workbench, tasks, a task, the customer's work, admin pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import delete, select

from tenure.accounts.models import Account
from tenure.db.session import make_engine, make_session_factory, transaction
from tenure.notifications.models import Notification
from tenure.notifications.service import notify
from tenure.revenue.loading import today
from tenure.rules.models import Rule
from tenure.staff.models import StaffUser
from tenure.staff.service import set_locale
from tenure.tasks.models import Task
from tenure.tasks.service import create_task
from tenure.timeline.models import Activity
from tests.web.conftest import WebData, sign_in

pytestmark = pytest.mark.anyio


class Database:
    """Short transactions on the web company's database, for setting up and checking."""

    def __init__(self, data: WebData) -> None:
        self.engine = make_engine(data.url)
        self.factory = make_session_factory(self.engine)
        self.made = 0

    def staff_id(self, email: str) -> int:
        """The id of the staff user with ``email``."""
        with transaction(self.factory) as session:
            found = session.scalar(select(StaffUser.id).where(StaffUser.email == email))
            assert found is not None
            return found

    def english(self, email: str) -> None:
        """Have the user read the pages in English."""
        with transaction(self.factory) as session:
            set_locale(session, self.staff_id(email), "en")

    def open_task(self, assignee: int, source: str = "manual") -> Task:
        """An open task of ``assignee`` on one of their accounts, made for the test.

        A rule task carries the demo's usage-drop rule and a signal, as the rule
        would have written it.
        """
        with transaction(self.factory) as session:
            account = session.scalar(
                select(Account.id)
                .where(Account.owner_id == assignee)
                .order_by(Account.id)
            )
            assert account is not None, f"staff {assignee} owns no account"
            rule = session.scalar(select(Rule).where(Rule.name == "Usage drop"))
            assert rule is not None
            task = create_task(
                session,
                account_id=account,
                type="risk",
                title=f"Test task {self.made + 1}: check usage",
                actor_id=None,
                assignee_id=assignee,
                due_on=today(session),
                source=source,
                rule_id=rule.id if source == "rule" else None,
                signal=(
                    {"rule_name": rule.name, "change_pct": -42, "window_days": 7}
                    if source == "rule"
                    else {}
                ),
            )
            self.made += 1
            session.flush()
            session.expunge(task)
            return task

    def task(self, task_id: int) -> Task:
        """The task as stored now, detached."""
        with transaction(self.factory) as session:
            task = session.get(Task, task_id)
            assert task is not None
            session.expunge(task)
            return task

    def external_id(self, account_id: int) -> str:
        """The external id of an account."""
        with transaction(self.factory) as session:
            account = session.get(Account, account_id)
            assert account is not None
            return account.external_id

    def close(self) -> None:
        """Let go of the connections."""
        self.engine.dispose()


@pytest.fixture
def database(web_sqlite: WebData) -> Iterator[Database]:
    """The web company's database; notifications and logged notes are undone."""
    opened = Database(web_sqlite)
    with transaction(opened.factory) as session:
        before = session.scalar(select(Activity.id).order_by(Activity.id.desc()))
    yield opened
    with transaction(opened.factory) as session:
        session.execute(delete(Notification))
        session.execute(
            delete(Activity).where(Activity.id > (before or 0), Activity.kind == "note")
        )
    opened.close()


async def test_a_csm_lands_on_their_workbench_with_their_tasks(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    task = database.open_task(database.staff_id(email))

    await sign_in(user, email, target=None)

    await user.should_see("Workbench")
    await user.should_see(task.title)
    await user.should_not_see("My team")


async def test_completing_a_task_on_the_workbench_writes_the_timeline(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    task = database.open_task(database.staff_id(email))
    await sign_in(user, email, target="/workbench")
    await user.should_see(marker=f"task-{task.id}")

    user.find(marker=f"complete-{task.id}").click()
    user.find(marker="outcome").type("Called the customer; all good")
    user.find(marker="confirm-complete").click()

    await user.should_see("Task completed.")
    done = database.task(task.id)
    assert done.status == "done"
    assert done.outcome == "Called the customer; all good"
    await user.open(f"/customers/{database.external_id(task.account_id)}")
    timeline = user.find(marker="timeline")
    await user.should_see("Called the customer; all good")
    assert timeline.elements


async def test_a_manager_sees_the_team_view_with_each_person(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["manager"]
    database.english(email)
    await sign_in(user, email, target=None)

    await user.should_see("My team")
    await user.should_see("Team")
    await user.should_see(marker="view")


async def test_the_task_page_says_why_a_rule_created_the_task(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    task = database.open_task(database.staff_id(email), source="rule")
    await sign_in(user, email, target=f"/tasks/{task.id}")

    await user.should_see("Why this task exists")
    await user.should_see(task.title)
    await user.should_see(marker="why")


async def test_a_csm_does_not_see_tasks_outside_their_book(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    other = database.open_task(database.staff_id(web_sqlite.other_csm))
    await sign_in(user, email, target=f"/tasks/{other.id}")

    await user.should_see("No such task.")


async def test_the_task_list_filters_to_overdue_and_completes_in_bulk(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["admin"]
    database.english(email)
    await sign_in(user, email, target="/tasks")
    await user.should_see(marker="tasks")
    table = user.find(marker="tasks").elements.pop()
    assert isinstance(table, ui.table)
    assert table.rows

    picked = table.rows[:2]
    user.find(marker="tasks").trigger(
        "selection",
        {"added": True, "rows": picked, "keys": [row["id"] for row in picked]},
    )
    user.find(marker="bulk-complete").click()

    await user.should_see("2 tasks changed.")
    assert {database.task(row["id"]).status for row in picked} == {"done"}


async def test_logging_a_note_on_the_customer_page_shows_it_on_the_timeline(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    task = database.open_task(database.staff_id(email))
    account = database.external_id(task.account_id)
    await sign_in(user, email, target=f"/customers/{account}")
    await user.should_see(marker="timeline")

    user.find(marker="activity-subject").type("Spoke with the new IT lead")
    user.find(marker="save-activity").click()

    await user.should_see("Logged.")
    await user.should_see("Spoke with the new IT lead")


async def test_only_those_who_manage_operations_open_the_rule_pages(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    csm = web_sqlite.logins["csm"]
    database.english(csm)
    await sign_in(user, csm, target="/rules")
    await user.should_see(marker="not-allowed")


async def test_an_admin_sees_the_rules_with_their_open_tasks(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    admin = web_sqlite.logins["admin"]
    database.english(admin)
    await sign_in(user, admin, target="/rules")
    await user.should_see(marker="rules")

    table = user.find(marker="rules").elements.pop()
    assert isinstance(table, ui.table)
    assert any(row["open_tasks"] for row in table.rows)


async def test_the_bell_counts_unread_notifications_and_opening_one_reads_it(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    email = web_sqlite.logins["csm"]
    database.english(email)
    user_id = database.staff_id(email)
    with transaction(database.factory) as session:
        session.execute(delete(Notification).where(Notification.user_id == user_id))
        note = notify(session, user_id, "test", "Look at this", link="/tasks")
        note_id = note.id
    await sign_in(user, email, target="/notifications")

    await user.should_see(marker="unread")
    await user.should_see("Look at this")
    await user.open(f"/notifications/{note_id}")

    with transaction(database.factory) as session:
        read = session.get(Notification, note_id)
        assert read is not None and read.read_at is not None


async def test_the_customer_list_and_the_revenue_page_filter_by_a_saved_segment(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    admin = web_sqlite.logins["admin"]
    database.english(admin)
    await sign_in(user, admin, target="/customers")
    await user.should_see(marker="customers")
    total = user.find(marker="total").elements.pop()
    everyone = total.text

    user.find(marker="filter-segment").elements.pop().set_value("key-accounts")

    await user.should_not_see(everyone)
    assert total.text != everyone
    await user.open("/revenue?segment=key-accounts")
    await user.should_see("Revenue overview")


async def test_an_admin_previews_and_saves_a_rule_and_a_bad_one_is_refused(
    user: User, web_sqlite: WebData, database: Database
) -> None:
    admin = web_sqlite.logins["admin"]
    database.english(admin)
    await sign_in(user, admin, target="/rules/new")
    await user.should_see(marker="rule-name")

    user.find(marker="rule-name").type("Test: usage down a fifth")
    user.find(marker="preview-rule").click()
    await user.should_see(marker="preview-count")
    trigger = user.find(marker="rule-trigger").elements.pop()
    assert isinstance(trigger, ui.textarea)
    trigger.set_value('{"kind": "usage_change", "field": "active_users"}')
    user.find(marker="save-rule").click()
    await user.should_see(marker="rule-errors")
    await user.should_see("change_at_most")

    trigger.set_value(
        '{"kind": "usage_change", "field": "active_users", "change_at_most": -0.2}'
    )
    user.find(marker="save-rule").click()
    await user.should_see("Recent firings")
    with transaction(database.factory) as session:
        rule = session.scalar(
            select(Rule).where(Rule.name == "Test: usage down a fifth")
        )
        assert rule is not None
        assert rule.trigger["change_at_most"] == -0.2
        session.delete(rule)
