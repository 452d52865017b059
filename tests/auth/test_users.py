"""Creating and administering staff users."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth import service as auth
from tenure.auth.passwords import PasswordPolicyError
from tenure.imports.service import import_rows
from tenure.staff.models import StaffUser, Team

from .conftest import PASSWORD


def test_create_user_without_password_cannot_sign_in(session: Session) -> None:
    user = auth.create_user(session, " Ann@Example.COM", " Ann Lee ", "manager", None)
    assert (user.email, user.name, user.role) == (
        "ann@example.com",
        "Ann Lee",
        "manager",
    )
    assert user.password_hash is None
    assert user.is_active
    assert user.failed_logins == 0
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(session, "ann@example.com", "")


def test_create_user_stores_a_hash_and_the_team(session: Session) -> None:
    user = auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD, "EMEA")
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert user.password_changed_at is not None
    team = session.get(Team, user.team_id)
    assert team is not None and team.name == "EMEA"
    other = auth.create_user(session, "bob@example.com", "Bob", "csm", None, "emea")
    assert other.team_id == user.team_id
    assert session.scalar(select(func.count()).select_from(Team)) == 1


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("not-an-email", "csm", "'not-an-email' is not an email address"),
        ("a@b", "csm", "'a@b' is not an email address"),
        ("two words@example.com", "csm", "is not an email address"),
        ("ann@example.com", "boss", "unknown role 'boss'; roles: admin, executive"),
    ],
)
def test_create_user_rejects_bad_input(
    session: Session, email: str, role: str, message: str
) -> None:
    with pytest.raises(auth.UserError, match=re.escape(message)):
        auth.create_user(session, email, "Ann", role, None)


def test_create_user_rejects_a_bad_password_before_writing(session: Session) -> None:
    with pytest.raises(PasswordPolicyError, match="at least 10"):
        auth.create_user(session, "ann@example.com", "Ann", "csm", "short", "EMEA")
    with pytest.raises(PasswordPolicyError, match="email"):
        auth.create_user(session, "ann@example.com", "Ann", "csm", "ann@example.com")
    assert session.scalars(select(StaffUser)).all() == []
    assert session.scalars(select(Team)).all() == []


def test_an_email_with_a_password_is_taken_whatever_its_case(session: Session) -> None:
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    with pytest.raises(
        auth.UserError, match=re.escape("'ann@example.com' already exists")
    ):
        auth.create_user(session, "ANN@example.com", "Ann", "admin", None)


def test_create_user_adopts_an_account_owner_from_an_import(session: Session) -> None:
    import_rows(
        session,
        "accounts",
        [{"account_id": "A1", "name": "Acme", "owner_email": "Olive@Example.com"}],
        source="test",
        default_currency="USD",
    )
    owner = session.scalars(select(StaffUser)).one()
    assert owner.password_hash is None

    adopted = auth.create_user(
        session, "olive@example.com", "Olive Owen", "manager", PASSWORD, "APAC"
    )

    assert adopted.id == owner.id
    assert (adopted.name, adopted.role) == ("Olive Owen", "manager")
    assert adopted.password_hash is not None
    assert adopted.team_id is not None
    account = session.scalars(select(Account)).one()
    assert account.owner_id == adopted.id
    assert auth.authenticate(session, "olive@example.com", PASSWORD) is adopted


def test_adopting_without_a_team_keeps_the_users_team(session: Session) -> None:
    first = auth.create_user(session, "ann@example.com", "ann", "csm", None, "EMEA")
    again = auth.create_user(session, "ann@example.com", "Ann Lee", "manager", None)
    assert again.id == first.id
    assert again.team_id is not None
    assert (again.name, again.role) == ("Ann Lee", "manager")


def test_get_and_list_users(session: Session) -> None:
    for email in ("cat@example.com", "Ann@example.com", "bob@example.com"):
        auth.create_user(session, email, email.split("@")[0], "csm", None)
    assert [u.email for u in auth.list_users(session)] == [
        "ann@example.com",
        "bob@example.com",
        "cat@example.com",
    ]
    assert auth.get_user(session, "BOB@example.com").name == "bob"
    with pytest.raises(
        auth.UserError, match=re.escape("no user with email 'dan@example.com'")
    ):
        auth.get_user(session, "dan@example.com")


def test_set_role_disable_and_enable(session: Session) -> None:
    auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    assert auth.set_role(session, "ann@example.com", "executive").role == "executive"
    with pytest.raises(auth.UserError, match="unknown role 'root'"):
        auth.set_role(session, "ann@example.com", "root")
    with pytest.raises(
        auth.UserError, match=re.escape("no user with email 'x@example.com'")
    ):
        auth.disable_user(session, "x@example.com")
    assert not auth.disable_user(session, "ann@example.com").is_active
    assert auth.enable_user(session, "ann@example.com").is_active


def test_the_only_active_admin_cannot_be_demoted_or_disabled(session: Session) -> None:
    auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    with pytest.raises(auth.UserError, match="only active admin"):
        auth.set_role(session, "admin@example.com", "viewer")
    with pytest.raises(auth.UserError, match="only active admin"):
        auth.disable_user(session, "admin@example.com")
    auth.create_user(session, "second@example.com", "Sam", "admin", None)
    assert auth.set_role(session, "admin@example.com", "viewer").role == "viewer"
