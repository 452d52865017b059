"""Health changes made from the web, shared by the API and the pages.

An override or a sentiment entry changes the score only when the account is scored
again. The daily job scores once a day, so when today's snapshots exist already the
one account is scored again at once; otherwise the next run takes the change in.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.auth.scope import Principal, owner_scope
from tenure.health import service as health
from tenure.health.models import HealthOverride, HealthSnapshot, SentimentEntry
from tenure.health.reads import account_in_scope
from tenure.revenue.loading import today

log = logging.getLogger(__name__)


def rescore_today(session: Session, account: int) -> bool:
    """Score one account again for today if today is scored; tell whether it was."""
    day = today(session)
    scored = session.scalar(
        select(HealthSnapshot.as_of).where(
            HealthSnapshot.account_id == account, HealthSnapshot.as_of == day
        )
    )
    if scored is None:
        log.info("account %s not rescored: today is not scored yet", account)
        return False
    health.score_accounts(session, day, [account])
    return True


def set_override(
    session: Session,
    principal: Principal,
    account_external_id: str,
    *,
    band: str,
    reason: str,
    expires_on: dt.date,
    score: float | None = None,
) -> HealthOverride:
    """Set an override on an account in the principal's scope and apply it today."""
    owners = owner_scope(session, principal)
    row = health.create_override(
        session,
        account_external_id=account_external_id,
        band=band,
        reason=reason,
        expires_on=expires_on,
        score_value=score,
        created_by_id=principal.user_id,
        owners=owners,
    )
    rescore_today(session, row.account_id)
    return row


def revoke_override(
    session: Session, principal: Principal, account_external_id: str, override_id: int
) -> HealthOverride:
    """Revoke an override of an account in the principal's scope; rescore today."""
    owners = owner_scope(session, principal)
    account = account_in_scope(session, account_external_id, owners)
    row = session.get(HealthOverride, override_id)
    if row is None or row.account_id != account:
        raise health.NotFound(f"override {override_id} not found")
    health.revoke_override(session, override_id, owners=owners)
    rescore_today(session, account)
    return row


def add_sentiment(
    session: Session,
    principal: Principal,
    account_external_id: str,
    *,
    value: int,
    note: str | None = None,
) -> SentimentEntry:
    """Record the principal's sentiment of an account in scope; rescore today."""
    entry = health.add_sentiment(
        session,
        account_external_id=account_external_id,
        value=value,
        note=note,
        author_id=principal.user_id,
        owners=owner_scope(session, principal),
    )
    rescore_today(session, entry.account_id)
    return entry
