"""A small company for the rules tests, on both backends, and rule helpers.

The company comes from the health tests' builder (accounts, MRR movements, renewal
terms, daily usage, staff); days are fixed, not today's.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.notifications.models import Notification
from tenure.rules import service as rules
from tenure.rules.models import Rule, RuleFiring
from tenure.staff.models import StaffUser, Team
from tenure.tasks.models import Task
from tests.health.conftest import AS_OF, Company, company, days_before, session

__all__ = ["AS_OF", "Company", "company", "days_before", "session"]

TASK = {"title": "Look at {account}", "type": "risk", "assignee": "owner"}


def spec(trigger: dict[str, Any], name: str = "Watch", **action: Any) -> dict[str, Any]:
    """A rule spec with ``trigger``; the action is a risk task unless given."""
    return {"name": name, "trigger": trigger, "action": action or {"task": TASK}}


def add_rule(session: Session, trigger: dict[str, Any], **action: Any) -> Rule:
    """Create a rule watching ``trigger``."""
    name = action.pop("name", "Watch")
    return rules.create_rule(session, spec(trigger, name, **action), None)


def evaluate(session: Session, rule: Rule | None = None, day: Any = AS_OF) -> Any:
    """Evaluate every rule (or one) on ``day``; return the rule's stats (or all)."""
    stats = rules.evaluate_rules(
        session, day, rule_ids=None if rule is None else [rule.id]
    )
    return stats.rules[0] if rule is not None else stats


def tasks_of(session: Session, rule: Rule) -> list[Task]:
    """The tasks ``rule`` created, oldest first."""
    return list(session.scalars(select(Task).where(Task.rule_id == rule.id)))


def firings_of(session: Session, rule: Rule) -> list[RuleFiring]:
    """The firings of ``rule``, oldest first."""
    statement = select(RuleFiring).where(RuleFiring.rule_id == rule.id)
    return list(session.scalars(statement.order_by(RuleFiring.id)))


def notices(session: Session) -> list[Notification]:
    """Every notification, oldest first."""
    return list(session.scalars(select(Notification).order_by(Notification.id)))


def team_with_manager(company: Company) -> tuple[int, int]:
    """A CSM in a team led by a manager: (csm id, manager id)."""
    manager = company.staff("lead@example.com")
    team = Team(name="East", manager_id=manager)
    company.session.add(team)
    company.session.flush()
    csm = company.staff("csm@example.com")
    for user_id in (csm, manager):
        user = company.session.get(StaffUser, user_id)
        assert user is not None
        user.team_id = team.id
    company.session.flush()
    return csm, manager


@pytest.fixture
def owner(company: Company) -> int:
    """A staff user owning the accounts of a test."""
    return company.staff("owner@example.com")
