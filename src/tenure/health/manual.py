"""What CSMs enter by hand: health overrides with a reason and expiry, sentiment.

Every function takes the caller's data scope ``owners``; an account outside it
behaves exactly as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.db.base import utcnow
from tenure.health.errors import HealthError, NotFound
from tenure.health.models import HealthOverride, Scorecard, SentimentEntry
from tenure.health.reads import Owners, account_in_scope
from tenure.health.scorecards import definition_of, ensure_default_scorecard
from tenure.revenue.loading import today

log = logging.getLogger(__name__)

SENTIMENT_VALUES = range(1, 6)


def _band_names(session: Session) -> set[str]:
    """Every band name of the active scorecards."""
    names: set[str] = set()
    statement = select(Scorecard).where(Scorecard.active.is_(True))
    for row in session.scalars(statement):
        names.update(definition_of(row).band_names())
    return names


def create_override(
    session: Session,
    *,
    account_external_id: str,
    band: str,
    reason: str,
    expires_on: dt.date,
    starts_on: dt.date | None = None,
    score_value: float | None = None,
    created_by_id: int | None = None,
    owners: Owners = None,
) -> HealthOverride:
    """Set an account's band by hand from ``starts_on`` (today) until ``expires_on``.

    The override holds up to the day before ``expires_on``.
    """
    account = account_in_scope(session, account_external_id, owners)
    starts_on = starts_on or today(session)
    ensure_default_scorecard(session)
    names = _band_names(session)
    where = f"override of account '{account_external_id}'"
    if band not in names:
        raise HealthError(
            f"{where}: band '{band}' is not one of {', '.join(sorted(names))}"
        )
    if not reason or not reason.strip():
        raise HealthError(f"{where}: reason must not be blank")
    if expires_on <= starts_on:
        raise HealthError(
            f"{where}: expires_on {expires_on} must be after starts_on {starts_on}"
        )
    if score_value is not None and not 0 <= score_value <= 100:
        raise HealthError(f"{where}: score {score_value} is outside 0..100")
    row = HealthOverride(
        account_id=account,
        band=band,
        score=None if score_value is None else round(score_value, 1),
        reason=reason.strip(),
        starts_on=starts_on,
        expires_on=expires_on,
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    log.info("override %s set for account %s", band, account_external_id)
    return row


def revoke_override(
    session: Session, override_id: int, *, owners: Owners = None
) -> HealthOverride:
    """Revoke an override now; it no longer applies to any day scored after."""
    row = session.get(HealthOverride, override_id)
    if row is None or not _in_scope(session, row.account_id, owners):
        raise NotFound(f"override {override_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def _in_scope(session: Session, account: int, owners: Owners) -> bool:
    """Tell whether the account with internal id ``account`` is in scope."""
    owner = session.scalar(select(Account.owner_id).where(Account.id == account))
    return owners is None or owner in owners


def list_overrides(
    session: Session, account_external_id: str, *, owners: Owners = None
) -> list[HealthOverride]:
    """Every override of an account, newest first, revoked and expired included."""
    account = account_in_scope(session, account_external_id, owners)
    statement = (
        select(HealthOverride)
        .where(HealthOverride.account_id == account)
        .order_by(HealthOverride.created_at.desc(), HealthOverride.id.desc())
    )
    return list(session.scalars(statement))


def add_sentiment(
    session: Session,
    *,
    account_external_id: str,
    value: int,
    recorded_on: dt.date | None = None,
    note: str | None = None,
    author_id: int | None = None,
    owners: Owners = None,
) -> SentimentEntry:
    """Record a CSM's read of the customer, 1 (very unhappy) to 5 (very happy)."""
    account = account_in_scope(session, account_external_id, owners)
    if isinstance(value, bool) or value not in SENTIMENT_VALUES:
        raise HealthError(
            f"sentiment of account '{account_external_id}': value {value!r} is not "
            "a whole number from 1 to 5"
        )
    recorded_on = recorded_on or today(session)
    if recorded_on > today(session):
        raise HealthError(
            f"sentiment of account '{account_external_id}': recorded_on "
            f"{recorded_on} is in the future"
        )
    entry = SentimentEntry(
        account_id=account,
        value=value,
        note=(note or "").strip() or None,
        recorded_on=recorded_on,
        author_id=author_id,
    )
    session.add(entry)
    session.flush()
    return entry


def list_sentiment(
    session: Session, account_external_id: str, *, owners: Owners = None
) -> list[SentimentEntry]:
    """An account's sentiment entries, newest first."""
    account = account_in_scope(session, account_external_id, owners)
    statement = (
        select(SentimentEntry)
        .where(SentimentEntry.account_id == account)
        .order_by(SentimentEntry.recorded_on.desc(), SentimentEntry.id.desc())
    )
    return list(session.scalars(statement))
