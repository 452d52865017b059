"""Data scope by role, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.scope import (
    ACTIONS,
    Forbidden,
    Principal,
    account_filter,
    account_ids_in_scope,
    can,
    owner_scope,
    principal_for,
    require,
)
from tenure.staff.models import ROLES, StaffUser, Team


@dataclass
class Org:
    """Staff and the account each of them owns."""

    staff: dict[str, StaffUser]
    accounts: dict[str, int]

    def principal(self, who: str) -> Principal:
        """Return the principal of the staff member called ``who``."""
        return principal_for(self.staff[who])

    def ids(self, *owners: str) -> frozenset[int]:
        """Return the ids of the accounts owned by ``owners``."""
        return frozenset(self.accounts[o] for o in owners)


@pytest.fixture
def org(session: Session) -> Org:
    """Mia belongs to North and leads North and South; Wes leads West; a CSM in
    each team and one in none; an admin, an executive, a viewer; one account each,
    plus one account without an owner."""
    north, south, west = Team(name="North"), Team(name="South"), Team(name="West")
    session.add_all([north, south, west])
    session.flush()
    people = {
        "mia": ("manager", north.id),
        "wes": ("manager", west.id),
        "nora": ("csm", north.id),
        "sam": ("csm", south.id),
        "will": ("csm", west.id),
        "lone": ("csm", None),
        "ada": ("admin", None),
        "eve": ("executive", None),
        "vic": ("viewer", None),
    }
    staff = {
        name: StaffUser(
            email=f"{name}@example.com",
            name=name.title(),
            role=role,
            team_id=team,
            locale="zh-CN" if name == "mia" else None,
        )
        for name, (role, team) in people.items()
    }
    session.add_all(staff.values())
    session.flush()
    # Mia leads North (her own team) and South; Wes leads West.
    north.manager_id = staff["mia"].id
    south.manager_id = staff["mia"].id
    west.manager_id = staff["wes"].id
    accounts = {
        name: Account(external_id=f"A-{name}", name=name, owner_id=user.id)
        for name, user in staff.items()
    }
    accounts["nobody"] = Account(external_id="A-none", name="none", owner_id=None)
    session.add_all(accounts.values())
    session.flush()
    return Org(staff, {name: account.id for name, account in accounts.items()})


def _visible(session: Session, principal: Principal) -> frozenset[int]:
    """Return the account ids that ``account_filter`` lets through."""
    query = select(Account.id).where(account_filter(session, principal))
    return frozenset(session.scalars(query))


def test_principal_copies_the_user(org: Org) -> None:
    mia = org.staff["mia"]
    assert org.principal("mia") == Principal(
        user_id=mia.id,
        email="mia@example.com",
        name="Mia",
        role="manager",
        team_id=mia.team_id,
        locale="zh-CN",
    )


def test_csm_sees_only_own_accounts(session: Session, org: Org) -> None:
    nora = org.principal("nora")
    assert owner_scope(session, nora) == frozenset({nora.user_id})
    assert account_ids_in_scope(session, nora) == org.ids("nora")
    assert _visible(session, nora) == org.ids("nora")


def test_manager_sees_own_team_managed_teams_and_self(
    session: Session, org: Org
) -> None:
    mia = org.principal("mia")
    expected = org.ids("mia", "nora", "sam")
    assert owner_scope(session, mia) == frozenset(
        org.staff[n].id for n in ("mia", "nora", "sam")
    )
    assert account_ids_in_scope(session, mia) == expected
    assert _visible(session, mia) == expected
    assert _visible(session, org.principal("wes")) == org.ids("wes", "will")


def test_manager_without_team_sees_own_accounts(session: Session, org: Org) -> None:
    lone = org.staff["lone"]
    lone.role = "manager"
    assert _visible(session, principal_for(lone)) == org.ids("lone")


@pytest.mark.parametrize("who", ["ada", "eve", "vic"])
def test_admin_executive_and_viewer_see_everything(
    session: Session, org: Org, who: str
) -> None:
    principal = org.principal(who)
    assert owner_scope(session, principal) is None
    assert account_ids_in_scope(session, principal) is None
    assert _visible(session, principal) == frozenset(org.accounts.values())


def test_an_unknown_role_sees_nothing(session: Session, org: Org) -> None:
    odd = Principal(org.staff["nora"].id, "x@example.com", "X", "intern", None, None)
    assert owner_scope(session, odd) == frozenset()
    assert account_ids_in_scope(session, odd) == frozenset()
    assert _visible(session, odd) == frozenset()


ALLOWED = {
    "admin": set(ACTIONS),
    "executive": {"read", "own_api_keys", "view_team"},
    "manager": {
        "read",
        "write_accounts",
        "own_api_keys",
        "override_health",
        "work_tasks",
        "assign_tasks",
        "manage_operations",
        "manage_book",
        "view_team",
    },
    "csm": {"read", "write_accounts", "own_api_keys", "work_tasks", "view_team"},
    "viewer": {"read", "own_api_keys"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(role: str, action: str) -> None:
    principal = Principal(1, "p@example.com", "P", role, None, None)
    allowed = action in ALLOWED[role]
    assert can(principal, action) is allowed
    if allowed:
        require(principal, action)
    else:
        with pytest.raises(Forbidden, match=f"the {role} role may not {action}"):
            require(principal, action)


def test_actions_cover_the_documented_ones() -> None:
    assert set(ACTIONS) >= {
        "read",
        "write_accounts",
        "manage_users",
        "manage_settings",
        "own_api_keys",
    }
    assert issubclass(Forbidden, PermissionError)


def test_an_unknown_action_is_a_programming_error() -> None:
    principal = Principal(1, "p@example.com", "P", "admin", None, None)
    with pytest.raises(ValueError, match="unknown action 'fly'"):
        can(principal, "fly")
