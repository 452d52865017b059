"""``tenure book``: rules, rule-add, assign and reassign, end to end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from tenure.accounts.models import Account
from tenure.cli.main import app

from .conftest import Book, People

Run = Callable[..., Result]


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``tenure`` in-process on the test's database."""
    monkeypatch.setenv("TENURE_DATABASE_URL", db_url)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def owners(factory: sessionmaker[Session]) -> dict[str, int | None]:
    with factory() as session:
        found = session.execute(select(Account.external_id, Account.owner_id))
        return {external_id: owner for external_id, owner in found}


def test_rules_are_added_and_listed_in_order(
    run: Run, book: Book, people: People, session: Session
) -> None:
    session.commit()
    added = run(
        "book", "rule-add", "--name", "East", "--region", "East China",
        "--region", "East", "--team", "east", "--strategy", "round_robin",
    )  # fmt: skip
    first = run(
        "book", "rule-add", "--name", "Key", "--tier", "Key",
        "--to", "tom@example.com", "--position", "0",
    )  # fmt: skip
    listed = run("book", "rules", "--format", "csv")

    assert added.exit_code == 0, added.output
    assert first.exit_code == 0, first.output
    assert listed.stdout.splitlines() == [
        "position,id,name,active,conditions,strategy,to",
        f"0,{first.stdout.split()[2]},Key,True,tier=Key,user,tom@example.com",
        f'1,{added.stdout.split()[2]},East,True,"region=East China,East",'
        "round_robin,East",
    ]


def test_a_rule_without_a_target_or_with_a_bad_one_is_refused(
    run: Run, book: Book, session: Session
) -> None:
    session.commit()
    assert run("book", "rule-add", "--name", "X").exit_code == 2
    unknown = run("book", "rule-add", "--name", "X", "--team", "Moon")
    assert (unknown.exit_code, "no team 'Moon'" in unknown.stderr) == (2, True)
    bad = run("book", "rule-add", "--name", "X", "--team", "East", "--strategy", "dice")
    assert bad.exit_code == 2
    assert "strategy 'dice'" in bad.stderr


def test_assign_previews_then_assigns_the_unowned_accounts(
    run: Run,
    book: Book,
    people: People,
    session: Session,
    factory: sessionmaker[Session],
) -> None:
    book.account("N1", region="East")
    book.account("N2", region="Mars")
    book.rule("East", conditions={"region": ["East"]}, user_id=people.csm.user_id)
    session.commit()

    shown = run("book", "assign", "--preview")
    assert "would assign 1 accounts; 1 matched no rule" in shown.stdout
    assert owners(factory)["N1"] is None

    done = run("book", "assign")
    assert done.stdout.strip() == "assigned 1 accounts; 1 matched no rule"
    assert owners(factory)["N1"] == people.csm.user_id


def test_reassign_previews_as_csv_then_moves_the_accounts(
    run: Run,
    book: Book,
    people: People,
    session: Session,
    factory: sessionmaker[Session],
) -> None:
    for number in range(2):
        book.account(f"C{number}", people.csm, mrr=12_345, region="East")
    session.commit()
    args = ("book", "reassign", "--from", "cam@example.com", "--region", "East")

    shown = run(*args, "--to", "tom@example.com", "--preview", "--format", "csv")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        "account_id,account_name,from,to,mrr,open_tasks",
        "C0,C0 Ltd,cam@example.com,tom@example.com,123.45,0",
        "C1,C1 Ltd,cam@example.com,tom@example.com,123.45,0",
    ]
    assert owners(factory)["C0"] == people.csm.user_id

    done = run(*args, "--team", "East", "--spread", "even", "--reason", "Leave")
    assert done.exit_code == 0, done.output
    assert "moved 2 accounts (246.90 USD MRR)" in done.stdout
    moved = owners(factory)
    # Cam's accounts go to the team's other CSM, not back to Cam nor to its lead.
    assert {moved["C0"], moved["C1"]} == {people.teammate.user_id}


def test_reassign_as_a_manager_keeps_to_their_scope(
    run: Run, book: Book, people: People, session: Session
) -> None:
    book.account("W1", people.outsider)
    session.commit()

    refused = run(
        "book", "reassign", "--account", "W1", "--to", "cam@example.com",
        "--as", "maya@example.com",
    )  # fmt: skip

    assert refused.exit_code == 2
    assert "account_ids 'W1': no such account in your scope" in refused.stderr


def test_reassign_refuses_a_day_after_today(
    run: Run, book: Book, session: Session
) -> None:
    session.commit()
    later = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    result = run(
        "book", "reassign", "--region", "East", "--to", "tom@example.com",
        "--date", later,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is after today" in result.stderr
