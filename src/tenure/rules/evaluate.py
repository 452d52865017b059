"""Evaluate one rule on one day: who shows the signal, who fires, what is created.

A rule fires for an account when the account shows its signal now and did not at
the previous evaluation, unless a task the rule created for the account is still
open (the firing is then recorded as deduplicated and creates nothing). ``decide``
is that decision, pure; ``evaluate_rule`` loads its inputs, stores every
candidate's state and carries out the firings, each in a savepoint of its own so
that a failing one leaves nothing half done and does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.rules import signals
from tenure.rules.actions import DEDUPLICATED, FAILED, FIRED, fire, firing_row
from tenure.rules.models import Rule, RuleFiring, RuleState
from tenure.rules.schemas import Definition, validated
from tenure.tasks.models import OPEN_STATUSES, Task

log = logging.getLogger(__name__)

_CHUNK = 500


@dataclass(frozen=True)
class Prior:
    """An account's state under a rule after the previous evaluation."""

    matched: bool
    since: dt.date | None


@dataclass(frozen=True)
class Decision:
    """An account's new state under a rule, and whether it fires (``outcome``)."""

    account_id: int
    matched: bool
    since: dt.date | None
    outcome: str | None


def decide(
    day: dt.date,
    candidates: Collection[int],
    showing: Collection[int],
    prior: Mapping[int, Prior],
    open_tasks: Collection[int],
    fired_today: Collection[int] = (),
) -> list[Decision]:
    """Decide, for every candidate, its new state and whether the rule fires.

    An account that matched before but is no longer a candidate (it stopped being
    a customer, left the rule's segment) no longer shows the signal. An account
    that already fired on ``day`` does not fire again, so a rerun acts once.
    """
    wanted = set(candidates)
    shown = set(showing) & wanted
    left = {account for account, state in prior.items() if state.matched} - wanted
    decisions = []
    for account in sorted(wanted | left):
        matched = account in shown
        before = prior.get(account)
        was = before is not None and before.matched
        since = None
        if matched:
            since = (before.since if before is not None and was else None) or day
        outcome = None
        if matched and not was and account not in fired_today:
            outcome = DEDUPLICATED if account in open_tasks else FIRED
        decisions.append(Decision(account, matched, since, outcome))
    return decisions


@dataclass(frozen=True)
class RuleStats:
    """What one rule's evaluation found and did."""

    rule_id: int
    name: str
    candidates: int = 0
    matched: int = 0
    fired: int = 0
    deduplicated: int = 0
    failed: int = 0
    error: str | None = None


@dataclass(frozen=True)
class EvaluationStats:
    """What an evaluation of the rules did on one day, rule by rule."""

    as_of: dt.date
    rules: list[RuleStats] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        """A JSON-ready summary: totals and the counts of every rule."""
        totals = {
            key: sum(getattr(stats, key) for stats in self.rules)
            for key in ("candidates", "matched", "fired", "deduplicated", "failed")
        }
        return {
            "as_of": self.as_of.isoformat(),
            **totals,
            "rules": [
                {key: value for key, value in vars(stats).items() if value is not None}
                for stats in self.rules
            ],
        }


@dataclass(frozen=True)
class Outlook:
    """What a rule sees on a day, before anything is written."""

    candidates: set[int]
    found: signals.Signals
    decisions: list[Decision]
    prior: dict[int, Prior] = field(default_factory=dict)


def definition_of(rule: Rule) -> Definition:
    """The validated trigger and action of a stored rule, or RuleError."""
    data = {"trigger": rule.trigger, "action": rule.action}
    return validated(Definition, data, f"rule '{rule.name}'")


def outlook(
    day: signals.Day, spec: Definition, rule: Rule | None, segment_id: int | None
) -> Outlook:
    """Who the rule looks at, who shows its signal, who would fire; no writes."""
    session = day.session
    accounts = signals.candidates(day, spec.trigger)
    if segment_id is not None:
        accounts = signals.in_segment(day, segment_id, accounts)
    found = signals.detect(day, spec.trigger, accounts)
    prior: dict[int, Prior] = {}
    open_tasks: set[int] = set()
    fired_today: set[int] = set()
    if rule is not None:
        prior = _states(session, rule.id)
        open_tasks = _open_task_accounts(session, rule.id)
        fired_today = set(
            session.scalars(
                select(RuleFiring.account_id).where(
                    RuleFiring.rule_id == rule.id, RuleFiring.fired_on == day.as_of
                )
            )
        )
    decisions = decide(day.as_of, accounts, found, prior, open_tasks, fired_today)
    return Outlook(accounts, found, decisions, prior)


def _states(session: Session, rule_id: int) -> dict[int, Prior]:
    """Every account's state under the rule at its previous evaluation."""
    statement = select(RuleState.account_id, RuleState.matched, RuleState.since).where(
        RuleState.rule_id == rule_id
    )
    return {
        account: Prior(matched, since)
        for account, matched, since in session.execute(statement)
    }


def _open_task_accounts(session: Session, rule_id: int) -> set[int]:
    """The accounts with a task of ``rule_id`` still open."""
    statement = select(Task.account_id).where(
        Task.rule_id == rule_id, Task.status.in_(OPEN_STATUSES)
    )
    return set(session.scalars(statement))


def evaluate_rule(day: signals.Day, rule: Rule) -> RuleStats:
    """Evaluate ``rule`` on ``day``: store every state, record and carry out firings."""
    session = day.session
    spec = definition_of(rule)
    seen = outlook(day, spec, rule, rule.segment_id)
    _store_states(session, rule.id, day.as_of, seen.decisions, seen.prior)
    firing = [d for d in seen.decisions if d.outcome is not None]
    accounts = _accounts(session, [d.account_id for d in firing])
    counts = {FIRED: 0, DEDUPLICATED: 0, FAILED: 0}
    for decision in firing:
        account = accounts[decision.account_id]
        values = seen.found[decision.account_id]
        if decision.outcome == DEDUPLICATED:
            row = firing_row(rule, account, day.as_of, spec, values, DEDUPLICATED)
        else:
            row = fire(session, rule, spec, account, values, day.as_of)
        session.add(row)
        counts[row.outcome] += 1
    session.flush()
    return RuleStats(
        rule_id=rule.id,
        name=rule.name,
        candidates=len(seen.candidates),
        matched=len(seen.found),
        fired=counts[FIRED],
        deduplicated=counts[DEDUPLICATED],
        failed=counts[FAILED],
    )


def _store_states(
    session: Session,
    rule_id: int,
    day: dt.date,
    decisions: list[Decision],
    before: dict[int, Prior],
) -> None:
    """Write every decided account's state under the rule, set-based.

    New accounts are inserted and only the states that changed are updated; the
    evaluation day is then set on all of the rule's rows in one statement.
    """
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for decision in decisions:
        row = {
            "rule": rule_id,
            "account": decision.account_id,
            "matched": decision.matched,
            "since": decision.since,
        }
        prior = before.get(decision.account_id)
        if prior is None:
            added.append(row)
        elif (prior.matched, prior.since) != (decision.matched, decision.since):
            changed.append(row)
    for start in range(0, len(added), _CHUNK * 10):
        session.execute(
            insert(RuleState),
            [
                {
                    "rule_id": row["rule"],
                    "account_id": row["account"],
                    "matched": row["matched"],
                    "since": row["since"],
                    "evaluated_on": day,
                }
                for row in added[start : start + _CHUNK * 10]
            ],
        )
    if changed:
        session.connection().execute(
            update(RuleState)
            .where(
                RuleState.rule_id == bindparam("rule"),
                RuleState.account_id == bindparam("account"),
            )
            .values(matched=bindparam("matched"), since=bindparam("since")),
            changed,
        )
    # The firings that follow run in savepoints: on SQLite they nest in the
    # evaluation's transaction, which these writes have begun.
    session.execute(
        update(RuleState)
        .where(RuleState.rule_id == rule_id)
        .values(evaluated_on=day)
        .execution_options(synchronize_session=False)
    )


def _accounts(session: Session, ids: list[int]) -> dict[int, Account]:
    found: dict[int, Account] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for account in session.scalars(select(Account).where(Account.id.in_(chunk))):
            found[account.id] = account
    return found
