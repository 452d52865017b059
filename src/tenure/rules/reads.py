"""Read what rules do without changing anything: previews and firing history."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.rules import signals
from tenure.rules.actions import template_values
from tenure.rules.evaluate import DEDUPLICATED, definition_of, outlook
from tenure.rules.lookups import check_references, get_or_raise, segment_id
from tenure.rules.models import Rule, RuleFiring
from tenure.rules.schemas import Definition, RuleSpec, validated
from tenure.rules.templates import explain, render
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

Row = dict[str, Any]
# The staff user ids whose accounts a caller may see; None means every account.
Owners = frozenset[int] | None


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
    rule, spec, name, segment = _subject(session, rule_or_spec)
    day = signals.Day.load(session, as_of)
    seen = outlook(day, spec, rule, segment)
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
    check_references(session, spec)
    return None, spec, spec.name, segment_id(session, spec.segment)


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
