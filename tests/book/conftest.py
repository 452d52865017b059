"""A small company for the book tests, on both backends.

The staff and the session come from the task tests' builder (an admin, a
viewer, a manager leading ``csm`` and ``teammate`` in team East, an outsider in
team West); accounts here carry the fields assignment rules test, and MRR.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.auth.scope import Principal
from tenure.billing.models import Plan
from tenure.book import rules
from tenure.book.models import AssignmentRule
from tenure.notifications.models import Notification
from tenure.revenue.models import AccountRevenue
from tenure.staff.models import StaffUser, Team
from tenure.timeline.models import Activity
from tests.tasks.conftest import TODAY, Org, People, org, people, session

__all__ = [
    "TODAY",
    "Book",
    "Org",
    "People",
    "book",
    "counts",
    "org",
    "people",
    "session",
]


@dataclass
class Book:
    """Adds accounts with fields and MRR, and assignment rules, to one session."""

    session: Session
    org: Org
    people: People

    def account(
        self,
        external_id: str,
        owner: Principal | None = None,
        *,
        mrr: int = 0,
        plan: str | None = None,
        created: dt.date | None = None,
        **fields: Any,
    ) -> int:
        """Add an account (region, industry, tier, size in ``fields``) and its MRR."""
        account = Account(
            external_id=external_id,
            name=f"{external_id} Ltd",
            owner_id=owner.user_id if owner else None,
            source_created_at=created,
            **fields,
        )
        self.session.add(account)
        self.session.flush()
        plan_id = None
        if plan is not None:
            found = self.session.scalar(select(Plan).where(Plan.external_id == plan))
            if found is None:
                found = Plan(external_id=plan, name=plan)
                self.session.add(found)
                self.session.flush()
            plan_id = found.id
        self.session.add(
            AccountRevenue(
                account_id=account.id,
                mrr_minor=mrr,
                active=mrr > 0,
                plan_id=plan_id,
                currency="USD",
            )
        )
        self.session.flush()
        return account.id

    def owned_since(self, account_id: int, owner: Principal, start: dt.date) -> None:
        """Give an account an open owner history row from ``start``."""
        self.session.add(
            AccountOwnerHistory(
                account_id=account_id, owner_id=owner.user_id, start_date=start
            )
        )
        self.session.flush()

    def rule(self, name: str, **spec: Any) -> AssignmentRule:
        """Add an assignment rule."""
        return rules.create_rule(self.session, {"name": name, **spec})

    def team_id(self, name: str) -> int:
        """The id of the team called ``name``."""
        found = self.session.scalar(select(Team.id).where(Team.name == name))
        assert found is not None
        return found

    def deactivate(self, person: Principal) -> None:
        """Disable a staff user."""
        user = self.session.get(StaffUser, person.user_id)
        assert user is not None
        user.is_active = False
        self.session.flush()

    def owner(self, external_id: str) -> int | None:
        """The account's owner now."""
        return self.session.scalar(
            select(Account.owner_id).where(Account.external_id == external_id)
        )

    def history(
        self, external_id: str
    ) -> list[tuple[int | None, dt.date, dt.date | None]]:
        """The account's owner history rows, oldest first."""
        statement = (
            select(
                AccountOwnerHistory.owner_id,
                AccountOwnerHistory.start_date,
                AccountOwnerHistory.end_date,
            )
            .join(Account, Account.id == AccountOwnerHistory.account_id)
            .where(Account.external_id == external_id)
            .order_by(AccountOwnerHistory.start_date)
        )
        return [(row[0], row[1], row[2]) for row in self.session.execute(statement)]

    def notices(self, person: Principal) -> list[Notification]:
        """The person's notifications, oldest first."""
        return list(
            self.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.user_id)
                .order_by(Notification.id)
            )
        )

    def entries(self, external_id: str) -> list[str]:
        """The subjects of the account's system timeline entries, oldest first."""
        statement = (
            select(Activity.subject)
            .join(Account, Account.id == Activity.account_id)
            .where(Account.external_id == external_id, Activity.kind == "system")
            .order_by(Activity.id)
        )
        return list(self.session.scalars(statement))


def counts(session: Session) -> dict[str, int]:
    """How many rows the writes of the book touch, to check that nothing changed."""
    session.flush()
    tables = {
        "history": AccountOwnerHistory,
        "activities": Activity,
        "notifications": Notification,
    }
    found = {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in tables.items()
    }
    owned = select(func.count()).where(Account.owner_id.is_not(None))
    found["owned"] = session.scalar(owned) or 0
    return found


@pytest.fixture
def book(session: Session, org: Org, people: People) -> Book:
    """The book builder over the test's session and people."""
    return Book(session, org, people)
