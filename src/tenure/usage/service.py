"""Event sources and their write keys, and reads of the daily usage rollups."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.service import account_id_in_scope
from tenure.auth.service import token_hash
from tenure.db.base import utcnow
from tenure.settings.service import DEFAULT_DATA_DIR
from tenure.usage.models import EventSource, UsageDaily

log = logging.getLogger(__name__)

WRITE_KEY_PREFIX = "tws_"


class SourceError(ValueError):
    """A source name that is taken or unknown."""


def events_path() -> Path:
    """The DuckDB event file: ``TENURE_EVENTS_PATH``, else under ``tenure-data/``."""
    configured = os.environ.get("TENURE_EVENTS_PATH")
    return Path(configured) if configured else DEFAULT_DATA_DIR / "events.duckdb"


def create_source(session: Session, name: str) -> tuple[str, EventSource]:
    """Create a source and return its write key (shown once, kept only as a hash)."""
    name = name.strip()
    if not name:
        raise SourceError("a source needs a name")
    if session.scalar(select(EventSource).filter_by(name=name)) is not None:
        raise SourceError(f"a source named '{name}' exists already")
    key = WRITE_KEY_PREFIX + secrets.token_urlsafe(24)
    source = EventSource(name=name, prefix=key[:10], key_hash=token_hash(key))
    session.add(source)
    session.flush()
    log.info("event source %s created", name)
    return key, source


def list_sources(session: Session) -> list[EventSource]:
    """Every source, newest first."""
    return list(
        session.scalars(select(EventSource).order_by(EventSource.created_at.desc()))
    )


def revoke_source(session: Session, name: str) -> EventSource:
    """Stop accepting a source's write key."""
    source = session.scalar(select(EventSource).filter_by(name=name))
    if source is None:
        raise SourceError(f"no source named '{name}'")
    if source.revoked_at is None:
        source.revoked_at = utcnow()
        log.info("event source %s revoked", name)
    return source


def resolve_write_key(session: Session, key: str) -> EventSource | None:
    """The live source a write key belongs to, or None."""
    source = session.scalar(select(EventSource).filter_by(key_hash=token_hash(key)))
    if source is None or source.revoked_at is not None:
        return None
    return source


def usage_rows(
    session: Session,
    account_external_id: str,
    start: dt.date,
    end: dt.date,
    owners: frozenset[int] | None = None,
) -> list[dict[str, Any]]:
    """One row per day from ``start`` to ``end``: day, active_users, events.

    Days without activity are listed with zeros, so a chart or a CSV shows the gaps.
    ``owners`` limits the accounts to those owned by these staff ids; an account
    outside them, or unknown, raises ``tenure.accounts.service.NotFound``.
    """
    account_id = account_id_in_scope(session, account_external_id, owners)
    stored = {
        row.day: row
        for row in session.scalars(
            select(UsageDaily).where(
                UsageDaily.account_id == account_id,
                UsageDaily.day >= start,
                UsageDaily.day <= end,
            )
        )
    }
    rows = []
    day = start
    while day <= end:
        found = stored.get(day)
        rows.append(
            {
                "day": day,
                "active_users": found.active_users if found else 0,
                "events": found.events if found else 0,
                "features_used": found.features_used if found else 0,
            }
        )
        day += dt.timedelta(days=1)
    return rows
