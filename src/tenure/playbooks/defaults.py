"""Default playbooks: onboarding, implementation, renewal, upsell, the KA cadence.

Offsets count from the day a run starts. The renewal playbook is meant to be
started by a rule 90 days before an open renewal term is due, so its last step
falls before the due date.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.playbooks.models import Playbook
from tenure.playbooks.schemas import PlaybookSpec
from tenure.playbooks.service import create_playbook

log = logging.getLogger(__name__)

ONBOARDING = "Onboarding"
IMPLEMENTATION = "Implementation"
RENEWAL = "Renewal"
UPSELL = "Upsell"
KA_CADENCE = "KA service cadence"


def _step(title: str, days: int, kind: str, **more: Any) -> dict[str, Any]:
    return {"title": title, "due_offset_days": days, "type": kind, **more}


DEFAULT_PLAYBOOKS = [
    PlaybookSpec.model_validate(
        {
            "name": ONBOARDING,
            "kind": "onboarding",
            "description": "The first 30 days of a new customer.",
            "steps": [
                _step("Kick-off call", 0, "onboarding", priority="high"),
                _step("Admin training", 7, "onboarding"),
                _step("First value check", 21, "onboarding"),
                _step("Onboarding review", 30, "onboarding", assignee="manager"),
            ],
        }
    ),
    PlaybookSpec.model_validate(
        {
            "name": IMPLEMENTATION,
            "kind": "implementation",
            "description": "From signed contract to go-live, for managed accounts.",
            "steps": [
                _step("Implementation kick-off", 0, "onboarding", priority="high"),
                _step("Technical setup and data import", 7, "onboarding"),
                _step(
                    "Configure single sign-on",
                    14,
                    "onboarding",
                    condition={"tags_any": ["sso"]},
                ),
                _step("User acceptance testing", 28, "onboarding"),
                _step("Go-live", 35, "onboarding", priority="high"),
                _step("Hand over to customer success", 42, "follow_up"),
            ],
        }
    ),
    PlaybookSpec.model_validate(
        {
            "name": RENEWAL,
            "kind": "renewal",
            "description": "Started 90 days before an open renewal term is due.",
            "steps": [
                _step("Start the renewal conversation", 0, "renewal", priority="high"),
                _step(
                    "Escalate: renewal at risk",
                    0,
                    "risk",
                    assignee="manager",
                    priority="urgent",
                    condition={"health_bands": ["red"]},
                ),
                _step("Review usage and value with the customer", 14, "renewal"),
                _step("Send the renewal proposal", 30, "renewal"),
                _step("Follow up on the proposal", 60, "renewal"),
                _step("Close the renewal", 80, "renewal", priority="high"),
            ],
        }
    ),
    PlaybookSpec.model_validate(
        {
            "name": UPSELL,
            "kind": "upsell",
            "description": "Turn growing usage into a bigger plan or more seats.",
            "steps": [
                _step("Review usage and seat headroom", 0, "opportunity"),
                _step("Expansion call", 7, "opportunity", priority="high"),
                _step("Send the expansion proposal", 14, "opportunity"),
                _step("Follow up on the proposal", 28, "follow_up"),
            ],
        }
    ),
    PlaybookSpec.model_validate(
        {
            "name": KA_CADENCE,
            "kind": "service",
            "description": "A quarter of service for a key account.",
            "applies_to": {"tier": ["Strategic", "Key"]},
            "steps": [
                _step("Prepare the quarterly business review", 0, "follow_up"),
                _step("Quarterly business review", 14, "follow_up", priority="high"),
                _step("Send the QBR summary and action plan", 17, "follow_up"),
                _step(
                    "Executive sponsor check-in", 45, "follow_up", assignee="manager"
                ),
                _step("Monthly check-in", 75, "follow_up"),
            ],
        }
    ),
]


def install_defaults(session: Session) -> list[str]:
    """Add the default playbooks that are missing (by name); return their names."""
    existing = set(session.scalars(select(Playbook.name)))
    added = []
    for spec in DEFAULT_PLAYBOOKS:
        if spec.name not in existing:
            create_playbook(session, spec, None)
            added.append(spec.name)
    log.info("default playbooks added: %s", ", ".join(added) or "none")
    return added
