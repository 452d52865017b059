"""Signing in: one message for every wrong guess, lockout, disabled users."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.auth import service as auth
from tenure.settings import service as settings
from tenure.staff.models import StaffUser

from .conftest import PASSWORD, T0


def _attempt(
    session: Session, email: str, password: str, now: dt.datetime = T0
) -> StaffUser | auth.AuthError:
    """Sign in as the web app does: commit whatever happens, return user or error."""
    try:
        user = auth.authenticate(session, email, password, now=now)
    except auth.AuthError as exc:
        session.commit()
        return exc
    session.commit()
    return user


def test_settings_default_to_five_failures_and_fifteen_minutes(
    session: Session,
) -> None:
    assert settings.get(session, "login_max_failures") == 5
    assert settings.get(session, "login_lockout_minutes") == 15
    assert settings.get(session, "session_idle_hours") == 12


def test_right_password_signs_in_whatever_the_email_case(session: Session) -> None:
    created = auth.create_user(session, "Ann@Example.com", "Ann", "csm", PASSWORD)
    assert created.email == "ann@example.com"
    user = _attempt(session, "  ANN@example.COM ", PASSWORD)
    assert isinstance(user, StaffUser)
    assert user.id == created.id
    assert user.failed_logins == 0


def test_every_wrong_guess_gets_the_same_message(
    factory: sessionmaker[Session], session: Session
) -> None:
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    auth.create_user(session, "owner@example.com", "Owner", "csm", None)
    session.commit()

    wrong_password = _attempt(session, "ann@example.com", "not the password")
    unknown_email = _attempt(session, "nobody@example.com", PASSWORD)
    no_password = _attempt(session, "owner@example.com", PASSWORD)
    for error in (wrong_password, unknown_email, no_password):
        assert type(error) is auth.InvalidCredentials
        assert error.message == "wrong email or password"
        assert str(error) == "wrong email or password"

    with factory() as other:
        assert auth.get_user(other, "ann@example.com").failed_logins == 1
        assert auth.get_user(other, "owner@example.com").failed_logins == 0


def test_failure_is_counted_only_if_the_caller_commits(
    factory: sessionmaker[Session], session: Session
) -> None:
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    session.commit()
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(session, "ann@example.com", "not the password")
    with factory() as other:
        assert auth.get_user(other, "ann@example.com").failed_logins == 0
    session.commit()
    with factory() as other:
        assert auth.get_user(other, "ann@example.com").failed_logins == 1


def test_lockout_after_the_limit_until_the_lockout_ends(session: Session) -> None:
    settings.set_value(session, "login_max_failures", "3")
    settings.set_value(session, "login_lockout_minutes", "10")
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    session.commit()

    first = _attempt(session, "ann@example.com", "wrong 1", T0)
    second = _attempt(session, "ann@example.com", "wrong 2", T0)
    third = _attempt(session, "ann@example.com", "wrong 3", T0)
    assert [type(e) for e in (first, second)] == [auth.InvalidCredentials] * 2
    assert isinstance(third, auth.AccountLocked)
    until = T0 + dt.timedelta(minutes=10)
    assert third.until == until
    assert "2026-03-02 09:10 UTC" in third.message

    almost = until - dt.timedelta(seconds=1)
    right_while_locked = _attempt(session, "ann@example.com", PASSWORD, almost)
    assert isinstance(right_while_locked, auth.AccountLocked)
    assert right_while_locked.until == until
    user = auth.get_user(session, "ann@example.com")
    assert user.locked_until == until
    assert user.failed_logins == 3

    # Once the lockout is over the count starts again: one failure does not lock.
    later = until
    assert isinstance(
        _attempt(session, "ann@example.com", "wrong 4", later), auth.InvalidCredentials
    )
    signed_in = _attempt(session, "ann@example.com", PASSWORD, later)
    assert isinstance(signed_in, StaffUser)
    assert signed_in.failed_logins == 0
    assert signed_in.locked_until is None


def test_success_resets_the_failure_count(session: Session) -> None:
    settings.set_value(session, "login_max_failures", "2")
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    session.commit()
    assert isinstance(_attempt(session, "ann@example.com", "wrong"), auth.AuthError)
    assert isinstance(_attempt(session, "ann@example.com", PASSWORD), StaffUser)
    assert isinstance(
        _attempt(session, "ann@example.com", "wrong"), auth.InvalidCredentials
    )


def test_disabled_user_is_told_only_after_the_right_password(session: Session) -> None:
    auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    auth.disable_user(session, "ann@example.com")
    session.commit()
    wrong = _attempt(session, "ann@example.com", "not the password")
    right = _attempt(session, "ann@example.com", PASSWORD)
    assert type(wrong) is auth.InvalidCredentials
    assert isinstance(right, auth.AccountDisabled)
    assert "disabled" in right.message


def test_failures_are_logged_without_the_password(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    auth.create_user(session, "ann@example.com", "Ann", "csm", PASSWORD)
    caplog.set_level("INFO", logger="tenure.auth.service")
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(session, "ann@example.com", "hunter2-secret")
    with pytest.raises(auth.InvalidCredentials):
        auth.authenticate(session, "bob@example.com", "hunter3-secret")
    assert "ann@example.com" in caplog.text
    assert "hunter" not in caplog.text
