"""Playbook runs as people read them: each step's task, the progress, the status.

A run's status is worked out from its tasks whenever it is read: "completed" once
every task it created is done or cancelled, "active" while any is open (a reopened
task makes a completed run active again), "cancelled" when someone cancelled it.
A status found changed is stored as it is seen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.playbooks.models import PlaybookRun
from tenure.revenue.loading import today as current_day
from tenure.segments.facts import id_in
from tenure.staff.models import StaffUser
from tenure.tasks.models import Task

log = logging.getLogger(__name__)

Row = dict[str, Any]
FINISHED = ("done", "cancelled")


def run_status(stored: str, statuses: Iterable[str]) -> str:
    """A run's status from its stored one and its tasks' statuses (skips left out)."""
    if stored == "cancelled":
        return "cancelled"
    return "completed" if all(s in FINISHED for s in statuses) else "active"


def _tasks(session: Session, run_ids: list[int]) -> dict[int, Row]:
    """The tasks of these runs, by task id: status, due, assignee."""
    if not run_ids:
        return {}
    statement = (
        select(
            Task.id,
            Task.status,
            Task.due_on,
            Task.assignee_id,
            StaffUser.email,
            StaffUser.name,
        )
        .outerjoin(StaffUser, StaffUser.id == Task.assignee_id)
        .where(id_in(Task.playbook_run_id, run_ids))
    )
    return {
        task: {
            "status": status,
            "due": due,
            "assignee_id": assignee,
            "assignee": email,
            "assignee_name": name,
        }
        for task, status, due, assignee, email, name in session.execute(statement)
    }


def _steps(run: PlaybookRun, tasks: dict[int, Row]) -> list[Row]:
    """Each copied step of ``run`` with the state of its task (or as skipped)."""
    rows: list[Row] = []
    for step in run.steps or []:
        planned = dt.date.fromisoformat(step["due_on"])
        row: Row = {
            "index": step["index"],
            "title": step["title"],
            "type": step["type"],
            "due": planned,
            "status": "skipped",
            "task_id": None,
            "assignee": None,
            "assignee_name": None,
        }
        if not step.get("skipped"):
            # A task deleted since counts as cancelled: it will never be done.
            task = tasks.get(step.get("task_id") or 0)
            row["task_id"] = step.get("task_id") if task else None
            row["status"] = task["status"] if task else "cancelled"
            if task:
                row["due"] = task["due"] or planned
                row["assignee"] = task["assignee"]
                row["assignee_name"] = task["assignee_name"]
        rows.append(row)
    return rows


def _row(run: PlaybookRun, steps: list[Row]) -> Row:
    counted = [step for step in steps if step["status"] != "skipped"]
    done = sum(1 for step in counted if step["status"] in FINISHED)
    return {
        "id": run.id,
        "playbook_id": run.playbook_id,
        "playbook_version": run.playbook_version,
        "name": run.name,
        "kind": run.kind,
        "status": run.status,
        "started_on": run.started_on,
        "completed_on": run.completed_on,
        "source": run.source,
        "rule_id": run.rule_id,
        "note": run.note,
        "steps": steps,
        "done": done,
        "total": len(counted),
        "progress": round(done / len(counted), 4) if counted else 1.0,
    }


def _read(session: Session, runs: Sequence[PlaybookRun], day: dt.date) -> list[Row]:
    """Rows of ``runs``, storing each status found changed."""
    tasks = _tasks(session, [run.id for run in runs])
    rows = []
    for run in runs:
        steps = _steps(run, tasks)
        status = run_status(
            run.status, (s["status"] for s in steps if s["status"] != "skipped")
        )
        if status != run.status:
            log.info("playbook run %d is now %s", run.id, status)
            run.status = status
            run.completed_on = day if status == "completed" else None
        rows.append(_row(run, steps))
    session.flush()
    return rows


def refresh(session: Session, runs: Sequence[PlaybookRun], day: dt.date) -> None:
    """Bring the stored status of ``runs`` up to date with their tasks."""
    if runs:
        _read(session, runs, day)


def run_row(session: Session, run_id: int) -> Row:
    """One run as ``runs_for_account`` gives it; LookupError if there is none."""
    run = session.get(PlaybookRun, run_id)
    if run is None:
        raise LookupError(f"no playbook run {run_id}")
    return _read(session, [run], current_day(session))[0]


def runs_for_account(session: Session, account_id: int) -> list[Row]:
    """Every run on the account, newest first, with each step's task and progress.

    Each row: id, playbook_id, name, kind, status, started_on, completed_on,
    source, note, steps (index, title, type, due, status, task_id, assignee,
    assignee_name), done (tasks done or cancelled), total (steps not skipped) and
    progress (done / total).
    """
    runs = session.scalars(
        select(PlaybookRun)
        .where(PlaybookRun.account_id == account_id)
        .order_by(PlaybookRun.started_on.desc(), PlaybookRun.id.desc())
    ).all()
    return _read(session, runs, current_day(session))


def active_runs(session: Session, owners: frozenset[int] | None) -> list[Row]:
    """The runs under way on the accounts in scope, for a team's view.

    Rows as ``runs_for_account`` gives, with account_id (external),
    account_name, owner (email), next_due (the earliest open task's due date)
    and overdue (open tasks due before today); earliest next_due first.
    """
    statement = (
        select(PlaybookRun, Account.external_id, Account.name, StaffUser.email)
        .join(Account, Account.id == PlaybookRun.account_id)
        .outerjoin(StaffUser, StaffUser.id == Account.owner_id)
        .where(PlaybookRun.status == "active")
    )
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    records = session.execute(statement).all()
    day = current_day(session)
    rows = _read(session, [record[0] for record in records], day)
    result: list[Row] = []
    for row, (_run, external, name, owner) in zip(rows, records, strict=True):
        if row["status"] != "active":
            continue
        pending = [
            s["due"] for s in row["steps"] if s["status"] in ("open", "in_progress")
        ]
        result.append(
            {
                **row,
                "account_id": external,
                "account_name": name,
                "owner": owner,
                "next_due": min(pending, default=None),
                "overdue": sum(1 for due in pending if due < day),
            }
        )
    result.sort(key=lambda r: (r["next_due"] is None, r["next_due"] or day, r["id"]))
    return result
