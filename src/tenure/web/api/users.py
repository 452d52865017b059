"""Staff users, for admins: list, create, change role, disable and enable."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from tenure.auth import service as auth
from tenure.auth.passwords import PasswordPolicyError
from tenure.staff.models import ROLES, StaffUser
from tenure.web.api.deps import Caller, Db, TenureJSON, allow, not_found, unprocessable

log = logging.getLogger(__name__)

router = APIRouter(tags=["users"], default_response_class=TenureJSON)

ROLE_PATTERN = f"^({'|'.join(ROLES)})$"


class NewUser(BaseModel):
    """A staff user to create."""

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern=ROLE_PATTERN)
    team: str | None = Field(default=None, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


class UserChange(BaseModel):
    """A change to a staff user: a new role, or enabling and disabling."""

    role: str | None = Field(default=None, pattern=ROLE_PATTERN)
    active: bool | None = None


def _row(user: StaffUser) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "team_id": user.team_id,
        "active": user.is_active,
        "locked_until": user.locked_until,
    }


@router.get("/users")
def list_users(principal: Caller, session: Db) -> list[dict[str, Any]]:
    """Every staff user."""
    allow(principal, "manage_users")
    return [_row(user) for user in auth.list_users(session)]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(new: NewUser, principal: Caller, session: Db) -> dict[str, Any]:
    """Create a staff user who can sign in."""
    allow(principal, "manage_users")
    try:
        user = auth.create_user(
            session, new.email, new.name, new.role, new.password, new.team
        )
    except (auth.UserError, PasswordPolicyError) as exc:
        raise unprocessable(str(exc)) from None
    session.flush()
    return _row(user)


@router.patch("/users/{email}")
def change_user(
    email: str, change: UserChange, principal: Caller, session: Db
) -> dict[str, Any]:
    """Change a staff user's role, or disable or enable them."""
    allow(principal, "manage_users")
    try:
        user = auth.get_user(session, email)
        if change.role is not None:
            user = auth.set_role(session, email, change.role)
        if change.active is False:
            user = auth.disable_user(session, email)
        elif change.active is True:
            user = auth.enable_user(session, email)
    except auth.UserError as exc:
        raise not_found(str(exc)) from None
    return _row(user)
