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

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.notifications.service import notify
from tenure.playbooks.service import PlaybookError, start_run
from tenure.rules import signals
from tenure.rules.models import Rule, RuleFiring, RuleState
from tenure.rules.schemas import Definition, RuleError, TaskAction, validated
from tenure.rules.templates import explain, render
from tenure.segments.schemas import SegmentError
from tenure.tasks.models import OPEN_STATUSES, Task
from tenure.tasks.service import TaskError, create_task, resolve_assignee

log = logging.getLogger(__name__)

FIRED = "fired"
DEDUPLICATED = "deduplicated"
FAILED = "failed"
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
        prior = {
            state.account_id: Prior(state.matched, state.since)
            for state in _states(session, rule.id).values()
        }
        open_tasks = _open_task_accounts(session, rule.id)
        fired_today = set(
            session.scalars(
                select(RuleFiring.account_id).where(
                    RuleFiring.rule_id == rule.id, RuleFiring.fired_on == day.as_of
                )
            )
        )
    decisions = decide(day.as_of, accounts, found, prior, open_tasks, fired_today)
    return Outlook(accounts, found, decisions)


def _states(session: Session, rule_id: int) -> dict[int, RuleState]:
    statement = select(RuleState).where(RuleState.rule_id == rule_id)
    return {state.account_id: state for state in session.scalars(statement)}


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
    _store_states(session, rule.id, day.as_of, seen.decisions)
    firing = [d for d in seen.decisions if d.outcome is not None]
    accounts = _accounts(session, [d.account_id for d in firing])
    counts = {FIRED: 0, DEDUPLICATED: 0, FAILED: 0}
    for decision in firing:
        account = accounts[decision.account_id]
        values = seen.found[decision.account_id]
        if decision.outcome == DEDUPLICATED:
            row = _firing(rule, account, day.as_of, spec, values, DEDUPLICATED)
        else:
            row = _fire(session, rule, spec, account, values, day.as_of)
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
    session: Session, rule_id: int, day: dt.date, decisions: list[Decision]
) -> None:
    """Write every decided account's state under the rule."""
    states = _states(session, rule_id)
    for decision in decisions:
        state = states.get(decision.account_id)
        if state is None:
            session.add(
                RuleState(
                    rule_id=rule_id,
                    account_id=decision.account_id,
                    matched=decision.matched,
                    evaluated_on=day,
                    since=decision.since,
                )
            )
            continue
        state.matched = decision.matched
        state.evaluated_on = day
        state.since = decision.since
    # Flushed before any firing: a firing changes its account's state, so the
    # evaluation's transaction has begun with these writes, and on SQLite the
    # firings' savepoints nest in it rather than opening one of their own.
    session.flush()


def _accounts(session: Session, ids: list[int]) -> dict[int, Account]:
    found: dict[int, Account] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for account in session.scalars(select(Account).where(Account.id.in_(chunk))):
            found[account.id] = account
    return found


def template_values(
    rule_name: str, account: Account, values: Mapping[str, Any]
) -> dict[str, Any]:
    """What a title or description template of a firing can name."""
    return {
        **values,
        "account": account.name,
        "account_id": account.external_id,
        "rule": rule_name,
    }


def _firing(
    rule: Rule,
    account: Account,
    day: dt.date,
    spec: Definition,
    values: Mapping[str, Any],
    outcome: str,
    **created: Any,
) -> RuleFiring:
    return RuleFiring(
        rule_id=rule.id,
        rule_version=rule.version,
        account_id=account.id,
        fired_on=day,
        signal={"trigger": spec.trigger.kind, **values},
        outcome=outcome,
        **created,
    )


def _fire(
    session: Session,
    rule: Rule,
    spec: Definition,
    account: Account,
    values: Mapping[str, Any],
    day: dt.date,
) -> RuleFiring:
    """Carry out the rule's action for one account, all of it or none of it."""
    savepoint = session.begin_nested()
    try:
        task_id, run_id = _act(session, rule, spec, account, values, day)
        savepoint.commit()
    except (PlaybookError, SegmentError, TaskError, RuleError) as exc:
        savepoint.rollback()
        log.warning(
            "rule %s did not act on account %s: %s",
            rule.name,
            account.external_id,
            exc,
            extra={"rule_id": rule.id, "account_id": account.id},
        )
        failed = {**values, "error": str(exc)}
        return _firing(rule, account, day, spec, failed, FAILED)
    return _firing(
        rule, account, day, spec, values, FIRED, task_id=task_id, playbook_run_id=run_id
    )


def _act(
    session: Session,
    rule: Rule,
    spec: Definition,
    account: Account,
    values: Mapping[str, Any],
    day: dt.date,
) -> tuple[int | None, int | None]:
    """Create the task, start the playbook, send the notices; return the ids."""
    action = spec.action
    kind = spec.trigger.kind
    task_id = run_id = None
    title = f"{rule.name}: {account.name}"
    if action.task is not None:
        task = _create_task(session, rule, action.task, account, values, day, kind)
        task_id, title = task.id, task.title
    if action.playbook_id is not None:
        run = start_run(
            session,
            action.playbook_id,
            account.id,
            actor_id=None,
            today=day,
            source="rule",
            rule_id=rule.id,
            note=f"started by rule '{rule.name}'",
        )
        run_id = run.id
    link = f"/tasks/{task_id}" if task_id else f"/customers/{account.external_id}"
    notified: set[int] = set()
    for assignee in action.notify:
        user = resolve_assignee(session, account, assignee)
        if user is None or user in notified:
            continue
        notified.add(user)
        notify(
            session,
            user,
            "rule",
            title,
            body=explain(kind, values),
            link=link,
            details={
                "rule_id": rule.id,
                "account_id": account.external_id,
                "task_id": task_id,
                "playbook_run_id": run_id,
            },
        )
    return task_id, run_id


def _create_task(
    session: Session,
    rule: Rule,
    action: TaskAction,
    account: Account,
    values: Mapping[str, Any],
    day: dt.date,
    kind: str,
) -> Task:
    """The task of a firing, whose ``signal`` says which rule made it and why."""
    filled = template_values(rule.name, account, values)
    due = None if action.due_in_days is None else day + dt.timedelta(action.due_in_days)
    description = explain(kind, values)
    if action.description is not None:
        description = render(action.description, filled)
    return create_task(
        session,
        account_id=account.id,
        type=action.type,
        title=render(action.title, filled),
        actor_id=None,
        assignee_id=resolve_assignee(session, account, action.assignee),
        priority=action.priority,
        due_on=due,
        description=description,
        source="rule",
        rule_id=rule.id,
        signal={
            "trigger": kind,
            **values,
            "rule_id": rule.id,
            "rule_name": rule.name,
            "rule_version": rule.version,
            "evaluated_on": day.isoformat(),
        },
    )
