"""Playbooks and their runs as JSON: definitions, starting, progress, cancelling.

Every role reads playbooks, and the runs on accounts in its scope; defining
playbooks needs ``manage_operations`` (admins and managers), starting and
cancelling runs ``work_tasks`` (admins, managers and CSMs).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.auth.scope import Principal, owner_scope
from tenure.playbooks import service as playbooks
from tenure.revenue.loading import today
from tenure.tasks.service import TaskError
from tenure.web.api.deps import (
    Caller,
    Db,
    TenureJSON,
    allow,
    not_found,
    unprocessable,
)

log = logging.getLogger(__name__)

router = APIRouter(tags=["playbooks"], default_response_class=TenureJSON)

Spec = Annotated[
    dict[str, Any],
    Body(description="A playbook: name, kind, description, active, applies_to, steps"),
]


class NewRun(BaseModel):
    """Which playbook to start on the account, and why."""

    playbook_id: int
    note: str | None = Field(default=None, max_length=2000)


def _owners(session: Session, principal: Principal) -> frozenset[int] | None:
    return owner_scope(session, principal)


def _failed(exc: playbooks.PlaybookError | TaskError) -> HTTPException:
    """The response to a playbook error: 404 unknown, else 422."""
    if isinstance(exc, playbooks.NotFound):
        return not_found(str(exc))
    return unprocessable(str(exc))


def _account(session: Session, principal: Principal, account_id: str) -> int:
    try:
        return accounts.account_id_in_scope(
            session, account_id, _owners(session, principal)
        )
    except accounts.NotFound:
        raise not_found(f"no account '{account_id}'") from None


@router.get("/playbooks")
def list_playbooks(principal: Caller, session: Db) -> TenureJSON:
    """Every playbook by name, with its version and runs under way."""
    return TenureJSON(playbooks.list_playbooks(session))


@router.post("/playbooks", status_code=status.HTTP_201_CREATED)
def create_playbook(spec: Spec, principal: Caller, session: Db) -> TenureJSON:
    """Create a playbook; errors name the step and field at fault."""
    allow(principal, "manage_operations")
    try:
        row = playbooks.create_playbook(session, spec, principal.user_id)
    except playbooks.PlaybookError as exc:
        raise _failed(exc) from None
    return TenureJSON(playbooks.playbook_row(row), status_code=status.HTTP_201_CREATED)


@router.get("/playbooks/{playbook_id}")
def get_playbook(playbook_id: int, principal: Caller, session: Db) -> TenureJSON:
    """One playbook with its steps."""
    try:
        row = playbooks.get_playbook(session, playbook_id)
    except playbooks.PlaybookError as exc:
        raise _failed(exc) from None
    return TenureJSON(playbooks.playbook_row(row))


@router.put("/playbooks/{playbook_id}")
def update_playbook(
    playbook_id: int, spec: Spec, principal: Caller, session: Db
) -> TenureJSON:
    """Replace a playbook; its version goes up, runs under way keep their steps."""
    allow(principal, "manage_operations")
    try:
        row = playbooks.update_playbook(session, playbook_id, spec, principal.user_id)
    except playbooks.PlaybookError as exc:
        raise _failed(exc) from None
    return TenureJSON(playbooks.playbook_row(row))


@router.delete("/playbooks/{playbook_id}")
def delete_playbook(playbook_id: int, principal: Caller, session: Db) -> TenureJSON:
    """Delete a playbook that never ran; one that ran is deactivated instead."""
    allow(principal, "manage_operations")
    try:
        outcome = playbooks.delete_playbook(session, playbook_id)
    except playbooks.PlaybookError as exc:
        raise _failed(exc) from None
    return TenureJSON({"id": playbook_id, "outcome": outcome})


@router.get("/accounts/{account_id}/playbooks")
def account_runs(account_id: str, principal: Caller, session: Db) -> TenureJSON:
    """The account's playbook runs, newest first, with each step and the progress."""
    account = _account(session, principal, account_id)
    return TenureJSON(playbooks.runs_for_account(session, account))


@router.post("/accounts/{account_id}/playbooks", status_code=status.HTTP_201_CREATED)
def start_run(
    account_id: str, new: NewRun, principal: Caller, session: Db
) -> TenureJSON:
    """Start a playbook on the account: one task per step, due from today."""
    allow(principal, "work_tasks")
    _account(session, principal, account_id)
    try:
        run = playbooks.start_for(
            session,
            principal,
            new.playbook_id,
            account_id,
            today(session),
            note=new.note,
        )
    except (playbooks.PlaybookError, TaskError) as exc:
        raise _failed(exc) from None
    return TenureJSON(
        playbooks.run_row(session, run.id), status_code=status.HTTP_201_CREATED
    )


@router.get("/playbook-runs")
def active_runs(principal: Caller, session: Db) -> TenureJSON:
    """The runs under way on the accounts in scope, the next due first."""
    return TenureJSON(playbooks.active_runs(session, _owners(session, principal)))


@router.post("/playbook-runs/{run_id}/cancel")
def cancel_run(run_id: int, principal: Caller, session: Db) -> TenureJSON:
    """Cancel a run under way and its open tasks."""
    allow(principal, "work_tasks")
    try:
        run = playbooks.cancel_run(session, principal, run_id)
    except playbooks.PlaybookError as exc:
        raise _failed(exc) from None
    return TenureJSON(playbooks.run_row(session, run.id))
