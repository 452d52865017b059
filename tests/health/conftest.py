"""Build small companies for the health tests, on both backends.

Rows go in through the ORM: accounts, MRR movements (which decide who is a customer
on a day), renewal terms, daily usage and staff. Days are fixed, not today's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.revenue.models import AccountRevenue, MrrMovement, RenewalTerm
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser
from tenure.usage.models import UsageDaily

AS_OF = dt.date(2026, 6, 30)


def days_before(days: int, day: dt.date = AS_OF) -> dt.date:
    """The day ``days`` before ``day``."""
    return day - dt.timedelta(days=days)


@dataclass
class Company:
    """Adds rows to one open session; the test commits or scores with it."""

    session: Session

    def staff(self, email: str) -> int:
        """Add a staff user and return its id."""
        user = StaffUser(email=email, name=email.split("@")[0].title())
        self.session.add(user)
        self.session.flush()
        return user.id

    def account(self, external_id: str, **fields: Any) -> int:
        """Add an account (not yet a customer) and return its id."""
        account = Account(external_id=external_id, name=external_id, **fields)
        self.session.add(account)
        self.session.flush()
        return account.id

    def customer(
        self,
        external_id: str,
        mrr: int = 10_000,
        since: dt.date = dt.date(2025, 1, 1),
        **fields: Any,
    ) -> int:
        """Add an account that became a customer on ``since`` with ``mrr`` (cents)."""
        account = self.account(external_id, **fields)
        self.movement(account, since, "new", mrr, mrr)
        self.session.add(
            AccountRevenue(
                account_id=account,
                mrr_minor=mrr,
                active=mrr > 0,
                first_revenue_date=since,
                currency="USD",
            )
        )
        self.session.flush()
        return account

    def movement(
        self, account: int, day: dt.date, kind: str, amount: int, after: int
    ) -> None:
        """Add an MRR movement leaving the account at ``after`` cents."""
        self.session.add(
            MrrMovement(
                account_id=account,
                date=day,
                kind=kind,
                amount_minor=amount,
                mrr_after_minor=after,
            )
        )
        self.session.flush()

    def renewal(self, account: int, due: dt.date, outcome: str = "open") -> None:
        """Add a renewal term falling due on ``due``."""
        self.session.add(
            RenewalTerm(
                account_id=account,
                source="contract",
                source_external_id=f"C-{account}-{due}",
                term_start=due - dt.timedelta(days=364),
                due_date=due,
                due_amount_minor=120_000,
                outcome=outcome,
            )
        )
        self.session.flush()

    def usage(
        self,
        account: int,
        day: dt.date,
        active_users: int,
        events: int | None = None,
        features_used: int = 1,
        event_counts: dict[str, int] | None = None,
    ) -> None:
        """Add one day of usage."""
        self.session.add(
            UsageDaily(
                account_id=account,
                day=day,
                active_users=active_users,
                events=active_users * 10 if events is None else events,
                features_used=features_used,
                event_counts=event_counts or {},
                last_seen_at=utcnow(),
            )
        )

    def daily(
        self, account: int, first: dt.date, last: dt.date, active_users: int
    ) -> None:
        """Add the same usage on every day from ``first`` to ``last`` inclusive."""
        day = first
        while day <= last:
            self.usage(account, day, active_users)
            day += dt.timedelta(days=1)
        self.session.flush()


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend, reporting in USD in UTC; closed afterwards."""
    with factory() as opened:
        set_value(opened, "reporting_currency", "USD")
        set_value(opened, "timezone", "UTC")
        yield opened
        opened.rollback()


@pytest.fixture
def company(session: Session) -> Company:
    """A company builder over the test's session."""
    return Company(session)
