"""The ``tenure user`` and ``tenure apikey`` commands, end to end."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from tenure.auth import service as auth
from tenure.cli.main import app

from .conftest import PASSWORD

Run = Callable[..., Result]


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``tenure`` in-process on the test's database, with ``input`` as stdin."""
    monkeypatch.setenv("TENURE_DATABASE_URL", db_url)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


def _rows(result: Result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_user_lifecycle(run: Run, factory: sessionmaker[Session]) -> None:
    created = run(
        "user", "create", "Ada@Example.com", "--name", "Ada", "--role", "admin",
        input=f"{PASSWORD}\n",
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    assert created.stdout == "created user ada@example.com (admin)\n"
    created = run(
        "user", "create", "ann@example.com", "--name", "Ann Lee", "--role", "csm",
        "--team", "EMEA", input="",
    )  # fmt: skip
    assert created.exit_code == 1
    assert "no password given" in created.stderr
    created = run(
        "user", "create", "ann@example.com", "--name", "Ann Lee", "--role", "csm",
        "--team", "EMEA", input="another good password",
    )  # fmt: skip
    assert created.exit_code == 0, created.output

    with factory() as session:
        ann = auth.get_user(session, "ann@example.com")
        assert auth.authenticate(session, "ann@example.com", "another good password")
        auth.start_session(session, ann)
        session.commit()

    rows = _rows(run("user", "list", "--format", "csv"))
    assert [(r["email"], r["role"], r["team"], r["active"]) for r in rows] == [
        ("ada@example.com", "admin", "", "True"),
        ("ann@example.com", "csm", "EMEA", "True"),
    ]
    assert rows[0]["last_sign_in"] == ""
    assert rows[1]["last_sign_in"].endswith("+00:00")
    assert rows[1]["locked_until"] == ""

    assert run("user", "set-role", "ann@example.com", "manager").stdout == (
        "ann@example.com is now manager\n"
    )
    assert run("user", "disable", "ann@example.com").stdout == (
        "disabled ann@example.com\n"
    )
    listed = json.loads(run("user", "list", "--format", "json").stdout)
    assert [(u["email"], u["role"], u["active"]) for u in listed] == [
        ("ada@example.com", "admin", True),
        ("ann@example.com", "manager", False),
    ]
    assert run("user", "enable", "ann@example.com").stdout == (
        "enabled ann@example.com\n"
    )
    changed = run(
        "user", "set-password", "ann@example.com", input="a third password ok\r\n"
    )
    assert changed.stdout == "password set for ann@example.com\n"
    with factory() as session:
        user = auth.authenticate(session, "ann@example.com", "a third password ok")
        assert user.role == "manager"
    table = run("user", "list").stdout
    assert table.splitlines()[0].split() == [
        "email", "name", "role", "team", "active", "locked_until", "last_sign_in",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("user", "create", "a@example.com", "--name", "A", "--role", "boss"),
            f"{PASSWORD}\n",
            "unknown role 'boss'",
        ),
        (
            ("user", "create", "nope", "--name", "A", "--role", "csm"),
            f"{PASSWORD}\n",
            "'nope' is not an email address",
        ),
        (
            ("user", "create", "a@example.com", "--name", "A", "--role", "csm"),
            "short\n",
            "at least 10 characters",
        ),
        (
            ("user", "create", "a@example.com", "--name", "A", "--role", "csm"),
            "\n",
            "no password given",
        ),
        (("user", "set-role", "x@example.com", "csm"), None, "no user with email"),
        (("user", "disable", "x@example.com"), None, "no user with email"),
        (("user", "enable", "x@example.com"), None, "no user with email"),
        (("user", "set-password", "x@example.com"), f"{PASSWORD}\n", "no user"),
        (("apikey", "create", "--user", "x@example.com"), None, "no user"),
        (("apikey", "list", "--user", "x@example.com"), None, "no user"),
        (("apikey", "revoke", "12345"), None, "no API key with id 12345"),
    ],
)
def test_errors_exit_1_with_a_message(
    run: Run, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    result = run(*args, input=stdin)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_a_taken_email_is_refused(run: Run) -> None:
    args = ("user", "create", "a@example.com", "--name", "A", "--role", "csm")
    assert run(*args, input=f"{PASSWORD}\n").exit_code == 0
    again = run(*args, input=f"{PASSWORD}\n")
    assert again.exit_code == 1
    assert "'a@example.com' already exists" in again.stderr


def test_api_key_commands(run: Run, factory: sessionmaker[Session]) -> None:
    with factory() as session:
        auth.create_user(session, "ann@example.com", "Ann", "csm", None)
        session.commit()

    created = run("apikey", "create", "--user", "ANN@example.com", "--name", "bi")
    assert created.exit_code == 0, created.output
    raw = created.stdout.strip()
    assert created.stdout == f"{raw}\n"
    assert raw.startswith("tnr_")
    assert "will not be shown again" in created.stderr
    second = run("apikey", "create", "--user", "ann@example.com").stdout.strip()

    with factory() as session:
        user = auth.resolve_api_key(session, raw)
        assert user is not None and user.email == "ann@example.com"
        session.commit()

    rows = _rows(run("apikey", "list", "--format", "csv"))
    assert [(r["user"], r["name"], r["revoked"]) for r in rows] == [
        ("ann@example.com", "bi", "False"),
        ("ann@example.com", "default", "False"),
    ]
    assert [r["prefix"] for r in rows] == [raw[:12], second[:12]]
    assert rows[0]["last_used_at"] != ""
    assert raw not in run("apikey", "list").stdout

    revoked = run("apikey", "revoke", rows[0]["id"])
    assert revoked.stdout == f"revoked API key {rows[0]['id']} ({raw[:12]}...)\n"
    rows = _rows(run("apikey", "list", "--user", "ann@example.com", "--format", "csv"))
    assert [r["revoked"] for r in rows] == ["True", "False"]
    with factory() as session:
        assert auth.resolve_api_key(session, raw) is None
        assert auth.resolve_api_key(session, second) is not None
