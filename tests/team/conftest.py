"""A small company of two teams for the team figures, with one reassignment.

North (manager Mia) has Ann and Bob; South (manager Sam) has Cy. Account A-1 was
Ann's until 15 March 2026 and is Bob's since; days are fixed in early 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tenure.accounts.models import AccountOwnerHistory
from tenure.auth.scope import Principal, principal_for
from tenure.health.models import HealthSnapshot
from tenure.revenue.models import AccountRevenue, RenewalTerm
from tenure.staff.models import StaffUser, Team
from tenure.tasks.service import create_task
from tests.health.conftest import Company, company, session

__all__ = ["company", "session"]

D = dt.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))
HANDOVER = D(2026, 3, 15)


@dataclass(frozen=True)
class Firm:
    """The ids of the two-team company's people, teams and accounts."""

    session: Session
    people: dict[str, int]
    teams: dict[str, int]
    accounts: dict[str, int]

    def principal(self, name: str) -> Principal:
        """The principal of one of the people."""
        user = self.session.get(StaffUser, self.people[name])
        assert user is not None
        return principal_for(user)


def _person(session: Session, name: str, role: str, team: int | None) -> int:
    user = StaffUser(
        email=f"{name}@example.com", name=name.title(), role=role, team_id=team
    )
    session.add(user)
    session.flush()
    return user.id


def _term(
    session: Session, account: int, due: dt.date, outcome: str, renewed: int = 0
) -> None:
    session.add(
        RenewalTerm(
            account_id=account, source="contract",
            source_external_id=f"C-{account}-{due}", term_start=due.replace(year=2025),
            due_date=due, due_amount_minor=1_200_000, outcome=outcome,
            renewed_amount_minor=renewed,
        )
    )  # fmt: skip


def build(company: Company) -> Firm:
    """Add the two teams, their accounts, movements, terms, tasks and health."""
    session = company.session
    teams = {"north": Team(name="North"), "south": Team(name="South")}
    session.add_all(teams.values())
    session.flush()
    north, south = teams["north"].id, teams["south"].id
    people = {
        "mia": _person(session, "mia", "manager", north),
        "ann": _person(session, "ann", "csm", north),
        "bob": _person(session, "bob", "csm", north),
        "sam": _person(session, "sam", "manager", south),
        "cy": _person(session, "cy", "csm", south),
        "eve": _person(session, "eve", "executive", None),
        "val": _person(session, "val", "viewer", None),
    }
    teams["north"].manager_id, teams["south"].manager_id = people["mia"], people["sam"]
    ann, bob, cy = people["ann"], people["bob"], people["cy"]
    a1 = company.customer("A-1", mrr=100_000, since=D(2026, 1, 5), owner_id=bob)
    company.movement(a1, D(2026, 3, 10), "expansion", 20_000, 120_000)
    company.movement(a1, HANDOVER, "contraction", -10_000, 110_000)
    session.add_all(
        [
            AccountOwnerHistory(
                account_id=a1, owner_id=ann, start_date=D(2026, 1, 1),
                end_date=HANDOVER,
            ),
            AccountOwnerHistory(account_id=a1, owner_id=bob, start_date=HANDOVER),
        ]
    )  # fmt: skip
    a2 = company.customer(
        "A-2", mrr=50_000, since=D(2026, 2, 1), owner_id=ann, size="SMB", tier="Key"
    )
    a3 = company.customer("A-3", mrr=80_000, since=D(2026, 1, 10), owner_id=cy)
    company.movement(a3, D(2026, 3, 20), "churn", -80_000, 0)
    a4 = company.customer("A-4", mrr=30_000, since=D(2026, 1, 1))
    # Today's revenue summary after the movements above.
    session.get_one(AccountRevenue, a1).mrr_minor = 110_000
    gone = session.get_one(AccountRevenue, a3)
    gone.mrr_minor, gone.active = 0, False
    _term(session, a1, D(2026, 3, 10), "upsell", renewed=1_440_000)
    _term(session, a1, D(2026, 3, 25), "open")
    _term(session, a3, D(2026, 3, 18), "churned")
    late = create_task(
        session, account_id=a2, type="risk", title="Call about usage",
        actor_id=None, assignee_id=ann, due_on=D(2026, 2, 1),
    )  # fmt: skip
    done = create_task(
        session, account_id=a1, type="follow_up", title="Welcome the new owner",
        actor_id=None, assignee_id=bob, due_on=D(2026, 3, 16),
    )  # fmt: skip
    done.status, done.completed_by_id = "done", bob
    done.completed_at = dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC)
    assert late.id
    for account, band in ((a1, "green"), (a2, "red"), (a3, "red")):
        session.add(HealthSnapshot(account_id=account, as_of=D(2026, 3, 31), band=band))
    session.flush()
    return Firm(
        session,
        people,
        {"north": north, "south": south},
        {"A-1": a1, "A-2": a2, "A-3": a3, "A-4": a4},
    )


@pytest.fixture
def firm(company: Company) -> Firm:
    """The two-team company on the test's backend."""
    return build(company)
