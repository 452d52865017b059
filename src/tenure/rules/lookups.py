"""Find what rules name: the rule itself, saved segments and playbooks."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.playbooks.models import Playbook
from tenure.rules.models import Rule
from tenure.rules.schemas import Definition, NotFound, RuleError, SegmentEnteredTrigger
from tenure.segments.models import SavedSegment

log = logging.getLogger(__name__)


def get_or_raise(session: Session, rule_id: int) -> Rule:
    """The rule with ``rule_id``, or NotFound."""
    row = session.get(Rule, rule_id)
    if row is None:
        raise NotFound(f"rule {rule_id} not found")
    return row


def segment_id(session: Session, key: str | None) -> int | None:
    """The id of the saved segment called ``key``, or RuleError naming it."""
    if key is None:
        return None
    found = session.scalar(select(SavedSegment.id).where(SavedSegment.key == key))
    if found is None:
        raise RuleError(f"segment '{key}': no such saved segment")
    return found


def check_references(session: Session, spec: Definition) -> None:
    """Raise RuleError for a playbook or saved segment the rule names but is gone."""
    playbook = spec.action.playbook_id
    if playbook is not None and session.get(Playbook, playbook) is None:
        raise RuleError(f"action.playbook_id {playbook}: no such playbook")
    if isinstance(spec.trigger, SegmentEnteredTrigger):
        try:
            segment_id(session, spec.trigger.segment)
        except RuleError as exc:
            raise RuleError(f"trigger.{exc}") from None
