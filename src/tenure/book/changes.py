"""Write an owner change: the account, its owner history, its tasks, its timeline.

The past is never rewritten: the current owner's history row is closed on the
day of the change and a new one opened, and a change may not start before the
current owner's own start.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.book.facts import AccountFacts, Person
from tenure.book.schemas import BookError
from tenure.db.base import utcnow
from tenure.imports.owners import OwnerChange, record_owner_changes
from tenure.notifications.service import notify
from tenure.revenue.loading import today
from tenure.segments.facts import id_in
from tenure.timeline.models import Activity
from tenure.web.i18n import translator

log = logging.getLogger(__name__)

# The hour (UTC) a change dated in the past is written on the timeline at.
PAST_HOUR = dt.time(12, tzinfo=dt.UTC)


@dataclass(frozen=True)
class OwnerMove:
    """One account going to ``new``, with the timeline entry that says so."""

    account: AccountFacts
    new: int
    subject: str
    details: dict[str, Any] = field(default_factory=dict)


def _refuse_rewriting(
    session: Session, moves: Sequence[OwnerMove], day: dt.date
) -> None:
    """Refuse a change that would start before the current owner's own start.

    (An owned account without any history keeps its past with its owner:
    ``record_owner_changes`` gives it a row ending where the change starts.)
    """
    accounts = {move.account.id: move.account for move in moves}
    statement = select(
        AccountOwnerHistory.account_id, AccountOwnerHistory.start_date
    ).where(
        id_in(AccountOwnerHistory.account_id, accounts),
        AccountOwnerHistory.end_date.is_(None),
        AccountOwnerHistory.start_date > day,
    )
    for account_id, start in session.execute(statement):
        external_id = accounts[account_id].external_id
        raise BookError(
            "day",
            day,
            f"account '{external_id}' has had its owner since {start}; "
            "a change cannot start before that",
        )


def moment(session: Session, day: dt.date) -> dt.datetime:
    """When a change on ``day`` happened: now for today, midday for a past day."""
    if day >= today(session):
        return utcnow()
    return dt.datetime.combine(day, PAST_HOUR)


def change_owners(
    session: Session,
    moves: Sequence[OwnerMove],
    day: dt.date,
    author_id: int | None,
) -> None:
    """Give each account its new owner from ``day`` on, with history and timeline.

    Open tasks of the old owner (or of nobody) follow the account.
    """
    moves = [move for move in moves if move.new != move.account.owner_id]
    if not moves:
        return
    session.flush()
    _refuse_rewriting(session, moves, day)
    now = utcnow()
    by_owner: dict[int, list[int]] = defaultdict(list)
    for move in moves:
        by_owner[move.new].append(move.account.id)
    for owner, accounts in by_owner.items():
        session.execute(
            update(Account)
            .where(id_in(Account.id, accounts))
            .values(owner_id=owner, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    changes = [
        OwnerChange(m.account.external_id, m.account.owner_id, m.new, m.account.created)
        for m in moves
    ]
    ids = {move.account.external_id: move.account.id for move in moves}
    record_owner_changes(session, changes, ids, day)
    when = moment(session, day)
    session.execute(
        insert(Activity),
        [
            {
                "account_id": move.account.id,
                "kind": "system",
                "subject": move.subject[:300],
                "occurred_at": when,
                "author_id": author_id,
                "details": {
                    "change": "owner",
                    "from": move.account.owner_id,
                    "to": move.new,
                    **move.details,
                },
                "created_at": now,
                "updated_at": now,
            }
            for move in moves
        ],
    )
    session.flush()
    # Bulk statements bypass the identity map: reload anything the caller holds.
    session.expire_all()


def tell(
    session: Session,
    person: Person,
    key: str,
    *,
    link: str,
    body: str | None = None,
    details: dict[str, Any] | None = None,
    **values: object,
) -> None:
    """Notify an active person in their own language (message ``key``)."""
    if not person.active:
        log.info("%s is not active: not notified of %s", person.email, key)
        return
    text = translator(person.locale)
    notify(
        session,
        person.id,
        "book",
        text(key, **values),
        body=body,
        link=link,
        details=details,
    )
