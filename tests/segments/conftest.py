"""Small companies for the segment, tier and watch-list tests, on both backends.

The health tests' ``Company`` builder adds accounts, MRR movements, renewal terms,
usage and staff; ``Operations`` adds what these areas also read: teams, health
snapshots and rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.auth.scope import Principal, principal_for
from tenure.health.models import HealthSnapshot
from tenure.rules.models import Rule
from tenure.settings.service import set_value
from tenure.staff.models import StaffUser, Team
from tests.health.conftest import AS_OF, Company, days_before

__all__ = ["AS_OF", "Company", "Operations", "days_before"]


@dataclass
class Operations(Company):
    """The health tests' builder, with teams, roles, health snapshots and rules."""

    def user(self, email: str, role: str = "csm", team: int | None = None) -> int:
        """Add a staff user with ``role`` (in ``team``) and return its id."""
        user = StaffUser(
            email=email, name=email.split("@")[0].title(), role=role, team_id=team
        )
        self.session.add(user)
        self.session.flush()
        return user.id

    def team(self, name: str, manager: int | None = None) -> int:
        """Add a team led by ``manager`` and return its id."""
        team = Team(name=name, manager_id=manager)
        self.session.add(team)
        self.session.flush()
        return team.id

    def principal(self, user_id: int) -> Principal:
        """The principal of staff user ``user_id``."""
        user = self.session.get(StaffUser, user_id)
        assert user is not None
        return principal_for(user)

    def health(
        self, account: int, day: dt.date, band: str, score: float | None = None
    ) -> None:
        """Add a health snapshot of ``account`` on ``day``."""
        self.session.add(
            HealthSnapshot(
                account_id=account,
                as_of=day,
                score=score,
                band=band,
                computed_score=score,
                measures=[],
            )
        )
        self.session.flush()

    def rule(self, name: str, segment_id: int | None = None) -> int:
        """Add a rule limited to a saved segment and return its id."""
        rule = Rule(name=name, trigger={}, action={}, segment_id=segment_id)
        self.session.add(rule)
        self.session.flush()
        return rule.id


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session on the test's backend, reporting in USD in UTC; closed afterwards."""
    with factory() as opened:
        set_value(opened, "reporting_currency", "USD")
        set_value(opened, "timezone", "UTC")
        yield opened
        opened.rollback()


@pytest.fixture
def company(session: Session) -> Operations:
    """A company builder over the test's session."""
    return Operations(session)
