"""A small company for the customer-list and customer-360 tests, on both backends.

Six accounts, dated relative to today so that "the current month" is real:

| id | name | owner | status | MRR (USD) |
| --- | --- | --- | --- | --- |
| A1 | Acme Retail | alice | active (subscription + renewed contract) | 400 |
| A2 | 北京云科技有限公司 | alice | active again after a gap | 700 |
| A3 | Beta Schools | bob | active (annual) | 100 |
| A4 | Delta Health | bob | churned | 0 |
| A5 | Echo Prospect | nobody | prospect | 0 |
| A6 | Gamma_100% Labs | carol | active, outside the team's scope | 50 |
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from tenure.accounts.models import Account, Contact
from tenure.db.session import transaction
from tenure.imports.service import import_rows
from tenure.revenue.calendar import ONE_DAY, add_months, month_start
from tenure.revenue.loading import today as configured_today
from tenure.revenue.service import rebuild
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

ALICE = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"


@dataclass(frozen=True)
class Company:
    """The built company: its session factory, today, and the owners' staff ids."""

    factory: sessionmaker[Session]
    today: dt.date
    alice: int
    bob: int
    carol: int

    @property
    def team(self) -> frozenset[int]:
        """The scope of a manager of Alice and Bob (not Carol)."""
        return frozenset({self.alice, self.bob})

    def month(self, offset: int) -> dt.date:
        """The first day of the month ``offset`` months from the current one."""
        return add_months(month_start(self.today), offset)


def _iso(day: dt.date) -> str:
    return day.isoformat()


def account_rows(month: dt.date) -> list[dict[str, str]]:
    """The accounts file of the company; ``month`` is the current month's first day."""

    def m(offset: int) -> str:
        return _iso(add_months(month, offset))

    return [
        {"account_id": "A1", "name": "Acme Retail", "industry": "Retail",
         "region": "East", "size": "SMB", "tier": "Key", "tags": "vip;api",
         "owner_email": ALICE, "created_at": m(-15), "employees": "120"},
        {"account_id": "A2", "name": "北京云科技有限公司", "industry": "Internet",
         "region": "North", "size": "Enterprise", "tier": "Strategic",
         "tags": "重点客户|vip", "owner_email": ALICE, "created_at": m(-9)},
        {"account_id": "A3", "name": "Beta Schools", "industry": "Education",
         "region": "West", "size": "SMB", "tags": "api", "owner_email": BOB,
         "created_at": m(-3)},
        {"account_id": "A4", "name": "Delta Health", "industry": "Healthcare",
         "region": "East", "size": "Mid", "tier": "Standard", "owner_email": BOB,
         "created_at": m(-11)},
        {"account_id": "A5", "name": "Echo Prospect"},
        {"account_id": "A6", "name": "Gamma_100% Labs", "industry": "Secret",
         "region": "Hidden", "tier": "Hidden tier", "tags": "50%_off",
         "owner_email": CAROL},
    ]  # fmt: skip


def subscription_rows(month: dt.date) -> list[dict[str, str]]:
    """The subscriptions file: monthly USD amounts unless said otherwise."""

    def m(offset: int) -> str:
        return _iso(add_months(month, offset))

    def sub(sid: str, customer: str, start: str, amount: str, plan: str,
            **extra: str) -> dict[str, str]:  # fmt: skip
        row = {"subscription_id": sid, "customer_id": customer, "start_date": start,
               "currency": "USD", "interval": "month", "amount": amount,
               "plan": plan}  # fmt: skip
        row.update(extra)
        return row

    return [
        sub("S1", "A1", m(-5), "100", "basic-monthly", quantity="2"),
        sub("S2a", "A2", m(-8), "500", "pro-monthly", end_date=m(-6)),
        sub("S2b", "A2", m(-3), "700", "pro-monthly"),
        sub("S3", "A3", m(-2), "1200", "pro-annual", interval="year"),
        sub("S4", "A4", m(-10), "300", "basic-monthly", end_date=m(-4)),
        sub("S6", "A6", m(-1), "50", "hidden-plan"),
    ]


def contract_rows(month: dt.date) -> list[dict[str, str]]:
    """The contracts file: A1's one-year contract, renewed at twice the value."""

    def m(offset: int) -> str:
        return _iso(add_months(month, offset))

    def last_day_before(offset: int) -> str:
        return _iso(add_months(month, offset) - ONE_DAY)

    return [
        {"contract_id": "C1", "customer_id": "A1", "start_date": m(-14),
         "end_date": last_day_before(-2), "amount": "1200", "currency": "USD",
         "one_time_amount": "300", "signed_date": m(-14)},
        {"contract_id": "C2", "customer_id": "A1", "start_date": m(-2),
         "end_date": last_day_before(10), "amount": "2400", "currency": "USD",
         "renews_contract_id": "C1", "forecast_renewal_amount": "2400"},
    ]  # fmt: skip


def build_company(factory: sessionmaker[Session]) -> Company:
    """Load the company through the importers and rebuild its revenue facts."""
    with transaction(factory) as session:
        set_value(session, "reporting_currency", "USD")
        set_value(session, "timezone", "UTC")
        today = configured_today(session)
        month = month_start(today)
        session.add_all(
            [
                StaffUser(email=ALICE, name="Alice Archer"),
                StaffUser(email=BOB, name="Bob Brown"),
                StaffUser(email=CAROL, name="Carol Chen"),
            ]
        )
        session.flush()
        for kind, rows in (
            ("accounts", account_rows(month)),
            ("subscriptions", subscription_rows(month)),
            ("contracts", contract_rows(month)),
        ):
            import_rows(
                session, kind, rows, source=f"{kind}.csv", default_currency="USD"
            )
        a1 = session.scalar(select(Account.id).where(Account.external_id == "A1"))
        assert a1 is not None
        session.add_all(
            [
                Contact(account_id=a1, name="Adam Ames", email="adam@acme.example"),
                Contact(
                    account_id=a1,
                    name="Zoe Zhang",
                    email="zoe@acme.example",
                    phone="+86 21 5555 0100",
                    title="CFO",
                    is_primary=True,
                ),
            ]
        )
        rebuild(session)
        found = session.execute(select(StaffUser.email, StaffUser.id))
        staff = {email: staff_id for email, staff_id in found}
    return Company(factory, today, staff[ALICE], staff[BOB], staff[CAROL])


@pytest.fixture
def company(factory: sessionmaker[Session]) -> Company:
    """The six-account company on the test's backend."""
    return build_company(factory)


@pytest.fixture
def session(company: Company) -> Iterator[Session]:
    """A session over the company's database, closed afterwards."""
    with company.factory() as opened:
        yield opened


class StatementCounter:
    """Counts the SQL statements an engine sends while ``counting`` is active."""

    def __init__(self, engine: Engine) -> None:
        """Remember the engine to listen to."""
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, *args: object) -> None:
        self.statements.append(str(args[2]))

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        """Collect the statements sent inside the block; yield the list."""
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._count)
        try:
            yield self.statements
        finally:
            event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def statements(db_engine: Engine) -> StatementCounter:
    """A counter of the statements sent to the test's database."""
    return StatementCounter(db_engine)
