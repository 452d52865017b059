"""A small organisation for the task and timeline tests, on both backends.

Staff with roles and teams, accounts with owners, tasks made through the task
area's own ``create_task``. Rows go in through one open session, flushed, never
committed unless a test needs another connection (the command line) to see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account, Contact
from tenure.auth.scope import Principal, principal_for
from tenure.revenue.models import MrrMovement
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team
from tenure.tasks.models import Task
from tenure.tasks.service import create_task

TODAY = dt.date(2026, 3, 16)


@dataclass
class Org:
    """Adds staff, accounts and tasks to one open session."""

    session: Session

    def team(self, name: str, manager: Principal | None = None) -> int:
        """Add a team (led by ``manager``) and return its id."""
        team = Team(name=name, manager_id=manager.user_id if manager else None)
        self.session.add(team)
        self.session.flush()
        return team.id

    def user(self, email: str, role: str = "csm", team: int | None = None) -> Principal:
        """Add an active staff user and return them as a principal."""
        name = email.split("@")[0].title()
        user = StaffUser(email=email, name=name, role=role, team_id=team)
        self.session.add(user)
        self.session.flush()
        return principal_for(user)

    def account(self, external_id: str, owner: Principal | None = None) -> int:
        """Add an account owned by ``owner`` and return its id."""
        account = Account(
            external_id=external_id,
            name=f"{external_id} Ltd",
            owner_id=owner.user_id if owner else None,
        )
        self.session.add(account)
        self.session.flush()
        return account.id

    def contact(self, account_id: int, name: str) -> int:
        """Add a contact at an account and return its id."""
        contact = Contact(account_id=account_id, name=name)
        self.session.add(contact)
        self.session.flush()
        return contact.id

    def task(self, account_id: int, title: str = "Call them", **fields: Any) -> Task:
        """Add an open task (type follow_up unless given) as Tenure would."""
        values: dict[str, Any] = {"type": "follow_up", "actor_id": None, **fields}
        if "assignee_id" not in fields:
            values["assignee_id"] = self.session.get(Account, account_id).owner_id
        return create_task(self.session, account_id=account_id, title=title, **values)

    def movement(self, account_id: int, day: dt.date, kind: str, after: int) -> None:
        """Add an MRR movement leaving the account at ``after`` cents."""
        self.session.add(
            MrrMovement(
                account_id=account_id,
                date=day,
                kind=kind,
                amount_minor=after,
                mrr_after_minor=after,
            )
        )
        self.session.flush()


@dataclass
class People:
    """The usual cast: an admin, a viewer, a manager with two CSMs, an outsider."""

    admin: Principal
    viewer: Principal
    manager: Principal
    csm: Principal
    teammate: Principal
    outsider: Principal


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend in UTC; rolled back and closed afterwards."""
    with factory() as opened:
        set_value(opened, "reporting_currency", "USD")
        set_value(opened, "timezone", "UTC")
        yield opened
        opened.rollback()


@pytest.fixture
def org(session: Session) -> Org:
    """An organisation builder over the test's session."""
    return Org(session)


@pytest.fixture
def people(org: Org) -> People:
    """Staff of every kind; the manager leads the team of ``csm`` and ``teammate``."""
    manager = org.user("maya@example.com", "manager")
    east = org.team("East", manager)
    west = org.team("West")
    return People(
        admin=org.user("ada@example.com", "admin"),
        viewer=org.user("vic@example.com", "viewer"),
        manager=manager,
        csm=org.user("cam@example.com", "csm", east),
        teammate=org.user("tom@example.com", "csm", east),
        outsider=org.user("oz@example.com", "csm", west),
    )
