"""The watch list: the accounts a staff user keeps an eye on, and why.

A user watches only accounts in their data scope; an account that later leaves
the scope stays on the list but is not shown, as if it did not exist.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.auth.scope import owner_scope, principal_for
from tenure.health.population import fact_currency
from tenure.money import to_major
from tenure.revenue.loading import today
from tenure.revenue.models import AccountRevenue
from tenure.segments import facts
from tenure.segments.models import WatchEntry
from tenure.segments.schemas import NotFound, SegmentError
from tenure.staff.models import StaffUser

log = logging.getLogger(__name__)

Row = dict[str, Any]
MAX_REASON = 300


def _owners(session: Session, user_id: int) -> frozenset[int] | None:
    """The data scope of staff user ``user_id``."""
    user = session.get(StaffUser, user_id)
    if user is None:
        raise NotFound("user", user_id, "no such staff user")
    return owner_scope(session, principal_for(user))


def _account_id(session: Session, user_id: int, account: str) -> int:
    """The id of the account ``account`` (external id) if the user sees it."""
    owners = _owners(session, user_id)
    statement = select(Account.id).where(Account.external_id == account)
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    found = session.scalar(statement)
    if found is None:
        raise NotFound("account", account, "no such account")
    return found


def watch(
    session: Session, user_id: int, account: str, reason: str | None = None
) -> WatchEntry:
    """Put an account on the user's watch list, or change why it is there."""
    text = (reason or "").strip() or None
    if text is not None and len(text) > MAX_REASON:
        raise SegmentError(
            "reason", text[:40] + "...", f"must be at most {MAX_REASON} characters"
        )
    account_id = _account_id(session, user_id, account)
    entry = session.get(WatchEntry, (user_id, account_id))
    if entry is None:
        entry = WatchEntry(user_id=user_id, account_id=account_id, reason=text)
        session.add(entry)
    else:
        entry.reason = text
    session.flush()
    log.info("user %d watches %s", user_id, account)
    return entry


def unwatch(session: Session, user_id: int, account: str) -> bool:
    """Take an account off the user's watch list; tell whether it was on it."""
    account_id = _account_id(session, user_id, account)
    entry = session.get(WatchEntry, (user_id, account_id))
    if entry is None:
        return False
    session.delete(entry)
    session.flush()
    log.info("user %d no longer watches %s", user_id, account)
    return True


def is_watched(session: Session, user_id: int, account_id: int) -> bool:
    """Tell whether the user watches the account (by its id)."""
    query = select(
        exists().where(
            WatchEntry.user_id == user_id, WatchEntry.account_id == account_id
        )
    )
    return bool(session.scalar(query))


def watched(session: Session, user_id: int) -> list[Row]:
    """The user's watched accounts in scope, highest priority first, then MRR.

    Each row: account_id (external), account_name, tier, priority, band, score,
    mrr (today, reporting currency), currency, reason and since.
    """
    owners = _owners(session, user_id)
    statement = (
        select(
            Account.id,
            Account.external_id,
            Account.name,
            Account.tier,
            Account.priority,
            AccountRevenue.mrr_minor,
            WatchEntry.reason,
            WatchEntry.created_at,
        )
        .join(Account, Account.id == WatchEntry.account_id)
        .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
        .where(WatchEntry.user_id == user_id)
    )
    if owners is not None:
        statement = statement.where(Account.owner_id.in_(sorted(owners)))
    records = session.execute(statement).all()
    if not records:
        return []
    health = facts.latest_health(session, today(session), [r[0] for r in records])
    currency = fact_currency(session)
    rows: list[Row] = []
    for account, external, name, tier, priority, mrr, reason, since in records:
        band, score = health.get(account, (None, None))
        rows.append(
            {
                "account_id": external,
                "account_name": name,
                "tier": tier,
                "priority": priority,
                "band": band,
                "score": score,
                "mrr": to_major(mrr or 0, currency),
                "currency": currency,
                "reason": reason,
                "since": since,
            }
        )
    rows.sort(
        key=lambda r: (
            r["priority"] is None,
            -(r["priority"] or 0),
            -r["mrr"],
            r["account_name"],
        )
    )
    return rows
