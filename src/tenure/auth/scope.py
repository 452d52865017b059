"""Who is asking (Principal), what their role allows and which accounts they see.

Data scope by role: admins, executives and viewers see every account (viewers
change nothing); a CSM sees the accounts they own; a manager sees the accounts
owned by anyone in the teams they manage or belong to, and their own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.staff.models import StaffUser, Team

log = logging.getLogger(__name__)

# Which roles may do what; "read" is every role.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset({"admin", "executive", "manager", "csm", "viewer"}),
    "write_accounts": frozenset({"admin", "manager", "csm"}),
    "manage_users": frozenset({"admin"}),
    "manage_settings": frozenset({"admin"}),
    "own_api_keys": frozenset({"admin", "executive", "manager", "csm", "viewer"}),
    "manage_api_keys": frozenset({"admin"}),
    "manage_health": frozenset({"admin"}),
    "override_health": frozenset({"admin", "manager"}),
    # Log activities, create and work tasks on accounts in scope.
    "work_tasks": frozenset({"admin", "manager", "csm"}),
    # Reassign tasks to someone else, one by one or in bulk.
    "assign_tasks": frozenset({"admin", "manager"}),
    # Define rules, playbooks, saved segments and tiers.
    "manage_operations": frozenset({"admin", "manager"}),
    # Assignment rules for new accounts and reassigning accounts in bulk.
    "manage_book": frozenset({"admin", "manager"}),
    # See team and personal performance (a CSM sees their own).
    "view_team": frozenset({"admin", "executive", "manager", "csm"}),
}
ACTIONS = tuple(PERMISSIONS)
ALL_ACCOUNT_ROLES = frozenset({"admin", "executive", "viewer"})


class Forbidden(PermissionError):
    """The principal's role does not allow the action."""


@dataclass(frozen=True)
class Principal:
    """The signed-in staff user a request acts for, detached from any session."""

    user_id: int
    email: str
    name: str
    role: str
    team_id: int | None
    locale: str | None


def principal_for(user: StaffUser) -> Principal:
    """Return the principal of ``user``."""
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        team_id=user.team_id,
        locale=user.locale,
    )


def owner_scope(session: Session, principal: Principal) -> frozenset[int] | None:
    """Return the staff ids whose accounts ``principal`` sees; None means all.

    An unknown role sees nothing.
    """
    if principal.role in ALL_ACCOUNT_ROLES:
        return None
    if principal.role == "csm":
        return frozenset({principal.user_id})
    if principal.role != "manager":
        log.warning(
            "unknown role %r of %s sees nothing", principal.role, principal.email
        )
        return frozenset()
    teams = select(Team.id).where(Team.manager_id == principal.user_id)
    in_teams: ColumnElement[bool] = StaffUser.team_id.in_(teams)
    if principal.team_id is not None:
        in_teams = or_(in_teams, StaffUser.team_id == principal.team_id)
    staff = session.scalars(select(StaffUser.id).where(in_teams))
    return frozenset({principal.user_id, *staff})


def account_ids_in_scope(
    session: Session, principal: Principal
) -> frozenset[int] | None:
    """Return the ids of the accounts ``principal`` sees; None means all."""
    owners = owner_scope(session, principal)
    if owners is None:
        return None
    if not owners:
        return frozenset()
    query = select(Account.id).where(Account.owner_id.in_(sorted(owners)))
    return frozenset(session.scalars(query))


def account_filter(session: Session, principal: Principal) -> ColumnElement[bool]:
    """Return a condition on ``Account`` keeping the accounts ``principal`` sees."""
    owners = owner_scope(session, principal)
    if owners is None:
        return true()
    return Account.owner_id.in_(sorted(owners))


def can(principal: Principal, action: str) -> bool:
    """Tell whether ``principal``'s role allows ``action`` (one of ACTIONS)."""
    try:
        roles = PERMISSIONS[action]
    except KeyError:
        raise ValueError(
            f"unknown action '{action}'; actions: {', '.join(ACTIONS)}"
        ) from None
    return principal.role in roles


def require(principal: Principal, action: str) -> None:
    """Raise Forbidden unless ``principal``'s role allows ``action``."""
    if not can(principal, action):
        log.info("%s (%s) may not %s", principal.email, principal.role, action)
        raise Forbidden(f"the {principal.role} role may not {action}")
