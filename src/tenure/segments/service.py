"""Saved segments: create, change, list and delete them; who is in one on a day.

A segment is given as a saved segment, its key or id, or an unsaved
``SegmentFilter``. Reads that show accounts take the caller's data scope
``owners``: the staff ids whose accounts the caller sees, or None for all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.health.models import Scorecard
from tenure.health.population import fact_currency
from tenure.money import to_major
from tenure.revenue.loading import today
from tenure.rules.models import Rule
from tenure.segments import facts, matching
from tenure.segments.models import SavedSegment
from tenure.segments.schemas import (
    NotFound,
    SegmentError,
    SegmentFilter,
    SegmentSpec,
    checked,
)
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

Row = dict[str, Any]
Owners = frozenset[int] | None
SegmentRef = SavedSegment | SegmentFilter | int | str
PREVIEW_ROWS = 20


class SegmentInUse(SegmentError):
    """A segment that rules still use, so it cannot be deleted."""


def filter_of(segment: SavedSegment) -> SegmentFilter:
    """The validated filter of a saved segment."""
    return checked(SegmentFilter, segment.definition, f"segment '{segment.key}'")


def get_segment(session: Session, key_or_id: int | str) -> SavedSegment:
    """The saved segment with this key (text) or id (number), or NotFound."""
    if isinstance(key_or_id, int):
        found = session.get(SavedSegment, key_or_id)
    else:
        statement = select(SavedSegment).where(SavedSegment.key == key_or_id.strip())
        found = session.scalar(statement)
    if found is None:
        raise NotFound("segment", key_or_id, "no such segment")
    return found


def _filter(session: Session, segment: SegmentRef) -> SegmentFilter:
    if isinstance(segment, SegmentFilter):
        return segment
    if isinstance(segment, SavedSegment):
        return filter_of(segment)
    return filter_of(get_segment(session, segment))


def _check_key_free(session: Session, key: str, own_id: int | None) -> None:
    found = session.scalar(select(SavedSegment.id).where(SavedSegment.key == key))
    if found is not None and found != own_id:
        raise SegmentError("key", key, "is already taken by another segment")


def create_segment(
    session: Session, spec: SegmentSpec | Mapping[str, Any], actor_id: int | None
) -> SavedSegment:
    """Save a new segment; its key must be free."""
    checked_spec = checked(SegmentSpec, spec, "segment")
    _check_key_free(session, checked_spec.key, None)
    row = SavedSegment(
        key=checked_spec.key,
        name=checked_spec.name,
        description=checked_spec.description,
        definition=checked_spec.definition.stored(),
        created_by_id=actor_id,
    )
    session.add(row)
    session.flush()
    log.info("segment %s created", row.key, extra={"segment_id": row.id})
    return row


def update_segment(
    session: Session,
    key_or_id: int | str,
    spec: SegmentSpec | Mapping[str, Any],
    actor_id: int | None,
) -> SavedSegment:
    """Replace a segment's key, name, description and filter."""
    row = get_segment(session, key_or_id)
    checked_spec = checked(SegmentSpec, spec, f"segment '{row.key}'")
    _check_key_free(session, checked_spec.key, row.id)
    row.key = checked_spec.key
    row.name = checked_spec.name
    row.description = checked_spec.description
    row.definition = checked_spec.definition.stored()
    session.flush()
    log.info(
        "segment %s changed", row.key, extra={"segment_id": row.id, "by": actor_id}
    )
    return row


def delete_segment(session: Session, key_or_id: int | str) -> None:
    """Delete a segment, refusing while a rule is limited to it."""
    row = get_segment(session, key_or_id)
    rules = sorted(session.scalars(select(Rule.name).where(Rule.segment_id == row.id)))
    cards = sorted(
        card.name
        for card in session.scalars(select(Scorecard))
        if (card.segment or {}).get("saved") == row.key
    )
    users = [
        f"{kind} use it ({', '.join(names)})"
        for kind, names in (("rules", rules), ("scorecards", cards))
        if names
    ]
    if users:
        raise SegmentInUse(
            "segment", row.key, "; ".join(users) + "; change or delete them first"
        )
    session.delete(row)
    session.flush()
    log.info("segment %s deleted", row.key)


def scope_ids(session: Session, owners: Owners) -> set[int] | None:
    """The ids of the accounts ``owners`` own; None (every account) for no scope."""
    if owners is None:
        return None
    if not owners:
        return set()
    statement = select(Account.id).where(Account.owner_id.in_(sorted(owners)))
    return set(session.scalars(statement))


def member_ids(
    session: Session,
    segment: SegmentRef,
    as_of: dt.date,
    accounts: Collection[int] | None = None,
) -> set[int]:
    """The ids of the accounts in ``segment`` on ``as_of`` (among ``accounts``)."""
    chosen = _filter(session, segment)
    if chosen.is_empty():
        if accounts is not None:
            statement = select(Account.id).where(facts.id_in(Account.id, accounts))
            return set(session.scalars(statement))
        return set(session.scalars(select(Account.id)))
    test = matching.matcher(chosen)
    loaded = facts.load(session, [chosen], as_of, accounts, narrow=True)
    return {account for account, found in loaded.items() if test(found)}


def count_members(
    session: Session,
    segments: list[SegmentFilter],
    as_of: dt.date,
    accounts: Collection[int] | None = None,
) -> list[int]:
    """How many accounts each filter holds, reading every source once for all."""
    loaded = facts.load(session, segments, as_of, accounts)
    counts = []
    for segment in segments:
        test = matching.matcher(segment)
        counts.append(sum(1 for found in loaded.values() if test(found)))
    return counts


def segment_row(row: SavedSegment, members: int | None = None) -> Row:
    """A saved segment as plain values, with its member count when known."""
    return {
        "id": row.id,
        "key": row.key,
        "name": row.name,
        "description": row.description,
        "definition": dict(row.definition or {}),
        "members": members,
        "updated_at": row.updated_at,
    }


def list_segments(
    session: Session, owners: Owners = None, as_of: dt.date | None = None
) -> list[Row]:
    """Every saved segment by name, with how many accounts in scope it holds."""
    rows = list(session.scalars(select(SavedSegment).order_by(SavedSegment.name)))
    if not rows:
        return []
    day = as_of or today(session)
    counts = count_members(
        session, [filter_of(row) for row in rows], day, scope_ids(session, owners)
    )
    return [segment_row(row, count) for row, count in zip(rows, counts, strict=True)]


def members(
    session: Session,
    segment: SegmentRef,
    as_of: dt.date,
    owners: Owners,
    limit: int | None = None,
) -> list[Row]:
    """The accounts in scope in ``segment``, biggest MRR first.

    Each row: account_id (external), name, industry, region, tier, priority, mrr,
    currency, status, band, score, owner (email) and owner_name.
    """
    ids = member_ids(session, segment, as_of, scope_ids(session, owners))
    if not ids:
        return []
    few = sorted(ids) if len(ids) <= facts.FEW else None
    mrr = facts.mrr_on(session, as_of, few)
    health = facts.latest_health(session, as_of, few)
    currency = fact_currency(session)
    statement = (
        select(
            Account.id,
            Account.external_id,
            Account.name,
            Account.industry,
            Account.region,
            Account.tier,
            Account.priority,
            StaffUser.email,
            StaffUser.name,
        )
        .outerjoin(StaffUser, StaffUser.id == Account.owner_id)
        .where(facts.id_in(Account.id, ids))
    )
    rows: list[Row] = []
    for (account, external, name, industry, region, tier, priority, email,
         owner_name) in session.execute(statement):  # fmt: skip
        minor = mrr.get(account)
        band, score = health.get(account, (None, None))
        rows.append(
            {
                "account_id": external,
                "name": name,
                "industry": industry,
                "region": region,
                "tier": tier,
                "priority": priority,
                "mrr": to_major(minor or 0, currency),
                "currency": currency,
                "status": facts.status_of(minor),
                "band": band,
                "score": score,
                "owner": email,
                "owner_name": owner_name,
            }
        )
    rows.sort(key=lambda r: (-r["mrr"], r["name"], r["account_id"]))
    return rows if limit is None else rows[:limit]


def preview(
    session: Session,
    definition: SegmentFilter | Mapping[str, Any],
    as_of: dt.date,
    owners: Owners,
    limit: int = PREVIEW_ROWS,
) -> Row:
    """An unsaved filter's member count in scope and its first rows."""
    chosen = checked(SegmentFilter, definition, "definition")
    rows = members(session, chosen, as_of, owners)
    return {"total": len(rows), "rows": rows[:limit]}


def segment_choices(session: Session) -> dict[str, str]:
    """Saved segments' names by key, for a filter; no member is counted."""
    query = select(SavedSegment.key, SavedSegment.name).order_by(SavedSegment.name)
    return {key: name for key, name in session.execute(query)}


def within(
    session: Session,
    scope: Collection[int] | None,
    key: str | None,
    as_of: dt.date,
) -> frozenset[int] | None:
    """``scope`` (None: every account) narrowed to the members of segment ``key``.

    No key leaves the scope as it is; an unknown key leaves nothing rather than
    everything, so a stale link never widens what a report shows.
    """
    if not key:
        return None if scope is None else frozenset(scope)
    try:
        found = get_segment(session, key)
    except SegmentError:
        log.info("no saved segment %r: nothing in scope", key)
        return frozenset()
    return frozenset(member_ids(session, found, as_of, scope))
