"""Keep account owner history in step with owner changes made by an import."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from tenure.accounts.models import AccountOwnerHistory
from tenure.imports.bulk import chunked, insert_many, rows_where_in
from tenure.tasks.changes import follow_owner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OwnerChange:
    """An account whose owner changes from ``old`` to ``new`` (None: no owner)."""

    external_id: str
    old: int | None
    new: int | None
    created_at: dt.date | None


def record_owner_changes(
    session: Session, changes: list[OwnerChange], ids: dict[str, int], today: dt.date
) -> None:
    """Close each changed account's open history row and open one for the new owner.

    A first assignment (no owner and no history yet) starts on the account's creation
    date when known; any other change starts today. An owned account without any
    history first gets a row for its old owner ending today, so that the days before
    the change stay theirs. An open row that only starts today
    or later is replaced rather than closed, so that no history row is empty. Open
    tasks follow the new owner (``tenure.tasks.changes.follow_owner``).
    """
    if not changes:
        return
    account_ids = [ids[change.external_id] for change in changes]
    history = rows_where_in(
        session,
        (
            AccountOwnerHistory.id,
            AccountOwnerHistory.account_id,
            AccountOwnerHistory.start_date,
            AccountOwnerHistory.end_date,
        ),
        AccountOwnerHistory.account_id,
        account_ids,
    )
    with_history = {found.account_id for found in history}
    close = [found.id for found in history if found.end_date is None]
    replace = [
        found.id
        for found in history
        if found.end_date is None and found.start_date >= today
    ]
    close = sorted(set(close) - set(replace))
    for batch in chunked(replace):
        session.execute(
            delete(AccountOwnerHistory)
            .where(AccountOwnerHistory.id.in_(batch))
            .execution_options(synchronize_session=False)
        )
    for batch in chunked(close):
        session.execute(
            update(AccountOwnerHistory)
            .where(AccountOwnerHistory.id.in_(batch))
            .values(end_date=today)
            .execution_options(synchronize_session=False)
        )
    opened = _keep_the_past(changes, ids, with_history, today)
    for change in changes:
        if change.new is None:
            continue
        account_id = ids[change.external_id]
        start = today
        first = change.old is None and account_id not in with_history
        if first and change.created_at is not None and change.created_at < today:
            start = change.created_at
        opened.append(
            {
                "account_id": account_id,
                "owner_id": change.new,
                "start_date": start,
                "end_date": None,
            }
        )
    insert_many(session, AccountOwnerHistory, opened)
    follow_owner(session, {ids[c.external_id]: (c.old, c.new) for c in changes})
    log.info("owner changed on %d accounts", len(changes))


def _keep_the_past(
    changes: list[OwnerChange],
    ids: dict[str, int],
    with_history: set[int],
    today: dt.date,
) -> list[dict[str, object]]:
    """History rows for old owners of accounts that had an owner but no history."""
    rows: list[dict[str, object]] = []
    yesterday = today - dt.timedelta(days=1)
    for change in changes:
        account_id = ids[change.external_id]
        if change.old is None or account_id in with_history:
            continue
        start = min(change.created_at or yesterday, yesterday)
        rows.append(
            {
                "account_id": account_id,
                "owner_id": change.old,
                "start_date": start,
                "end_date": today,
            }
        )
    return rows
