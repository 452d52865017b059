"""Fixtures of the briefing tests; the content tests' fixtures start with ``content_``.

``content_company`` is a small crafted company around ``DAY`` (the briefing's local
date; it reports on ``YESTERDAY``): one movement of each kind yesterday, a churn,
renewals due and overdue, tasks due and overdue, and one health band fall, spread
over an executive, a manager of team East (CSMs Ann and Bo) and Cy of team West.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tenure.health.models import HealthSnapshot
from tenure.revenue.models import AccountRevenue, MrrMovement
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team
from tenure.tasks.service import create_task
from tests.health.conftest import Company

DAY = dt.date(2026, 12, 4)
YESTERDAY = DAY - dt.timedelta(days=1)


def content_day(offset: int) -> dt.date:
    """The day ``offset`` days after DAY (negative: before)."""
    return DAY + dt.timedelta(days=offset)


@dataclass
class ContentCompany:
    """The crafted company's people and accounts, by name."""

    company: Company
    executive: StaffUser
    manager: StaffUser
    ann: StaffUser
    bo: StaffUser
    cy: StaffUser
    accounts: dict[str, int]
    tasks: dict[str, int]

    @property
    def session(self) -> Session:
        """The open session of the company."""
        return self.company.session


def _person(company: Company, email: str, role: str, team: int | None) -> StaffUser:
    user = company.session.get(StaffUser, company.staff(email))
    assert user is not None
    user.role = role
    user.team_id = team
    return user


def _teams(company: Company) -> tuple[int, int]:
    east, west = Team(name="East"), Team(name="West")
    company.session.add_all([east, west])
    company.session.flush()
    return east.id, west.id


def _churned(company: Company, external_id: str, owner: int, amount: int) -> int:
    """A customer since last year who churned yesterday."""
    account = company.customer(external_id, mrr=amount, owner_id=owner)
    company.movement(account, YESTERDAY, "churn", -amount, 0)
    revenue = company.session.get(AccountRevenue, account)
    assert revenue is not None
    revenue.mrr_minor, revenue.active = 0, False
    return account


def _moved(
    company: Company, external_id: str, owner: int, kind: str, amount: int
) -> int:
    """A customer of 100.00 whose MRR moved by ``amount`` yesterday."""
    account = company.customer(external_id, mrr=10_000, owner_id=owner)
    company.movement(account, YESTERDAY, kind, amount, 10_000 + amount)
    revenue = company.session.get(AccountRevenue, account)
    assert revenue is not None
    revenue.mrr_minor = 10_000 + amount
    return account


@pytest.fixture
def content_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend, reporting in USD in UTC; rolled back after."""
    with factory() as opened:
        set_value(opened, "reporting_currency", "USD")
        set_value(opened, "timezone", "UTC")
        yield opened
        opened.rollback()


@pytest.fixture
def content_company(content_session: Session) -> ContentCompany:
    """The crafted company (see the module's docstring), flushed, not committed."""
    company = Company(content_session)
    session = content_session
    east, west = _teams(company)
    executive = _person(company, "exec@example.com", "executive", None)
    manager = _person(company, "lead@example.com", "manager", east)
    ann = _person(company, "ann@example.com", "csm", east)
    bo = _person(company, "bo@example.com", "csm", east)
    cy = _person(company, "cy@example.com", "csm", west)
    session.get_one(Team, east).manager_id = manager.id
    session.flush()

    accounts = {
        "new": company.customer(
            "ANN-NEW", mrr=50_000, since=YESTERDAY, owner_id=ann.id
        ),
        "expansion": _moved(company, "ANN-EXP", ann.id, "expansion", 12_300),
        "reactivation": company.customer(
            "BO-BACK", mrr=20_000, since=YESTERDAY, owner_id=bo.id
        ),
        "churn": _churned(company, "ANN-GONE", ann.id, 30_000),
        "contraction": _moved(company, "CY-DOWN", cy.id, "contraction", -4_000),
        "fx": _moved(company, "CY-FX", cy.id, "fx", 150),
    }
    # The returning customer's first movement yesterday is a reactivation.
    _reactivate(company, accounts["reactivation"])
    company.renewal(accounts["expansion"], content_day(10))
    company.renewal(accounts["contraction"], content_day(20))
    company.renewal(accounts["new"], content_day(-3))
    company.renewal(accounts["fx"], content_day(45))
    company.renewal(accounts["reactivation"], content_day(5), outcome="renewed")

    tasks = {}
    for name, who, due in (
        ("overdue", ann, content_day(-2)),
        ("today", ann, DAY),
        ("later", ann, content_day(3)),
        ("bo_overdue", bo, content_day(-1)),
        ("cy_overdue", cy, content_day(-1)),
    ):
        task = create_task(session, account_id=accounts["expansion"], type="risk",
                           title=f"Call about {name}", actor_id=None,
                           assignee_id=who.id, due_on=due)  # fmt: skip
        tasks[name] = task.id

    for account, before, after in (
        (accounts["expansion"], "green", "red"),
        (accounts["contraction"], "yellow", "red"),
        (accounts["fx"], "yellow", "green"),
    ):
        session.add(HealthSnapshot(account_id=account, as_of=content_day(-3),
                                   band=before, score=75.0))  # fmt: skip
        session.add(HealthSnapshot(account_id=account, as_of=YESTERDAY,
                                   band=after, score=30.0))  # fmt: skip
    session.flush()
    return ContentCompany(company, executive, manager, ann, bo, cy, accounts, tasks)


def _reactivate(company: Company, account: int) -> None:
    """Turn the account's first movement into a return after an earlier churn."""
    query = select(MrrMovement).where(MrrMovement.account_id == account)
    movement = company.session.scalars(query).one()
    movement.kind = "reactivation"
    company.session.flush()
