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
from tenure.playbooks.models import Playbook
from tenure.rules import signals
from tenure.rules.evaluate import (
    DEDUPLICATED,
    EvaluationStats,
    RuleStats,
    definition_of,
    evaluate_rule,
    outlook,
    template_values,
)
from tenure.rules.models import Rule, RuleFiring, RuleState
from tenure.rules.schemas import (
    Definition,
    NotFound,
    RuleError,
    RuleSpec,
    RuleUpdate,
    SegmentEnteredTrigger,
    stored,
    validated,
)
from tenure.rules.templates import explain, render
from tenure.segments.models import SavedSegment
from tenure.staff.models import StaffUser
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


def get_or_raise(session: Session, rule_id: int) -> Rule:
    """The rule with ``rule_id``, or NotFound."""
    row = session.get(Rule, rule_id)
    if row is None:
        raise NotFound(f"rule {rule_id} not found")
    return row


def _segment_id(session: Session, key: str | None) -> int | None:
    """The id of the saved segment called ``key``, or RuleError naming it."""
    if key is None:
        return None
    found = session.scalar(select(SavedSegment.id).where(SavedSegment.key == key))
    if found is None:
        raise RuleError(f"segment '{key}': no such saved segment")
    return found


def _check_references(session: Session, spec: Definition) -> None:
    """Raise RuleError for a playbook or saved segment the rule names but is gone."""
    playbook = spec.action.playbook_id
    if playbook is not None and session.get(Playbook, playbook) is None:
        raise RuleError(f"action.playbook_id {playbook}: no such playbook")
    if isinstance(spec.trigger, SegmentEnteredTrigger):
        try:
            _segment_id(session, spec.trigger.segment)
        except RuleError as exc:
            raise RuleError(f"trigger.{exc}") from None


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    found = session.scalar(select(Rule.id).where(Rule.name == name))
    if found is not None and found != own_id:
        raise RuleError(f"name '{name}': a rule with this name exists already")


def _columns(session: Session, spec: RuleSpec) -> dict[str, Any]:
    """The stored column values of a checked spec."""
    _check_references(session, spec)
    return {
        "name": spec.name,
        "description": spec.description,
        "active": spec.active,
        "segment_id": _segment_id(session, spec.segment),
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


def preview(
    session: Session,
    rule_or_spec: Rule | int | RuleSpec | Mapping[str, Any],
    as_of: dt.date,
    owners: Owners = None,
) -> list[Row]:
    """The accounts a rule would fire for on ``as_of``, and why; nothing is written.

    A saved rule (or its id) fires only for accounts that did not show its signal
    at its previous evaluation; an unsaved spec for every account showing it.
    ``deduplicated`` says the rule's earlier task for the account is still open.
    """
    rule, spec, name, segment_id = _subject(session, rule_or_spec)
    day = signals.Day.load(session, as_of)
    seen = outlook(day, spec, rule, segment_id)
    outcomes = {d.account_id: d.outcome for d in seen.decisions if d.outcome}
    return _preview_rows(session, spec, name, seen.found, outcomes, owners)


def _subject(
    session: Session, rule_or_spec: Rule | int | RuleSpec | Mapping[str, Any]
) -> tuple[Rule | None, Definition, str, int | None]:
    """The rule (None when unsaved), its definition, name and segment id."""
    if isinstance(rule_or_spec, int):
        rule_or_spec = get_or_raise(session, rule_or_spec)
    if isinstance(rule_or_spec, Rule):
        rule = rule_or_spec
        return rule, definition_of(rule), rule.name, rule.segment_id
    given = rule_or_spec
    title = given.get("name") if isinstance(given, Mapping) else given.name
    spec = validated(RuleSpec, given, f"rule '{title}'")
    _check_references(session, spec)
    return None, spec, spec.name, _segment_id(session, spec.segment)


def _preview_rows(
    session: Session,
    spec: Definition,
    name: str,
    found: signals.Signals,
    outcomes: Mapping[int, str | None],
    owners: Owners,
) -> list[Row]:
    """Preview rows of the firing accounts the caller may see, by account id."""
    statement = (
        select(Account, StaffUser.email)
        .outerjoin(StaffUser, StaffUser.id == Account.owner_id)
        .where(Account.id.in_(sorted(outcomes)))
        .order_by(Account.external_id)
    )
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    kind = spec.trigger.kind
    task = spec.action.task
    rows = []
    for account, owner in session.execute(statement):
        values = found[account.id]
        rows.append(
            {
                "account_id": account.external_id,
                "account_name": account.name,
                "owner": owner,
                "signal": values,
                "why": explain(kind, values),
                "title": None
                if task is None
                else render(task.title, template_values(name, account, values)),
                "deduplicated": outcomes[account.id] == DEDUPLICATED,
            }
        )
    return rows


def firings(
    session: Session, rule_id: int, limit: int = 100, owners: Owners = None
) -> list[Row]:
    """A rule's most recent firings, newest first, on accounts the caller sees."""
    get_or_raise(session, rule_id)
    statement = (
        select(RuleFiring, Account.external_id, Account.name)
        .join(Account, Account.id == RuleFiring.account_id)
        .where(RuleFiring.rule_id == rule_id)
        .order_by(RuleFiring.fired_on.desc(), RuleFiring.id.desc())
        .limit(limit)
    )
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    return [
        {
            "id": firing.id,
            "account_id": external_id,
            "account_name": account_name,
            "fired_on": firing.fired_on,
            "outcome": firing.outcome,
            "rule_version": firing.rule_version,
            "signal": firing.signal,
            "task_id": firing.task_id,
            "playbook_run_id": firing.playbook_run_id,
        }
        for firing, external_id, account_name in session.execute(statement)
    ]
