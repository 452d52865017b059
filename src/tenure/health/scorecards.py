"""Scorecards: create, change, list, delete, export and import, and the default.

Exactly one active scorecard is the default at any time once scoring has run: it
scores every account that no other scorecard's segment claims. Changing a
scorecard increments its version, which every snapshot records.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tenure.db.base import utcnow
from tenure.health.defaults import DEFAULT_NAME, default_spec
from tenure.health.errors import HealthError, NotFound, error_lines
from tenure.health.models import Scorecard
from tenure.health.schemas import (
    ScorecardDefinition,
    ScorecardExport,
    ScorecardRead,
    ScorecardSpec,
    ScorecardUpdate,
    Segment,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportResult:
    """What an import did, by scorecard name."""

    created: list[str]
    updated: list[str]
    unchanged: list[str]
    deleted: list[str]


def _validated(model: type[Any], data: Any, what: str) -> Any:
    """Validate ``data`` as ``model``; raise HealthError naming ``what`` and fields."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = error_lines(exc, data)
        raise HealthError(f"{what}: " + "; ".join(lines)) from None


def definition_of(row: Scorecard) -> ScorecardDefinition:
    """The validated definition of a stored scorecard."""
    found: ScorecardDefinition = _validated(
        ScorecardDefinition, row.definition, f"scorecard '{row.name}'"
    )
    return found


def segment_of(row: Scorecard) -> Segment:
    """The validated segment filter of a stored scorecard."""
    found: Segment = _validated(Segment, row.segment, f"scorecard '{row.name}'")
    return found


def _stored(spec: ScorecardSpec) -> dict[str, Any]:
    """The column values of a scorecard spec, as JSON-ready data."""
    return {
        "name": spec.name,
        "priority": spec.priority,
        "is_default": spec.is_default,
        "active": spec.active,
        "segment": spec.segment.model_dump(mode="json", exclude_none=True),
        "definition": spec.definition.model_dump(
            mode="json", by_alias=True, exclude_none=True
        ),
    }


def to_spec(row: Scorecard) -> ScorecardSpec:
    """A stored scorecard as the spec it was created from."""
    return ScorecardSpec(
        name=row.name,
        priority=row.priority,
        is_default=row.is_default,
        active=row.active,
        segment=segment_of(row),
        definition=definition_of(row),
    )


def to_read(row: Scorecard) -> ScorecardRead:
    """A stored scorecard with its id and version."""
    spec = to_spec(row)
    return ScorecardRead(
        **dict(spec), id=row.id, version=row.version, updated_at=row.updated_at
    )


def list_scorecards(session: Session) -> list[ScorecardRead]:
    """Every scorecard in priority order (the default last among equals)."""
    return [to_read(row) for row in _rows(session)]


def _rows(session: Session) -> list[Scorecard]:
    statement = select(Scorecard).order_by(
        Scorecard.priority, Scorecard.is_default, Scorecard.name
    )
    return list(session.scalars(statement))


def get_or_raise(session: Session, scorecard_id: int) -> Scorecard:
    """The scorecard with ``scorecard_id``, or NotFound."""
    row = session.get(Scorecard, scorecard_id)
    if row is None:
        raise NotFound(f"scorecard {scorecard_id} not found")
    return row


def get_by_name(session: Session, name: str) -> Scorecard | None:
    """The scorecard called ``name``, if any."""
    return session.scalar(select(Scorecard).where(Scorecard.name == name.strip()))


def _check_saved(session: Session, spec: ScorecardSpec) -> None:
    """Refuse a saved segment that is unknown or reads health: scoring picks by it."""
    key = spec.segment.saved
    if key is None:
        return
    from tenure.segments import service as saved_segments
    from tenure.segments.schemas import HEALTH_CONDITIONS, SegmentError

    what = f"scorecard '{spec.name}': segment.saved '{key}'"
    try:
        found = saved_segments.get_segment(session, key)
    except SegmentError:
        raise HealthError(f"{what}: no such saved segment") from None
    used = saved_segments.filter_of(found).given() & set(HEALTH_CONDITIONS)
    if used:
        raise HealthError(
            f"{what} reads {', '.join(sorted(used))}; a scorecard's segment may not "
            "depend on health"
        )


def _check_name_free(session: Session, name: str, own_id: int | None) -> None:
    found = get_by_name(session, name)
    if found is not None and found.id != own_id:
        raise HealthError(f"scorecard name '{name}' is already taken")


def _make_default(session: Session, row: Scorecard) -> None:
    """Make ``row`` the only default scorecard."""
    session.execute(
        update(Scorecard)
        .where(Scorecard.id != row.id, Scorecard.is_default.is_(True))
        .values(is_default=False, updated_at=utcnow())
    )
    session.expire_all()


def create(
    session: Session, spec: ScorecardSpec | Mapping[str, Any], *, by: int | None = None
) -> Scorecard:
    """Create a scorecard from a validated spec (or data that validates as one)."""
    name = spec.get("name") if isinstance(spec, Mapping) else spec.name
    checked: ScorecardSpec = _validated(ScorecardSpec, spec, f"scorecard '{name}'")
    if checked.is_default and not checked.active:
        raise HealthError(f"scorecard '{checked.name}': the default must be active")
    _check_name_free(session, checked.name, None)
    _check_saved(session, checked)
    row = Scorecard(**_stored(checked), version=1, updated_by_id=by)
    session.add(row)
    session.flush()
    if row.is_default:
        _make_default(session, row)
    log.info("scorecard %s created", row.name, extra={"scorecard_id": row.id})
    return row


def update_scorecard(
    session: Session,
    scorecard_id: int,
    changes: ScorecardUpdate | Mapping[str, Any],
    *,
    by: int | None = None,
) -> Scorecard:
    """Change a scorecard; its version goes up by one when anything changed."""
    row = get_or_raise(session, scorecard_id)
    what = f"scorecard '{row.name}'"
    given: ScorecardUpdate = _validated(ScorecardUpdate, changes, what)
    merged = to_spec(row).model_copy(
        update={k: getattr(given, k) for k in given.model_fields_set}
    )
    spec: ScorecardSpec = _validated(ScorecardSpec, merged.model_dump(), what)
    if row.is_default and not (spec.is_default and spec.active):
        raise HealthError(
            f"{what} is the default: make another scorecard the default first"
        )
    return _apply(session, row, spec, by)


def _apply(
    session: Session, row: Scorecard, spec: ScorecardSpec, by: int | None
) -> Scorecard:
    """Store ``spec`` into ``row``, incrementing the version if anything changed."""
    if spec.is_default and not spec.active:
        raise HealthError(f"scorecard '{spec.name}': the default must be active")
    _check_name_free(session, spec.name, row.id)
    _check_saved(session, spec)
    values = _stored(spec)
    current = {key: getattr(row, key) for key in values}
    if values == current:
        return row
    for key, value in values.items():
        setattr(row, key, value)
    row.version += 1
    row.updated_by_id = by
    session.flush()
    if row.is_default:
        _make_default(session, row)
    log.info("scorecard %s is now version %d", row.name, row.version)
    return row


def delete_scorecard(session: Session, scorecard_id: int) -> None:
    """Delete a scorecard; the default goes only when it is the last one."""
    row = get_or_raise(session, scorecard_id)
    others = session.scalar(select(Scorecard.id).where(Scorecard.id != row.id))
    if row.is_default and others is not None:
        raise HealthError(
            f"scorecard '{row.name}' is the default: make another scorecard the "
            "default before deleting it"
        )
    session.delete(row)
    session.flush()
    log.info("scorecard %s deleted", row.name)


def ensure_default_scorecard(session: Session) -> Scorecard:
    """Return the active default scorecard, creating the built-in one if none."""
    statement = select(Scorecard).where(
        Scorecard.is_default.is_(True), Scorecard.active.is_(True)
    )
    found = session.scalars(statement).first()
    if found is not None:
        return found
    spec = default_spec()
    if get_by_name(session, DEFAULT_NAME) is not None:
        spec = spec.model_copy(update={"name": f"{DEFAULT_NAME} (built-in)"})
    log.info("no default scorecard: creating %s", spec.name)
    return create(session, spec)


def export_scorecards(session: Session) -> dict[str, Any]:
    """Every scorecard as the JSON-ready export document."""
    document = ScorecardExport(
        exported_at=utcnow(), scorecards=[to_spec(row) for row in _rows(session)]
    )
    return document.model_dump(mode="json", by_alias=True, exclude_none=True)


def import_scorecards(
    session: Session,
    document: Mapping[str, Any],
    *,
    replace: bool = False,
    by: int | None = None,
) -> ImportResult:
    """Create or update scorecards by name from an export document, all or nothing.

    ``replace`` also deletes the stored scorecards the document does not name.
    Nothing changes when any scorecard in the document is invalid.
    """
    parsed: ScorecardExport = _validated(ScorecardExport, document, "import")
    names = [spec.name for spec in parsed.scorecards]
    for name in names:
        if names.count(name) > 1:
            raise HealthError(f"import: scorecard '{name}' appears more than once")
    defaults = [spec.name for spec in parsed.scorecards if spec.is_default]
    if len(defaults) > 1:
        raise HealthError(f"import: more than one default: {', '.join(defaults)}")
    result = ImportResult([], [], [], [])
    savepoint = session.begin_nested()
    try:
        _import(session, parsed, replace, by, result)
        savepoint.commit()
    except BaseException:
        savepoint.rollback()
        raise
    log.info(
        "scorecards imported: %d created, %d updated, %d deleted",
        len(result.created),
        len(result.updated),
        len(result.deleted),
    )
    return result


def _import(
    session: Session,
    parsed: ScorecardExport,
    replace: bool,
    by: int | None,
    result: ImportResult,
) -> None:
    """Apply a validated import document inside the caller's savepoint."""
    existing = {row.name: row for row in _rows(session)}
    wanted = {spec.name for spec in parsed.scorecards}
    if replace:
        for name, stale in existing.items():
            if name not in wanted:
                session.delete(stale)
                result.deleted.append(name)
        session.flush()
    # Defaults first, so that a stored default losing the flag is never left alone.
    for spec in sorted(parsed.scorecards, key=lambda s: not s.is_default):
        found = existing.get(spec.name)
        if found is None:
            create(session, spec, by=by)
            result.created.append(spec.name)
            continue
        row = found
        before = row.version
        if row.is_default and not any(s.is_default for s in parsed.scorecards):
            # A document without a default keeps the stored default as it is.
            spec = spec.model_copy(update={"is_default": True, "active": True})
        _apply(session, row, spec, by)
        (result.updated if row.version != before else result.unchanged).append(
            spec.name
        )
