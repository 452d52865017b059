"""API keys: shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth import service as auth
from tenure.auth.models import ApiKey

from .conftest import T0


def test_key_is_shown_once_and_stored_as_a_hash(session: Session) -> None:
    user = auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    raw, key = auth.create_api_key(session, user, "reporting")
    assert raw.startswith("tnr_") and len(raw) > 40
    assert key.prefix == raw[:12]
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (key.user_id, key.name, key.revoked_at, key.last_used_at) == (
        user.id,
        "reporting",
        None,
        None,
    )
    stored = session.execute(select(ApiKey.__table__)).one()
    assert raw not in [str(value) for value in stored]


def test_resolve_records_use_at_most_once_a_minute(session: Session) -> None:
    user = auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    raw, key = auth.create_api_key(session, user)
    assert key.name == "default"
    assert auth.resolve_api_key(session, raw, now=T0) is user
    assert key.last_used_at == T0
    auth.resolve_api_key(session, raw, now=T0 + dt.timedelta(seconds=30))
    assert key.last_used_at == T0
    later = T0 + dt.timedelta(minutes=1)
    auth.resolve_api_key(session, raw, now=later)
    assert key.last_used_at == later


@pytest.mark.parametrize("raw", ["", "tnr_", "tnr_unknown", "not a key"])
def test_unknown_keys_resolve_to_nobody(session: Session, raw: str) -> None:
    user = auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    auth.create_api_key(session, user)
    assert auth.resolve_api_key(session, raw) is None


def test_revoked_keys_and_disabled_users_resolve_to_nobody(session: Session) -> None:
    auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    ann = auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    revoked, key = auth.create_api_key(session, ann, "old")
    kept, _ = auth.create_api_key(session, ann, "new")
    assert auth.revoke_api_key(session, key.id).revoked_at is not None
    assert auth.resolve_api_key(session, revoked) is None
    assert auth.resolve_api_key(session, kept) is ann

    auth.disable_user(session, "ann@example.com")
    assert auth.resolve_api_key(session, kept) is None
    assert all(k.revoked_at is not None for k in auth.list_api_keys(session, ann))
    with pytest.raises(auth.UserError, match="disabled"):
        auth.create_api_key(session, ann)


def test_list_and_revoke_respect_the_owner(session: Session) -> None:
    admin = auth.create_user(session, "admin@example.com", "Ada", "admin", None)
    ann = auth.create_user(session, "ann@example.com", "Ann", "csm", None)
    bob = auth.create_user(session, "bob@example.com", "Bob", "viewer", None)
    _, ann_key = auth.create_api_key(session, ann, "ann's")
    _, bob_key = auth.create_api_key(session, bob, "bob's")

    assert [k.name for k in auth.list_api_keys(session)] == ["ann's", "bob's"]
    assert [k.name for k in auth.list_api_keys(session, bob)] == ["bob's"]
    assert auth.list_api_keys(session, admin) == []

    with pytest.raises(auth.UserError, match=f"no API key with id {ann_key.id}"):
        auth.revoke_api_key(session, ann_key.id, actor=bob)
    assert ann_key.revoked_at is None
    assert auth.revoke_api_key(session, bob_key.id, actor=bob) is bob_key
    assert auth.revoke_api_key(session, ann_key.id, actor=admin).revoked_at is not None
    with pytest.raises(auth.UserError, match="no API key with id 0"):
        auth.revoke_api_key(session, 0)
