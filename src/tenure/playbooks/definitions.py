"""Playbook definitions: create, change, list and delete them.

Every change raises the playbook's ``version``; runs already under way keep the
steps they copied when they started.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tenure.playbooks.models import Playbook, PlaybookRun
from tenure.playbooks.schemas import NotFound, PlaybookError, PlaybookSpec
from tenure.segments.schemas import SegmentError, checked

log = logging.getLogger(__name__)

Row = dict[str, Any]


def _validated(data: PlaybookSpec | Mapping[str, Any], what: str) -> PlaybookSpec:
    try:
        return checked(PlaybookSpec, data, what)
    except SegmentError as exc:
        raise PlaybookError(exc.field, exc.value, exc.reason) from None


def get_playbook(session: Session, playbook_id: int) -> Playbook:
    """The playbook with ``playbook_id``, or NotFound."""
    row = session.get(Playbook, playbook_id)
    if row is None:
        raise NotFound("playbook", playbook_id, "no such playbook")
    return row


def spec_of(row: Playbook) -> PlaybookSpec:
    """A stored playbook as the spec it was written from."""
    data = {
        "name": row.name,
        "kind": row.kind,
        "description": row.description,
        "active": row.active,
        "applies_to": row.applies_to,
        "steps": row.steps,
    }
    return _validated(data, f"playbook '{row.name}'")


def playbook_spec(session: Session, playbook_id: int) -> Row:
    """A playbook as JSON-ready spec data, as its editor shows it."""
    return spec_of(get_playbook(session, playbook_id)).stored()


def playbook_row(row: Playbook, active_runs: int = 0) -> Row:
    """A playbook as plain values, with the number of its runs under way."""
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "description": row.description,
        "active": row.active,
        "applies_to": dict(row.applies_to or {}),
        "steps": list(row.steps or []),
        "version": row.version,
        "active_runs": active_runs,
        "updated_at": row.updated_at,
    }


def list_playbooks(session: Session) -> list[Row]:
    """Every playbook by name, with its runs under way."""
    counts = dict(
        session.execute(
            select(PlaybookRun.playbook_id, func.count())
            .where(PlaybookRun.status == "active")
            .group_by(PlaybookRun.playbook_id)
        ).all()
    )
    rows = session.scalars(select(Playbook).order_by(Playbook.name))
    return [playbook_row(row, counts.get(row.id, 0)) for row in rows]


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    found = session.scalar(select(Playbook.id).where(Playbook.name == name))
    if found is not None and found != own_id:
        raise PlaybookError("name", name, "is already the name of another playbook")


def create_playbook(
    session: Session, spec: PlaybookSpec | Mapping[str, Any], actor_id: int | None
) -> Playbook:
    """Create a playbook; its name must be free."""
    checked_spec = _validated(spec, "playbook")
    _check_name_free(session, checked_spec.name, None)
    row = Playbook(**checked_spec.stored(), version=1, updated_by_id=actor_id)
    session.add(row)
    session.flush()
    log.info("playbook %s created", row.name, extra={"playbook_id": row.id})
    return row


def update_playbook(
    session: Session,
    playbook_id: int,
    spec: PlaybookSpec | Mapping[str, Any],
    actor_id: int | None,
) -> Playbook:
    """Replace a playbook's definition; its version goes up when anything changed.

    Runs under way keep the steps they copied when they started.
    """
    row = get_playbook(session, playbook_id)
    checked_spec = _validated(spec, f"playbook '{row.name}'")
    _check_name_free(session, checked_spec.name, row.id)
    values = checked_spec.stored()
    if all(getattr(row, key) == value for key, value in values.items()):
        return row
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_by_id = actor_id
    session.flush()
    log.info("playbook %s is now version %d", row.name, row.version)
    return row


def delete_playbook(session: Session, playbook_id: int) -> str:
    """Delete a playbook that never ran; one that ran is deactivated instead.

    Returns "deleted" or "deactivated".
    """
    row = get_playbook(session, playbook_id)
    ran = session.scalar(
        select(PlaybookRun.id).where(PlaybookRun.playbook_id == row.id)
    )
    if ran is not None:
        row.active = False
        row.updated_by_id = None
        session.flush()
        log.info("playbook %s has runs: deactivated, not deleted", row.name)
        return "deactivated"
    session.delete(row)
    session.flush()
    log.info("playbook %s deleted", row.name)
    return "deleted"
