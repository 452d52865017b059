"""Reading tasks: who sees which, filters, sorting, paging, one task, the CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal
from tenure.tasks import changes
from tenure.tasks.reads import (
    NotFound,
    TaskQuery,
    csv_rows,
    list_tasks,
    task_detail,
)
from tenure.tasks.service import TaskError

from .conftest import TODAY, Org, People


def titles(session: Session, principal: Principal | None, **filters: object) -> list:
    """Titles of the tasks ``principal`` sees under ``filters``, in list order."""
    query = TaskQuery(today=TODAY, **filters)  # type: ignore[arg-type]
    return [row["title"] for row in list_tasks(session, query, principal).rows]


@pytest.fixture
def spread(org: Org, people: People) -> dict[str, int]:
    """One task on each CSM's account, and one of the outsider's given to ``csm``."""
    mine = org.account("MINE", people.csm)
    theirs = org.account("TEAM", people.teammate)
    far = org.account("FAR", people.outsider)
    org.task(mine, "on mine")
    org.task(theirs, "on teammate's")
    org.task(far, "on far")
    given = org.task(far, "given to me", assignee_id=people.csm.user_id)
    return {"mine": mine, "theirs": theirs, "far": far, "given": given.id}


def test_a_csm_sees_tasks_on_own_accounts_and_tasks_given_to_them(
    session: Session, people: People, spread: dict[str, int]
) -> None:
    assert sorted(titles(session, people.csm)) == ["given to me", "on mine"]


def test_a_manager_sees_the_tasks_of_the_team_accounts(
    session: Session, people: People, spread: dict[str, int]
) -> None:
    seen = sorted(titles(session, people.manager))
    assert seen == ["on mine", "on teammate's"]


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_whole_company_roles_see_every_task(
    session: Session, people: People, spread: dict[str, int], role: str
) -> None:
    assert len(titles(session, getattr(people, role))) == 4


def test_a_task_out_of_sight_is_not_found(
    session: Session, people: People, spread: dict[str, int], org: Org
) -> None:
    hidden = org.task(spread["far"], "hidden")
    with pytest.raises(NotFound, match=f"task {hidden.id} not found"):
        task_detail(session, hidden.id, people.csm)


def test_state_keeps_open_closed_or_all(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    org.task(account, "open one")
    done = org.task(account, "done one")
    changes.complete_task(session, done.id, people.csm)
    assert titles(session, people.csm) == ["open one"]
    assert titles(session, people.csm, state="closed") == ["done one"]
    assert len(titles(session, people.csm, state="all")) == 2


def test_overdue_keeps_open_tasks_due_before_today(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    org.task(account, "late", due_on=TODAY - dt.timedelta(days=1))
    org.task(account, "today", due_on=TODAY)
    org.task(account, "undated")
    rows = list_tasks(session, TaskQuery(today=TODAY), people.csm).rows
    assert {row["title"]: row["overdue"] for row in rows} == {
        "late": True,
        "today": False,
        "undated": False,
    }
    assert titles(session, people.csm, overdue=True) == ["late"]


def test_due_range_is_inclusive(session: Session, org: Org, people: People) -> None:
    account = org.account("A", people.csm)
    for days in (0, 5, 10):
        org.task(account, f"in {days}", due_on=TODAY + dt.timedelta(days=days))
    got = titles(
        session,
        people.csm,
        due_after=TODAY + dt.timedelta(days=5),
        due_before=TODAY + dt.timedelta(days=10),
    )
    assert got == ["in 5", "in 10"]


def test_search_finds_title_or_account_name_in_any_case(
    session: Session, org: Org, people: People
) -> None:
    acme = org.account("ACME", people.csm)
    other = org.account("OTHER", people.csm)
    org.task(acme, "Quarterly review")
    org.task(other, "Renewal call")
    assert titles(session, people.csm, search="acme ltd") == ["Quarterly review"]
    assert titles(session, people.csm, search="RENEWAL") == ["Renewal call"]


def test_type_priority_and_assignee_filters(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.manager)
    org.task(account, "risk", type="risk", priority="urgent")
    org.task(account, "renewal", type="renewal", assignee_id=people.csm.user_id)
    assert titles(session, people.manager, types=("risk",)) == ["risk"]
    assert titles(session, people.manager, priorities=("urgent",)) == ["risk"]
    got = titles(session, people.manager, assignee_ids=(people.csm.user_id,))
    assert got == ["renewal"]


def test_priority_sort_puts_urgent_first_then_due_date(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    org.task(account, "low", priority="low", due_on=TODAY)
    org.task(account, "urgent later", priority="urgent", due_on=TODAY.replace(day=20))
    org.task(account, "urgent sooner", priority="urgent", due_on=TODAY)
    got = titles(session, people.csm, sort="priority")
    assert got == ["urgent sooner", "urgent later", "low"]


def test_due_sort_puts_undated_tasks_last(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    org.task(account, "undated")
    org.task(account, "later", due_on=TODAY.replace(day=28))
    org.task(account, "sooner", due_on=TODAY)
    assert titles(session, people.csm) == ["sooner", "later", "undated"]


def test_pages_hold_page_size_rows_and_the_total(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    for number in range(5):
        org.task(account, f"task {number}", due_on=TODAY + dt.timedelta(days=number))
    page = list_tasks(session, TaskQuery(page=2, page_size=2, today=TODAY), people.csm)
    assert page.total == 5
    assert [row["title"] for row in page.rows] == ["task 2", "task 3"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [({"sort": "size"}, "sort"), ({"state": "late"}, "state"),
     ({"types": ("chore",)}, "type"), ({"page_size": 501}, "page_size"),
     ({"page": 0}, "page")],
)  # fmt: skip
def test_a_filter_that_cannot_work_names_its_field(
    session: Session, people: People, filters: dict[str, object], field: str
) -> None:
    with pytest.raises(TaskError) as raised:
        list_tasks(session, TaskQuery(**filters), people.admin)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_list_rows_name_the_account_assignee_and_source(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("ACME", people.csm)
    task = org.task(account, "Call", due_on=TODAY)
    (row,) = list_tasks(session, TaskQuery(today=TODAY), people.csm).rows
    assert row == {
        "id": task.id,
        "account_id": "ACME",
        "account_name": "ACME Ltd",
        "type": "follow_up",
        "title": "Call",
        "priority": "normal",
        "status": "open",
        "assignee": "cam@example.com",
        "assignee_name": "Cam",
        "assignee_id": people.csm.user_id,
        "due": TODAY,
        "overdue": False,
        "source": "manual",
        "rule": None,
        "rule_name": None,
        "playbook": None,
        "personal": False,
        "created_at": task.created_at,
        "completed_at": None,
    }


def test_detail_has_comments_and_history_oldest_first(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("A", people.csm)
    task = org.task(account, "Call", signal={"health": 31.5})
    changes.add_comment(session, task.id, people.csm, "left a voicemail")
    changes.update_task(session, task.id, people.csm, priority="high")
    detail = task_detail(session, task.id, people.csm)
    assert detail["signal"] == {"health": 31.5}
    assert detail["rule"] is None and detail["playbook_run"] is None
    assert [(c["author"], c["body"]) for c in detail["comments"]] == [
        ("Cam", "left a voicemail")
    ]
    assert [(h["actor"], h["action"], h["field"]) for h in detail["history"]] == [
        ("Tenure", "created", None),
        ("Cam", "commented", None),
        ("Cam", "updated", "priority"),
    ]


def test_csv_has_the_header_and_every_matching_task_on_all_pages(
    session: Session, org: Org, people: People
) -> None:
    account = org.account("ACME", people.csm)
    first = org.task(account, "dated", due_on=TODAY)
    second = org.task(account, "undated", assignee_id=None)
    lines = list(csv_rows(session, TaskQuery(page_size=1, today=TODAY), people.admin))
    assert lines == [
        ["id", "account_id", "type", "status", "assignee", "due", "source", "rule"],
        [str(first.id), "ACME", "follow_up", "open", "cam@example.com",
         "2026-03-16", "manual", ""],
        [str(second.id), "ACME", "follow_up", "open", "", "", "manual", ""],
    ]  # fmt: skip
