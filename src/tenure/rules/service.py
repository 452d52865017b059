"""Rules: create, change, list and delete them, evaluate them, preview and history.

Every change to a rule raises its version, which each firing and each task it
creates records. Changing a rule's trigger forgets every account's state under
it, so that the rule starts again from scratch at its next evaluation.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.rules import signals
from tenure.rules.evaluate import (
    EvaluationStats,
    RuleStats,
    evaluate_rule,
)
from tenure.rules.lookups import check_references, get_or_raise, segment_id
from tenure.rules.models import Rule, RuleFiring, RuleState
from tenure.rules.reads import firings, preview
from tenure.rules.schemas import (
    NotFound,
    RuleError,
    RuleSpec,
    RuleUpdate,
    stored,
    validated,
)
from tenure.segments.models import SavedSegment
from tenure.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

__all__ = [
    "EvaluationStats",
    "NotFound",
    "RuleError",
    "RuleStats",
    "create_rule",
    "delete_rule",
    "evaluate_rules",
    "firings",
    "get_or_raise",
    "get_rule",
    "list_rules",
    "preview",
    "replace_rule",
    "rule_spec",
    "update_rule",
]

Row = dict[str, Any]
# The staff user ids whose accounts a caller may see; None means every account.
Owners = frozenset[int] | None


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    found = session.scalar(select(Rule.id).where(Rule.name == name))
    if found is not None and found != own_id:
        raise RuleError(f"name '{name}': a rule with this name exists already")


def _columns(session: Session, spec: RuleSpec) -> dict[str, Any]:
    """The stored column values of a checked spec."""
    check_references(session, spec)
    return {
        "name": spec.name,
        "description": spec.description,
        "active": spec.active,
        "segment_id": segment_id(session, spec.segment),
        **stored(spec),
    }


def create_rule(
    session: Session, spec: RuleSpec | Mapping[str, Any], actor_id: int | None
) -> Rule:
    """Create a rule from a spec (or data that validates as one); version 1."""
    name = spec.get("name") if isinstance(spec, Mapping) else spec.name
    checked = validated(RuleSpec, spec, f"rule '{name}'")
    _check_name_free(session, checked.name, None)
    row = Rule(**_columns(session, checked), version=1, updated_by_id=actor_id)
    session.add(row)
    session.flush()
    log.info("rule %s created", row.name, extra={"rule_id": row.id})
    return row


def to_spec(session: Session, rule: Rule) -> RuleSpec:
    """A stored rule as the spec it was written as."""
    key = None
    if rule.segment_id is not None:
        key = session.scalar(
            select(SavedSegment.key).where(SavedSegment.id == rule.segment_id)
        )
    data = {
        "name": rule.name,
        "description": rule.description,
        "active": rule.active,
        "segment": key,
        "trigger": rule.trigger,
        "action": rule.action,
    }
    return validated(RuleSpec, data, f"rule '{rule.name}'")


def rule_spec(session: Session, rule_id: int) -> Row:
    """A rule as JSON-ready spec data (what ``create_rule`` and the editor take)."""
    spec = to_spec(session, get_or_raise(session, rule_id))
    data: Row = spec.model_dump(mode="json", exclude_none=True)
    data.setdefault("description", None)
    data.setdefault("segment", None)
    return data


def update_rule(
    session: Session,
    rule_id: int,
    changes: RuleUpdate | Mapping[str, Any],
    actor_id: int | None,
) -> Rule:
    """Change some of a rule's fields; its version goes up when anything changed."""
    row = get_or_raise(session, rule_id)
    what = f"rule '{row.name}'"
    given = validated(RuleUpdate, changes, what)
    current = to_spec(session, row).model_dump(mode="json", exclude_none=True)
    merged = {**current, **given.model_dump(mode="json", exclude_unset=True)}
    return _apply(session, row, validated(RuleSpec, merged, what), actor_id)


def replace_rule(
    session: Session,
    rule_id: int,
    spec: RuleSpec | Mapping[str, Any],
    actor_id: int | None,
) -> Rule:
    """Replace every field of a rule; its version goes up when anything changed."""
    row = get_or_raise(session, rule_id)
    return _apply(
        session, row, validated(RuleSpec, spec, f"rule '{row.name}'"), actor_id
    )


def _apply(session: Session, row: Rule, spec: RuleSpec, actor_id: int | None) -> Rule:
    """Store ``spec`` into ``row``, raising the version if anything changed.

    A new trigger forgets every account's state under the rule.
    """
    _check_name_free(session, spec.name, row.id)
    values = _columns(session, spec)
    if all(getattr(row, key) == value for key, value in values.items()):
        return row
    trigger_changed = row.trigger != values["trigger"]
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_by_id = actor_id
    if trigger_changed:
        session.execute(delete(RuleState).where(RuleState.rule_id == row.id))
    session.flush()
    log.info("rule %s is now version %d", row.name, row.version)
    return row


def delete_rule(session: Session, rule_id: int) -> None:
    """Delete a rule, its states and firings; its tasks stay, without the rule."""
    row = get_or_raise(session, rule_id)
    session.delete(row)
    session.flush()
    log.info("rule %s deleted", row.name, extra={"rule_id": rule_id})


def _rows(session: Session, rules: list[Rule]) -> list[Row]:
    """Rules as plain values with their open task counts and last firing."""
    ids = [rule.id for rule in rules]
    keys = {
        key_id: key
        for key_id, key in session.execute(select(SavedSegment.id, SavedSegment.key))
    }
    counted = (
        select(Task.rule_id, func.count())
        .where(Task.rule_id.in_(ids), Task.status.in_(OPEN_STATUSES))
        .group_by(Task.rule_id)
    )
    open_counts = {rule_id: count for rule_id, count in session.execute(counted)}
    newest = (
        select(func.max(RuleFiring.id))
        .where(RuleFiring.rule_id.in_(ids))
        .group_by(RuleFiring.rule_id)
    )
    last = {
        firing.rule_id: {
            "fired_on": firing.fired_on,
            "outcome": firing.outcome,
            "account_id": external_id,
        }
        for firing, external_id in session.execute(
            select(RuleFiring, Account.external_id)
            .join(Account, Account.id == RuleFiring.account_id)
            .where(RuleFiring.id.in_(newest))
        )
    }
    return [
        {
            "id": rule.id,
            "name": rule.name,
            "description": rule.description,
            "active": rule.active,
            "segment": keys.get(rule.segment_id) if rule.segment_id else None,
            "trigger": rule.trigger,
            "action": rule.action,
            "version": rule.version,
            "updated_at": rule.updated_at,
            "open_tasks": int(open_counts.get(rule.id, 0)),
            "last_fired": (last.get(rule.id) or {}).get("fired_on"),
            "last_firing": last.get(rule.id),
        }
        for rule in rules
    ]


def list_rules(session: Session) -> list[Row]:
    """Every rule by name, with its open task count and last firing."""
    rules = list(session.scalars(select(Rule).order_by(Rule.name)))
    return _rows(session, rules)


def get_rule(session: Session, rule_id: int) -> Row:
    """One rule as ``list_rules`` shows it, or NotFound."""
    return _rows(session, [get_or_raise(session, rule_id)])[0]


def evaluate_rules(
    session: Session, as_of: dt.date, *, rule_ids: Collection[int] | None = None
) -> EvaluationStats:
    """Evaluate the active rules (or those of ``rule_ids``) on ``as_of``.

    A rule that cannot run (a segment it names is gone, say) is logged and
    reported with its error; the other rules still run.
    """
    session.flush()
    day = signals.Day.load(session, as_of)
    statement = select(Rule).where(Rule.active.is_(True)).order_by(Rule.id)
    if rule_ids is not None:
        statement = statement.where(Rule.id.in_(sorted(set(rule_ids))))
    results: list[RuleStats] = []
    for rule in session.scalars(statement).all():
        try:
            results.append(evaluate_rule(day, rule))
        except RuleError as exc:
            log.warning(
                "rule %s not evaluated on %s: %s",
                rule.name,
                as_of,
                exc,
                extra={"rule_id": rule.id},
            )
            results.append(RuleStats(rule.id, rule.name, error=str(exc)))
    stats = EvaluationStats(as_of, results)
    log.info("rules evaluated: %s", stats.details())
    return stats
