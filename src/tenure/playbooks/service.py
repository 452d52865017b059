"""Playbooks: start them on accounts as dated tasks, and cancel runs.

A run copies the playbook's steps when it starts, so editing the playbook later
never changes a run under way. Definitions live in ``tenure.playbooks.definitions``
and the reads of runs in ``tenure.playbooks.progress``; both are re-exported here,
so callers need one module.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.accounts.models import Account
from tenure.auth.scope import Principal, owner_scope, require
from tenure.playbooks.definitions import (
    create_playbook,
    delete_playbook,
    get_playbook,
    list_playbooks,
    playbook_row,
    playbook_spec,
    spec_of,
    update_playbook,
)
from tenure.playbooks.models import Playbook, PlaybookRun
from tenure.playbooks.progress import active_runs, refresh, run_row, runs_for_account
from tenure.playbooks.schemas import NotFound, PlaybookError, PlaybookSpec, Step
from tenure.segments import service as segments
from tenure.segments.schemas import SegmentFilter
from tenure.tasks.models import OPEN_STATUSES, Task
from tenure.tasks.service import create_task, record, resolve_assignee

log = logging.getLogger(__name__)

__all__ = [
    "NotFound",
    "PlaybookError",
    "active_runs",
    "cancel_run",
    "create_playbook",
    "delete_playbook",
    "get_playbook",
    "list_playbooks",
    "playbook_row",
    "playbook_spec",
    "run_row",
    "runs_for_account",
    "spec_of",
    "start_for",
    "start_run",
    "update_playbook",
]

Row = dict[str, Any]
RUN_SOURCES = ("manual", "rule")


def _matching(
    session: Session, definition: SegmentFilter, account: int, day: dt.date
) -> bool:
    return account in segments.member_ids(session, definition, day, [account])


def start_run(
    session: Session,
    playbook_id: int,
    account_id: int,
    *,
    actor_id: int | None,
    today: dt.date,
    source: str = "manual",
    rule_id: int | None = None,
    note: str | None = None,
) -> PlaybookRun:
    """Start a playbook on an account: one task per step, all or nothing.

    Refuses an inactive playbook, an account outside its ``applies_to`` and a
    second active run of the playbook on the account. A step whose condition the
    account does not match today is kept in the run as skipped.
    """
    if source not in RUN_SOURCES:
        raise PlaybookError(
            "source", source, f"must be one of {', '.join(RUN_SOURCES)}"
        )
    playbook = get_playbook(session, playbook_id)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound("account", account_id, "no such account")
    if not playbook.active:
        raise PlaybookError("playbook", playbook.name, "is inactive")
    spec = spec_of(playbook)
    if not _matching(session, spec.applies_to, account.id, today):
        raise PlaybookError(
            "account",
            account.external_id,
            f"does not match what '{spec.name}' applies to",
        )
    under_way = list(
        session.scalars(
            select(PlaybookRun).where(
                PlaybookRun.playbook_id == playbook.id,
                PlaybookRun.account_id == account.id,
                PlaybookRun.status == "active",
            )
        )
    )
    refresh(session, under_way, today)
    if any(run.status == "active" for run in under_way):
        raise PlaybookError(
            "account", account.external_id, f"already has '{spec.name}' under way"
        )
    savepoint = session.begin_nested()
    try:
        run = _start(
            session, playbook, spec, account, actor_id, today, source, rule_id, note
        )
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    log.info(
        "playbook %s started on %s (%s)",
        spec.name,
        account.external_id,
        source,
        extra={"playbook_run_id": run.id, "account_id": account.id},
    )
    return run


def _start(
    session: Session,
    playbook: Playbook,
    spec: PlaybookSpec,
    account: Account,
    actor_id: int | None,
    today: dt.date,
    source: str,
    rule_id: int | None,
    note: str | None,
) -> PlaybookRun:
    """Create the run and its tasks inside the caller's savepoint."""
    run = PlaybookRun(
        playbook_id=playbook.id,
        playbook_version=playbook.version,
        name=spec.name,
        kind=spec.kind,
        account_id=account.id,
        status="active",
        started_on=today,
        source=source,
        rule_id=rule_id,
        started_by_id=actor_id,
        note=(note or "").strip() or None,
        steps=[],
    )
    session.add(run)
    session.flush()
    total = len(spec.steps)
    steps: list[Row] = []
    for index, step in enumerate(spec.steps):
        due = today + dt.timedelta(days=step.due_offset_days)
        copied = {**step.stored(), "index": index, "due_on": due.isoformat()}
        if step.condition is not None and not _matching(
            session, step.condition, account.id, today
        ):
            steps.append({**copied, "skipped": True, "task_id": None})
            continue
        task = _task(session, run, step, account, actor_id, due, index, total)
        steps.append({**copied, "skipped": False, "task_id": task.id})
    run.steps = steps
    if all(step["skipped"] for step in steps):
        run.status = "completed"
        run.completed_on = today
    session.flush()
    return run


def _task(
    session: Session,
    run: PlaybookRun,
    step: Step,
    account: Account,
    actor_id: int | None,
    due: dt.date,
    index: int,
    total: int,
) -> Task:
    return create_task(
        session,
        account_id=account.id,
        type=step.type,
        title=step.title,
        actor_id=actor_id,
        assignee_id=resolve_assignee(session, account, step.assignee),
        priority=step.priority,
        due_on=due,
        description=step.description,
        source="playbook",
        rule_id=run.rule_id,
        playbook_run_id=run.id,
        playbook_step=index,
        signal={"playbook": run.name, "step": index + 1, "of": total},
    )


def start_for(
    session: Session,
    principal: Principal,
    playbook_id: int,
    account: str,
    today: dt.date,
    note: str | None = None,
) -> PlaybookRun:
    """Start a playbook for a person: they must work tasks and see the account."""
    require(principal, "work_tasks")
    try:
        account_id = accounts.account_id_in_scope(
            session, account, owner_scope(session, principal)
        )
    except accounts.NotFound:
        raise NotFound("account", account, "no such account") from None
    return start_run(
        session,
        playbook_id,
        account_id,
        actor_id=principal.user_id,
        today=today,
        note=note,
    )


def cancel_run(session: Session, principal: Principal, run_id: int) -> PlaybookRun:
    """Cancel a run under way and its open tasks, each with a history entry."""
    require(principal, "work_tasks")
    run = session.get(PlaybookRun, run_id)
    owners = owner_scope(session, principal)
    account = None if run is None else session.get(Account, run.account_id)
    if (
        run is None
        or account is None
        or (owners is not None and account.owner_id not in owners)
    ):
        raise NotFound("playbook_run", run_id, "no such playbook run")
    if run.status != "active":
        raise PlaybookError("playbook_run", run_id, f"is {run.status}, not active")
    open_tasks = session.scalars(
        select(Task).where(
            Task.playbook_run_id == run.id, Task.status.in_(OPEN_STATUSES)
        )
    )
    for task in open_tasks:
        old = task.status
        task.status = "cancelled"
        record(
            session,
            task,
            "status",
            principal.user_id,
            field="status",
            old=old,
            new="cancelled",
            note=f"playbook run '{run.name}' cancelled",
        )
    run.status = "cancelled"
    session.flush()
    log.info("playbook run %d cancelled by %s", run.id, principal.email)
    return run
