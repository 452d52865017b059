"""Assignment rules: create, change, reorder, list and delete them.

Rules are kept in one order (``position`` 0, 1, 2, ... with no gaps); the first
active rule that matches a new account decides who gets it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.book.models import AssignmentRule
from tenure.book.schemas import (
    BookError,
    NotFound,
    RuleSpec,
    RuleUpdate,
    validated,
)
from tenure.staff.models import StaffUser, Team

log = logging.getLogger(__name__)

Row = dict[str, Any]


def get_or_raise(session: Session, rule_id: int) -> AssignmentRule:
    """The assignment rule ``rule_id``, or NotFound."""
    found = session.get(AssignmentRule, rule_id)
    if found is None:
        raise NotFound("rule_id", rule_id, "no such assignment rule")
    return found


def ordered(session: Session, active_only: bool = False) -> list[AssignmentRule]:
    """The rules in the order they are tried."""
    statement = select(AssignmentRule).order_by(
        AssignmentRule.position, AssignmentRule.id
    )
    if active_only:
        statement = statement.where(AssignmentRule.active.is_(True))
    return list(session.scalars(statement))


def _check(session: Session, spec: RuleSpec, own_id: int | None) -> None:
    """Refuse a taken name, an inactive or unknown user, an unknown team."""
    taken = session.scalar(
        select(AssignmentRule.id).where(AssignmentRule.name == spec.name)
    )
    if taken is not None and taken != own_id:
        raise BookError("name", spec.name, "an assignment rule has this name already")
    if spec.user_id is not None:
        user = session.get(StaffUser, spec.user_id)
        if user is None or not user.is_active:
            raise BookError("user_id", spec.user_id, "is not an active staff user")
    if spec.team_id is not None and session.get(Team, spec.team_id) is None:
        raise BookError("team_id", spec.team_id, "no such team")


def _renumber(rules: list[AssignmentRule]) -> None:
    for position, rule in enumerate(rules):
        if rule.position != position:
            rule.position = position


def _place(session: Session, row: AssignmentRule, position: int | None) -> None:
    """Put ``row`` at ``position`` (last when None) and renumber every rule."""
    others = [rule for rule in ordered(session) if rule.id != row.id]
    at = len(others) if position is None else min(position, len(others))
    others.insert(at, row)
    _renumber(others)


def _store(row: AssignmentRule, spec: RuleSpec) -> None:
    row.name = spec.name
    row.active = spec.active
    row.conditions = dict(spec.conditions)
    row.strategy = spec.strategy
    row.user_id = spec.user_id
    row.team_id = spec.team_id


def create_rule(session: Session, spec: RuleSpec | Mapping[str, Any]) -> AssignmentRule:
    """Create a rule from a spec (or data that validates as one)."""
    checked = validated(RuleSpec, spec, "rule")
    _check(session, checked, None)
    row = AssignmentRule()
    _store(row, checked)
    session.add(row)
    session.flush()
    _place(session, row, checked.position)
    session.flush()
    log.info("assignment rule %s created", row.name, extra={"rule_id": row.id})
    return row


def _spec_of(row: AssignmentRule) -> Row:
    return {
        "name": row.name,
        "active": row.active,
        "conditions": dict(row.conditions or {}),
        "strategy": row.strategy,
        "user_id": row.user_id,
        "team_id": row.team_id,
    }


def update_rule(
    session: Session, rule_id: int, changes: RuleUpdate | Mapping[str, Any]
) -> AssignmentRule:
    """Change the fields given; a new strategy drops the target it no longer takes."""
    row = get_or_raise(session, rule_id)
    given = validated(RuleUpdate, changes, f"rule '{row.name}'").model_dump(
        exclude_unset=True
    )
    position = given.pop("position", None)
    merged = {**_spec_of(row), **given}
    if "strategy" in given:
        if given["strategy"] == "user" and "team_id" not in given:
            merged["team_id"] = None
        if given["strategy"] != "user" and "user_id" not in given:
            merged["user_id"] = None
    checked = validated(RuleSpec, merged, f"rule '{row.name}'")
    _check(session, checked, row.id)
    _store(row, checked)
    if position is not None:
        _place(session, row, position)
    session.flush()
    log.info("assignment rule %s changed", row.name, extra={"rule_id": row.id})
    return row


def move_rule(session: Session, rule_id: int, step: int) -> AssignmentRule:
    """Move a rule ``step`` places earlier (negative) or later (positive)."""
    row = get_or_raise(session, rule_id)
    rules = ordered(session)
    _place(session, row, max(0, rules.index(row) + step))
    session.flush()
    return row


def delete_rule(session: Session, rule_id: int) -> None:
    """Delete a rule; the accounts it assigned keep their owners."""
    row = get_or_raise(session, rule_id)
    session.delete(row)
    session.flush()
    _renumber(ordered(session))
    session.flush()
    log.info("assignment rule %s deleted", row.name, extra={"rule_id": rule_id})


def _rows(session: Session, rules: list[AssignmentRule]) -> list[Row]:
    users = {r.user_id for r in rules} | {r.last_user_id for r in rules}
    wanted = sorted(u for u in users if u is not None)
    staff = {
        user.id: (user.email, user.name, user.is_active)
        for user in session.scalars(select(StaffUser).where(StaffUser.id.in_(wanted)))
    }
    teams = {i: n for i, n in session.execute(select(Team.id, Team.name))}
    rows = []
    for rule in rules:
        email, name, active = staff.get(rule.user_id or 0, (None, None, None))
        rows.append(
            {
                **_spec_of(rule),
                "id": rule.id,
                "position": rule.position,
                "user": email,
                "user_name": name,
                "user_active": active,
                "team": teams.get(rule.team_id or 0),
                "last_user": staff.get(rule.last_user_id or 0, (None,))[0],
            }
        )
    return rows


def list_rules(session: Session) -> list[Row]:
    """Every rule in order, with the names of the user or team it gives to."""
    return _rows(session, ordered(session))


def get_rule(session: Session, rule_id: int) -> Row:
    """One rule, as ``list_rules`` shows it."""
    return _rows(session, [get_or_raise(session, rule_id)])[0]
