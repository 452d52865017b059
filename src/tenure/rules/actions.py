"""Carry out one firing: the task, the playbook run and the notices, or a failure.

Each firing runs in a savepoint of its own, so a failing one leaves nothing half
done; the failure is recorded on the firing and the evaluation goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.notifications.service import notify
from tenure.playbooks.service import PlaybookError, start_run
from tenure.rules.models import Rule, RuleFiring
from tenure.rules.schemas import Definition, RuleError, TaskAction
from tenure.rules.templates import explain, render
from tenure.segments.schemas import SegmentError
from tenure.tasks.models import Task
from tenure.tasks.service import TaskError, create_task, resolve_assignee

log = logging.getLogger(__name__)

FIRED = "fired"
DEDUPLICATED = "deduplicated"
FAILED = "failed"


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


def firing_row(
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


def fire(
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
        return firing_row(rule, account, day, spec, failed, FAILED)
    return firing_row(
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
