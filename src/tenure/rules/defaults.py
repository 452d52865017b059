"""The rules Tenure starts a company with (the demo company's): what a CS team acts on.

Thresholds suit the demo company; a real company tunes them to its own usage.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.playbooks.models import Playbook
from tenure.rules.models import Rule
from tenure.rules.service import create_rule

log = logging.getLogger(__name__)

# Active users a day, averaged over 30 days, that about the busiest twentieth of the
# demo company's customers reach: worth an expansion conversation.
GROWTH_ACTIVE_USERS = 4

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Usage drop",
        "description": "Active users of the last 7 days down 30% or more against "
        "the 7 days before, which averaged at least one active user a day.",
        "trigger": {
            "kind": "usage_change",
            "field": "active_users",
            "window_days": 7,
            "change_at_most": -0.3,
            "min_previous_average": 1,
        },
        "action": {
            "task": {
                "title": "Active users {change_pct}% in 7 days: {account}",
                "type": "risk",
                "priority": "high",
                "due_in_days": 3,
                "assignee": "owner",
            },
            "notify": ["owner"],
        },
    },
    {
        "name": "Health fell to red",
        "description": "The health band fell to red since the previous score.",
        "trigger": {"kind": "health_band", "direction": "falls", "to": ["red"]},
        "action": {
            "task": {
                "title": "Health fell to red: {account}",
                "type": "risk",
                "priority": "urgent",
                "due_in_days": 2,
                "assignee": "owner",
            },
            "notify": ["owner", "manager"],
        },
    },
    {
        "name": "Renewal due in 90 days",
        "description": "An open renewal falls due within 90 days.",
        "trigger": {"kind": "renewal_due", "within_days": 90},
        "action": {
            "task": {
                "title": "Renewal due {due_date}: {account}",
                "type": "renewal",
                "priority": "high",
                "due_in_days": 14,
                "assignee": "owner",
            },
        },
    },
    {
        "name": "Usage growth",
        "description": f"{GROWTH_ACTIVE_USERS} or more active users a day on "
        "average over the last 30 days.",
        "trigger": {
            "kind": "usage_threshold",
            "field": "active_users",
            "aggregate": "avg",
            "window_days": 30,
            "at_least": GROWTH_ACTIVE_USERS,
        },
        "action": {
            "task": {
                "title": "Expansion opportunity: {account} ({value} active users)",
                "type": "opportunity",
                "priority": "normal",
                "due_in_days": 14,
                "assignee": "owner",
            },
        },
    },
    {
        "name": "New customer",
        "description": "A customer's first revenue started in the last 14 days.",
        "trigger": {"kind": "new_customer", "within_days": 14},
        "action": {
            "task": {
                "title": "Welcome {account}: book the kickoff",
                "type": "onboarding",
                "priority": "high",
                "due_in_days": 5,
                "assignee": "owner",
            },
        },
    },
    {
        "name": "Contract ended without renewal",
        "description": "A contract or annual term ended and nothing renewed it.",
        "trigger": {"kind": "contract_ended", "within_days": 30},
        "action": {
            "task": {
                "title": "Churn review: {account}",
                "type": "follow_up",
                "priority": "normal",
                "due_in_days": 7,
                "assignee": "owner",
            },
        },
    },
]
# Rules that start a playbook, by the word its name contains, when one exists.
PLAYBOOKS = {"Renewal due in 90 days": "renewal", "New customer": "onboarding"}


def _playbook_named(session: Session, word: str) -> int | None:
    """The active playbook whose name contains ``word`` (case-insensitive), if any."""
    statement = (
        select(Playbook.id)
        .where(Playbook.active.is_(True), func.lower(Playbook.name).contains(word))
        .order_by(Playbook.id)
    )
    return session.scalars(statement).first()


def default_specs(session: Session) -> list[dict[str, Any]]:
    """The default rules, starting the company's renewal and onboarding playbooks.

    The new-customer rule starts the onboarding playbook instead of creating its
    welcome task when such a playbook exists (the playbook has its own kickoff).
    """
    specs = []
    for spec in DEFAULT_RULES:
        word = PLAYBOOKS.get(spec["name"])
        playbook = _playbook_named(session, word) if word else None
        action = dict(spec["action"])
        if playbook is not None:
            action["playbook_id"] = playbook
            if spec["name"] == "New customer":
                action.pop("task")
        specs.append({**spec, "action": action})
    return specs


def install_defaults(session: Session, actor_id: int | None = None) -> list[Rule]:
    """Create the default rules not yet there (by name); return those created."""
    existing = set(session.scalars(select(Rule.name)))
    created = [
        create_rule(session, spec, actor_id)
        for spec in default_specs(session)
        if spec["name"] not in existing
    ]
    log.info("%d default rules installed", len(created))
    return created
