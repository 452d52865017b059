"""Sign-in, sign-out, the caller's profile, password change and own API keys."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field

from tenure.auth import service as auth
from tenure.auth.passwords import PasswordPolicyError
from tenure.auth.scope import Principal
from tenure.web import signin
from tenure.web.api.deps import Caller, Db, TenureJSON, allow, not_found, unprocessable

log = logging.getLogger(__name__)

router = APIRouter(tags=["sign-in"], default_response_class=TenureJSON)


class Credentials(BaseModel):
    """An email and password to sign in with."""

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class PasswordChange(BaseModel):
    """The current password and the new one."""

    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class KeyRequest(BaseModel):
    """A name for a new API key, to tell keys apart."""

    name: str = Field(default="default", min_length=1, max_length=200)


class Me(BaseModel):
    """The signed-in staff user."""

    email: str
    name: str
    role: str
    team_id: int | None
    locale: str | None


def _me(principal: Principal) -> Me:
    return Me(
        email=principal.email,
        name=principal.name,
        role=principal.role,
        team_id=principal.team_id,
        locale=principal.locale,
    )


@router.post("/auth/login", response_model=Me)
def login(credentials: Credentials) -> Me:
    """Sign in this browser session (the pages use the same session)."""
    try:
        principal = signin.sign_in(credentials.email, credentials.password)
    except auth.AccountLocked as exc:
        raise HTTPException(status.HTTP_423_LOCKED, exc.message) from None
    except auth.AccountDisabled as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, exc.message) from None
    except auth.AuthError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, exc.message) from None
    return _me(principal)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout() -> Response:
    """End this browser session."""
    signin.sign_out()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/auth/me", response_model=Me)
def me(principal: Caller) -> Me:
    """Who is calling: the signed-in user or the API key's user."""
    return _me(principal)


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(change: PasswordChange, principal: Caller, session: Db) -> Response:
    """Change the caller's password; their other sessions end."""
    user = auth.get_user(session, principal.email)
    try:
        auth.change_password(
            session,
            user,
            change.current_password,
            change.new_password,
            keep_token=signin.session_token(),
        )
    except auth.InvalidCredentials:
        raise unprocessable("current_password: the current password is wrong") from None
    except (PasswordPolicyError, auth.UserError) as exc:
        raise unprocessable(f"new_password: {exc}") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _key_row(key: Any) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked": key.revoked_at is not None,
    }


@router.get("/apikeys", tags=["API keys"])
def list_keys(principal: Caller, session: Db) -> list[dict[str, Any]]:
    """List the caller's API keys (never the keys themselves)."""
    allow(principal, "own_api_keys")
    user = auth.get_user(session, principal.email)
    return [_key_row(key) for key in auth.list_api_keys(session, user)]


@router.post("/apikeys", tags=["API keys"], status_code=status.HTTP_201_CREATED)
def create_key(request: KeyRequest, principal: Caller, session: Db) -> dict[str, Any]:
    """Create an API key for the caller; the response is the only time it is shown."""
    allow(principal, "own_api_keys")
    user = auth.get_user(session, principal.email)
    raw, key = auth.create_api_key(session, user, request.name)
    session.flush()
    return {**_key_row(key), "key": raw}


@router.delete(
    "/apikeys/{key_id}", tags=["API keys"], status_code=status.HTTP_204_NO_CONTENT
)
def revoke_key(key_id: int, principal: Caller, session: Db) -> Response:
    """Revoke one of the caller's API keys (an admin may revoke anyone's)."""
    allow(principal, "own_api_keys")
    user = auth.get_user(session, principal.email)
    try:
        auth.revoke_api_key(session, key_id, actor=user)
    except auth.UserError:
        raise not_found(f"no API key {key_id} of yours") from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)
