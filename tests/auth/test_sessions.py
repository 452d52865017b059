"""Sign-in sessions: tokens stored hashed, sliding expiry, sign-out and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth import service as auth
from tenure.auth.models import AuthSession
from tenure.auth.passwords import PasswordPolicyError
from tenure.settings import service as settings
from tenure.staff.models import StaffUser

from .conftest import PASSWORD, T0

HOUR = dt.timedelta(hours=1)


def _user(session: Session, password: str | None = None) -> StaffUser:
    """Create the csm Ann, with ``password`` if given."""
    return auth.create_user(session, "ann@example.com", "Ann", "csm", password)


def test_only_the_hash_of_the_token_is_stored(session: Session) -> None:
    user = _user(session)
    token = auth.start_session(session, user, now=T0)
    stored = session.scalars(select(AuthSession)).one()
    assert len(token) >= 40
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.user_id == user.id
    assert (stored.created_at, stored.last_seen_at) == (T0, T0)
    assert stored.expires_at == T0 + 12 * HOUR
    assert stored.revoked_at is None
    assert auth.resolve_session(session, token, now=T0) is user


def test_unknown_or_empty_tokens_resolve_to_nobody(session: Session) -> None:
    user = _user(session)
    auth.start_session(session, user, now=T0)
    assert auth.resolve_session(session, "", now=T0) is None
    assert auth.resolve_session(session, "not-a-token", now=T0) is None
    auth.end_session(session, "not-a-token")


def test_session_expires_after_idle_hours_and_slides_with_use(session: Session) -> None:
    settings.set_value(session, "session_idle_hours", "2")
    user = _user(session)
    idle = auth.start_session(session, user, now=T0)
    used = auth.start_session(session, user, now=T0)

    assert auth.resolve_session(session, used, now=T0 + 1.5 * HOUR) is user
    assert auth.resolve_session(session, used, now=T0 + 3 * HOUR) is user
    assert auth.resolve_session(session, idle, now=T0 + 2 * HOUR) is None
    assert auth.resolve_session(session, used, now=T0 + 5 * HOUR) is None
    session.commit()
    stored = session.scalars(
        select(AuthSession).where(AuthSession.token_hash == auth.token_hash(used))
    ).one()
    assert stored.last_seen_at == T0 + 3 * HOUR
    assert stored.expires_at == T0 + 5 * HOUR


def test_use_is_recorded_at_most_once_a_minute(session: Session) -> None:
    user = _user(session)
    token = auth.start_session(session, user, now=T0)
    stored = session.scalars(select(AuthSession)).one()
    auth.resolve_session(session, token, now=T0 + dt.timedelta(seconds=59))
    assert stored.last_seen_at == T0
    assert stored.expires_at == T0 + 12 * HOUR
    later = T0 + dt.timedelta(seconds=60)
    auth.resolve_session(session, token, now=later)
    assert stored.last_seen_at == later
    assert stored.expires_at == later + 12 * HOUR


def test_signing_out_ends_only_that_session(session: Session) -> None:
    user = _user(session)
    leaving = auth.start_session(session, user)
    staying = auth.start_session(session, user)
    auth.end_session(session, leaving)
    auth.end_session(session, leaving)
    assert auth.resolve_session(session, leaving) is None
    assert auth.resolve_session(session, staying) is user


def test_sessions_of_a_disabled_user_end_and_stay_ended(session: Session) -> None:
    auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    user = _user(session)
    token = auth.start_session(session, user)
    auth.disable_user(session, "ann@example.com")
    assert auth.resolve_session(session, token) is None
    auth.enable_user(session, "ann@example.com")
    assert auth.resolve_session(session, token) is None
    assert auth.resolve_session(session, auth.start_session(session, user)) is user


def test_an_inactive_users_session_resolves_to_nobody(session: Session) -> None:
    user = _user(session)
    token = auth.start_session(session, user)
    user.is_active = False
    assert auth.resolve_session(session, token) is None


def test_changing_password_signs_out_every_other_session(session: Session) -> None:
    user = _user(session, PASSWORD)
    current = auth.start_session(session, user)
    others = [auth.start_session(session, user) for _ in range(2)]
    new = "a much better passphrase"

    auth.change_password(session, user, PASSWORD, new, keep_token=current)

    assert auth.resolve_session(session, current) is user
    assert [auth.resolve_session(session, t) for t in others] == [None, None]
    assert user.password_changed_at is not None
    assert auth.authenticate(session, "ann@example.com", new) is user


def test_changing_password_without_a_kept_token_signs_out_everywhere(
    session: Session,
) -> None:
    user = _user(session, PASSWORD)
    token = auth.start_session(session, user)
    auth.change_password(session, user, PASSWORD, "a much better passphrase")
    assert auth.resolve_session(session, token) is None


def test_change_password_checks_current_and_new(session: Session) -> None:
    user = _user(session, PASSWORD)
    token = auth.start_session(session, user)
    with pytest.raises(auth.InvalidCredentials):
        auth.change_password(session, user, "not the password", "whatever works 1")
    with pytest.raises(PasswordPolicyError, match="differ from the current"):
        auth.change_password(session, user, PASSWORD, PASSWORD)
    with pytest.raises(PasswordPolicyError, match="email"):
        auth.change_password(session, user, PASSWORD, "ANN@example.com")
    with pytest.raises(PasswordPolicyError, match="at least 10"):
        auth.change_password(session, user, PASSWORD, "short")
    assert user.password_changed_at is not None  # set when the user was created
    assert auth.resolve_session(session, token) is user


def test_set_password_clears_lockout_and_ends_sessions(session: Session) -> None:
    user = _user(session)
    token = auth.start_session(session, user)
    user.failed_logins = 7
    user.locked_until = T0 + 100 * 24 * HOUR
    with pytest.raises(PasswordPolicyError, match="email"):
        auth.set_password(session, user, "ann@example.com")
    auth.set_password(session, user, PASSWORD)
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert auth.resolve_session(session, token) is None
    assert auth.authenticate(session, "ann@example.com", PASSWORD) is user
