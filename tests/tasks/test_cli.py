"""``tenure task list`` and ``tenure task complete``, end to end."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tenure.cli.main import app
from tenure.tasks.models import Task

from .conftest import TODAY, Org, People

Run = Callable[..., Result]


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``tenure`` in-process on the test's database."""
    monkeypatch.setenv("TENURE_DATABASE_URL", db_url)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def listed(session: Session, org: Org, people: People) -> list[Task]:
    """Three tasks on two accounts, committed for the command to see."""
    acme = org.account("ACME", people.csm)
    far = org.account("FAR", people.outsider)
    tasks = [
        org.task(far, "undated"),
        org.task(acme, "later", due_on=TODAY.replace(day=20), type="risk"),
        org.task(acme, "sooner", due_on=TODAY, assignee_id=None),
    ]
    session.commit()
    return tasks


def test_csv_lists_every_account_by_due_date_then_id(
    run: Run, listed: list[Task]
) -> None:
    undated, later, sooner = listed
    result = run("task", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "id,account_id,type,status,assignee,due,source,rule",
        f"{sooner.id},ACME,follow_up,open,,2026-03-16,manual,",
        f"{later.id},ACME,risk,open,cam@example.com,2026-03-20,manual,",
        f"{undated.id},FAR,follow_up,open,oz@example.com,,manual,",
    ]


def test_filters_by_account_assignee_and_type(run: Run, listed: list[Task]) -> None:
    result = run(
        "task", "list", "--account", "ACME", "--assignee", "CAM@example.com",
        "--type", "risk", "--format", "csv",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [line.split(",")[0] for line in result.stdout.splitlines()[1:]] == [
        str(listed[1].id)
    ]


def test_an_unknown_assignee_is_named(run: Run, listed: list[Task]) -> None:
    result = run("task", "list", "--assignee", "nobody@example.com")
    assert result.exit_code == 2
    assert "no staff user 'nobody@example.com'" in result.stderr


def test_the_table_shows_titles(run: Run, listed: list[Task]) -> None:
    result = run("task", "list", "--status", "all")
    assert result.exit_code == 0, result.output
    assert "sooner" in result.stdout and "title" in result.stdout.splitlines()[0]


def test_complete_acts_as_the_named_user(
    run: Run, listed: list[Task], session: Session
) -> None:
    later = listed[1]
    result = run(
        "task", "complete", str(later.id), "--as", "cam@example.com",
        "--outcome", "Sorted",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == f"task {later.id} done: later\n"
    session.expire_all()
    assert session.get_one(Task, later.id).status == "done"
    again = run("task", "complete", str(later.id), "--as", "cam@example.com")
    assert again.exit_code == 2
    assert "already done" in again.stderr


def test_complete_cannot_reach_a_task_out_of_the_users_sight(
    run: Run, listed: list[Task]
) -> None:
    result = run("task", "complete", str(listed[0].id), "--as", "cam@example.com")
    assert result.exit_code == 2
    assert f"task {listed[0].id} not found" in result.stderr
