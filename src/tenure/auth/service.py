"""Staff users, sign-in, sessions and API keys.

Every function takes the caller's ``Session`` and never commits: the caller owns the
transaction. Functions that record something even when they raise (failed sign-ins)
flush it, so the caller must commit in that case too (see ``authenticate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from typing import NoReturn

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from tenure.auth.models import ApiKey, AuthSession
from tenure.auth.passwords import (
    PasswordPolicyError,
    check_password_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from tenure.db.base import utcnow
from tenure.settings import service as settings
from tenure.staff.models import ROLES, StaffUser, Team

log = logging.getLogger(__name__)

API_KEY_PREFIX = "tnr_"
# Sessions and API keys record their use at most this often, so that reading pages
# or calling the API does not write on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_EMAIL_MAX = 320
_NAME_MAX = 200


class AuthError(Exception):
    """A sign-in that did not succeed; ``message`` is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidCredentials(AuthError):
    """Unknown email, wrong password, or a user who has no password yet."""

    def __init__(self) -> None:
        super().__init__("wrong email or password")


class AccountLocked(AuthError):
    """Too many failed sign-ins in a row; sign-in is refused until ``until``."""

    def __init__(self, until: dt.datetime) -> None:
        super().__init__(
            "too many failed sign-ins; try again after "
            f"{until.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        )
        self.until = until


class AccountDisabled(AuthError):
    """The password was right but the user has been disabled."""

    def __init__(self) -> None:
        super().__init__("this account is disabled; ask an administrator")


class UserError(ValueError):
    """Bad input to user administration: unknown role or user, bad or taken email."""


def token_hash(raw: str) -> str:
    """Return the SHA-256 hex digest under which a token or API key is stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    """Return ``email`` trimmed and lower-cased, the form users are stored under."""
    return email.strip().lower()


def _find_user(session: Session, email: str) -> StaffUser | None:
    """Return the user with ``email`` (case-insensitive), if any."""
    query = (
        select(StaffUser)
        .where(func.lower(StaffUser.email) == normalize_email(email))
        .order_by(StaffUser.id)
        .limit(1)
    )
    return session.scalars(query).first()


_dummy_hash: str | None = None


def _spend_verify_time(password: str) -> None:
    """Verify against a throwaway hash so that unknown emails take as long."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)


# Sign-in


def authenticate(
    session: Session, email: str, password: str, now: dt.datetime | None = None
) -> StaffUser:
    """Return the active user whose email and password these are.

    Raises InvalidCredentials (one message for an unknown email, a wrong password and
    a user without a password), AccountLocked while a lockout runs (even with the
    right password, and on the failure that starts it) and AccountDisabled for a
    disabled user, which is only said once the password is right. The failure
    counter and lockout are flushed before raising: the caller must commit even
    when this raises, or the failed attempt is forgotten.
    """
    now = now or utcnow()
    user = _find_user(session, email)
    if user is None or user.password_hash is None:
        _spend_verify_time(password)
        log.info("sign-in failed: unknown email or no password (%s)", email.strip())
        raise InvalidCredentials()
    if user.locked_until is not None:
        if user.locked_until > now:
            log.info("sign-in refused: %s is locked out", user.email)
            raise AccountLocked(user.locked_until)
        # The lockout is over: the count starts again.
        user.locked_until = None
        user.failed_logins = 0
        session.flush()
    if not verify_password(user.password_hash, password):
        _record_failure(session, user, now)
    if not user.is_active:
        session.flush()
        log.info("sign-in refused: %s is disabled", user.email)
        raise AccountDisabled()
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    log.info("%s signed in", user.email)
    return user


def _record_failure(session: Session, user: StaffUser, now: dt.datetime) -> NoReturn:
    """Count one more failed sign-in, lock the user at the limit, flush and raise."""
    # Incremented in SQL so that concurrent attempts all count.
    user.failed_logins = StaffUser.failed_logins + 1
    session.flush()
    failures = user.failed_logins
    limit: int = settings.get(session, "login_max_failures")
    log.info(
        "sign-in failed: wrong password for %s (%d in a row)", user.email, failures
    )
    if failures >= limit:
        minutes: int = settings.get(session, "login_lockout_minutes")
        user.locked_until = now + dt.timedelta(minutes=minutes)
        session.flush()
        log.warning(
            "%s locked out for %d minutes after %d failed sign-ins",
            user.email,
            minutes,
            failures,
        )
        raise AccountLocked(user.locked_until)
    raise InvalidCredentials()


# Sessions


def start_session(
    session: Session, user: StaffUser, now: dt.datetime | None = None
) -> str:
    """Open a session for ``user`` and return its raw token (only its hash is kept)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        AuthSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + _idle(session),
        )
    )
    session.flush()
    return token


def _idle(session: Session) -> dt.timedelta:
    """Return how long a session lasts without being used."""
    hours: int = settings.get(session, "session_idle_hours")
    return dt.timedelta(hours=hours)


def resolve_session(
    session: Session, token: str, now: dt.datetime | None = None
) -> StaffUser | None:
    """Return the user of a live session, or None (unknown, expired, revoked, inactive).

    A session in use is extended to ``session_idle_hours`` from now, written at most
    once a minute; the caller commits.
    """
    if not token:
        return None
    now = now or utcnow()
    found = session.execute(
        select(AuthSession, StaffUser)
        .join(StaffUser, AuthSession.user_id == StaffUser.id)
        .where(AuthSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return None
    record, user = found
    if record.revoked_at is not None or record.expires_at <= now or not user.is_active:
        return None
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        record.last_seen_at = now
        record.expires_at = now + _idle(session)
        session.flush()
    return user


def end_session(session: Session, token: str) -> None:
    """Revoke the session of ``token`` (signing out); an unknown token is ignored."""
    record = session.scalars(
        select(AuthSession).where(AuthSession.token_hash == token_hash(token))
    ).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        session.flush()


def _revoke_sessions(
    session: Session, user: StaffUser, keep_token: str | None = None
) -> int:
    """Revoke every open session of ``user`` except ``keep_token``'s; count them."""
    query = update(AuthSession).where(
        AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None)
    )
    if keep_token:
        query = query.where(AuthSession.token_hash != token_hash(keep_token))
    result = session.execute(
        query.values(revoked_at=utcnow()).execution_options(synchronize_session="fetch")
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count


# Passwords


def _check_new_password(user_email: str, new: str) -> None:
    """Apply the password policy, plus: not the user's own email."""
    check_password_policy(new)
    if normalize_email(new) == normalize_email(user_email):
        raise PasswordPolicyError("the password must not be the email address")


def change_password(
    session: Session,
    user: StaffUser,
    current: str,
    new: str,
    keep_token: str | None = None,
) -> None:
    """Change a user's own password and sign out their other sessions.

    Raises InvalidCredentials if ``current`` is wrong and PasswordPolicyError if
    ``new`` is not acceptable (too short, the email, the current password...). The
    session of ``keep_token`` (the one making the change) stays signed in.
    """
    if user.password_hash is None or not verify_password(user.password_hash, current):
        log.info("password change refused for %s: wrong current password", user.email)
        raise InvalidCredentials()
    _check_new_password(user.email, new)
    if new == current:
        raise PasswordPolicyError("the new password must differ from the current one")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    revoked = _revoke_sessions(session, user, keep_token)
    session.flush()
    log.info("%s changed their password (%d sessions signed out)", user.email, revoked)


def set_password(session: Session, user: StaffUser, new: str) -> None:
    """Set a user's password (administration): clears a lockout, ends every session."""
    _check_new_password(user.email, new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    revoked = _revoke_sessions(session, user)
    session.flush()
    log.info("password of %s set (%d sessions signed out)", user.email, revoked)


# Users


def _check_email(email: str) -> str:
    """Return ``email`` normalized, or raise UserError if it is not an address."""
    normal = normalize_email(email)
    if len(normal) > _EMAIL_MAX or not _EMAIL.fullmatch(normal):
        raise UserError(f"'{email}' is not an email address")
    return normal


def _check_role(role: str) -> str:
    """Return ``role`` if it is one of ROLES, else raise UserError."""
    if role not in ROLES:
        raise UserError(f"unknown role '{role}'; roles: {', '.join(ROLES)}")
    return role


def _team_id(session: Session, name: str) -> int:
    """Return the id of the team called ``name`` (any case), creating it if missing."""
    clean = name.strip()
    if not clean or len(clean) > _NAME_MAX:
        raise UserError(f"'{name}' is not a team name")
    team = session.scalars(
        select(Team).where(func.lower(Team.name) == clean.lower()).order_by(Team.id)
    ).first()
    if team is None:
        team = Team(name=clean)
        session.add(team)
        session.flush()
        log.info("team %s created", clean)
    return team.id


def create_user(
    session: Session,
    email: str,
    name: str,
    role: str,
    password: str | None,
    team: str | None = None,
) -> StaffUser:
    """Create a staff user, or complete one that exists without a password.

    The email is stored lower-case and must be unique whatever its case; ``team`` is a
    team name, created if missing (None keeps an adopted user's team). A user created
    by an import (an account owner, without a password) is adopted: its name, role,
    team and password are set. ``password`` None means the user cannot sign in yet.
    """
    normal = _check_email(email)
    clean_name = name.strip()
    if not clean_name or len(clean_name) > _NAME_MAX:
        raise UserError(f"'{name}' is not a name (1 to {_NAME_MAX} characters)")
    _check_role(role)
    if password is not None:
        _check_new_password(normal, password)
    user = _find_user(session, normal)
    if user is not None and user.password_hash is not None:
        raise UserError(f"a user with email '{normal}' already exists")
    team_id = _team_id(session, team) if team is not None else None
    if user is None:
        user = StaffUser(email=normal, name=clean_name, role=role, team_id=team_id)
        session.add(user)
        action = "created"
    else:
        user.name = clean_name
        user.role = role
        if team is not None:
            user.team_id = team_id
        action = "adopted"
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = utcnow()
    session.flush()
    log.info("user %s %s as %s", normal, action, role)
    return user


def get_user(session: Session, email: str) -> StaffUser:
    """Return the user with ``email`` (any case); raise UserError if there is none."""
    user = _find_user(session, email)
    if user is None:
        raise UserError(f"no user with email '{email.strip()}'")
    return user


def list_users(session: Session) -> list[StaffUser]:
    """Return every staff user ordered by email."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def _check_not_last_admin(session: Session, user: StaffUser, change: str) -> None:
    """Refuse to demote or disable the only active admin."""
    if user.role != "admin" or not user.is_active:
        return
    admins = session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == "admin", StaffUser.is_active.is_(True))
    )
    if (admins or 0) <= 1:
        raise UserError(f"cannot {change} {user.email}: it is the only active admin")


def set_role(session: Session, email: str, role: str) -> StaffUser:
    """Give the user with ``email`` another role."""
    _check_role(role)
    user = get_user(session, email)
    if role != user.role:
        _check_not_last_admin(session, user, f"make {role}")
        user.role = role
        session.flush()
        log.info("%s is now %s", user.email, role)
    return user


def disable_user(session: Session, email: str) -> StaffUser:
    """Disable a user: no sign-in, every session and API key revoked."""
    user = get_user(session, email)
    _check_not_last_admin(session, user, "disable")
    user.is_active = False
    sessions = _revoke_sessions(session, user)
    keys = _revoke_api_keys(session, user)
    session.flush()
    log.info(
        "%s disabled (%d sessions and %d API keys revoked)", user.email, sessions, keys
    )
    return user


def enable_user(session: Session, email: str) -> StaffUser:
    """Enable a disabled user again (revoked sessions and keys stay revoked)."""
    user = get_user(session, email)
    user.is_active = True
    session.flush()
    log.info("%s enabled", user.email)
    return user


# API keys


def create_api_key(
    session: Session, user: StaffUser, name: str = "default"
) -> tuple[str, ApiKey]:
    """Create an API key for ``user``; return the raw key (shown once) and its row."""
    clean = name.strip()
    if not clean or len(clean) > _NAME_MAX:
        raise UserError(f"'{name}' is not a key name (1 to {_NAME_MAX} characters)")
    if not user.is_active:
        raise UserError(f"{user.email} is disabled")
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        user_id=user.id,
        name=clean,
        prefix=raw[:12],
        key_hash=token_hash(raw),
        created_at=utcnow(),
    )
    session.add(key)
    session.flush()
    log.info("API key %s (%s) created for %s", key.id, key.prefix, user.email)
    return raw, key


def resolve_api_key(
    session: Session, raw: str, now: dt.datetime | None = None
) -> StaffUser | None:
    """Return the user of a live API key, or None (unknown, revoked, user inactive).

    ``last_used_at`` is written at most once a minute; the caller commits.
    """
    if not raw or not raw.startswith(API_KEY_PREFIX):
        return None
    now = now or utcnow()
    found = session.execute(
        select(ApiKey, StaffUser)
        .join(StaffUser, ApiKey.user_id == StaffUser.id)
        .where(ApiKey.key_hash == token_hash(raw))
    ).first()
    if found is None:
        return None
    key, user = found
    if key.revoked_at is not None or not user.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_INTERVAL:
        key.last_used_at = now
        session.flush()
    return user


def list_api_keys(session: Session, user: StaffUser | None = None) -> list[ApiKey]:
    """Return the API keys of ``user`` (None: everyone's), revoked ones included."""
    query = select(ApiKey).options(joinedload(ApiKey.user))
    if user is not None:
        query = query.where(ApiKey.user_id == user.id)
    return list(session.scalars(query.order_by(ApiKey.created_at, ApiKey.id)))


def revoke_api_key(
    session: Session, key_id: int, actor: StaffUser | None = None
) -> ApiKey:
    """Revoke an API key; an ``actor`` who is not an admin may only revoke their own.

    Another user's key is reported as unknown to a non-admin actor.
    """
    key = session.get(ApiKey, key_id)
    if key is None or not (
        actor is None or actor.role == "admin" or key.user_id == actor.id
    ):
        raise UserError(f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
        log.info("API key %s (%s) revoked", key.id, key.prefix)
    return key


def _revoke_api_keys(session: Session, user: StaffUser) -> int:
    """Revoke every live API key of ``user``; count them."""
    result = session.execute(
        update(ApiKey)
        .where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    count: int = result.rowcount  # type: ignore[attr-defined]
    return count
