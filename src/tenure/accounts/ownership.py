"""Who owned an account on a given day, from the owner history.

A history row covers ``start_date`` up to but not including ``end_date`` (open when
``end_date`` is None). Attribution rules, used by every team figure:

- a day inside a row belongs to that row's owner;
- a day before the account's first row belongs to its first owner (the history
  starts when the account was first assigned, which may be after its first
  contract was signed);
- a day in a gap between rows, or after a closed last row, has no owner (the
  account was unassigned then);
- an account without any history belongs to its current owner on every day.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account, AccountOwnerHistory

log = logging.getLogger(__name__)

Span = tuple[int, int | None, dt.date, dt.date | None]
"""A history row: account id, owner id, start date, end date (None: open)."""


@dataclass(frozen=True, slots=True)
class _Spans:
    starts: list[dt.date]
    ends: list[dt.date | None]
    owners: list[int | None]


class OwnerTimeline:
    """Answers ``owner_on(account, day)`` from owner history rows."""

    def __init__(self, spans: Iterable[Span], current: Mapping[int, int | None]):
        grouped: dict[int, list[tuple[dt.date, dt.date | None, int | None]]]
        grouped = defaultdict(list)
        for account, owner, start, end in spans:
            if end is not None and end <= start:
                continue
            grouped[account].append((start, end, owner))
        self._spans = {
            account: _Spans(
                [row[0] for row in rows], [row[1] for row in rows], [r[2] for r in rows]
            )
            for account, rows in ((a, sorted(r)) for a, r in grouped.items())
        }
        self._current = dict(current)

    def owner_on(self, account: int, day: dt.date) -> int | None:
        """Return the id of whoever owned ``account`` on ``day`` (None: nobody)."""
        spans = self._spans.get(account)
        if spans is None:
            return self._current.get(account)
        index = bisect.bisect_right(spans.starts, day) - 1
        if index < 0:
            return spans.owners[0]
        end = spans.ends[index]
        if end is not None and day >= end:
            return None
        return spans.owners[index]

    def owners_between(
        self, account: int, first: dt.date, last: dt.date
    ) -> list[tuple[dt.date, int | None]]:
        """Return ``(from_day, owner)`` for each change of owner over first..last."""
        changes = [(first, self.owner_on(account, first))]
        spans = self._spans.get(account)
        if spans is None:
            return changes
        boundaries = sorted(
            {d for d in spans.starts if first < d <= last}
            | {d for d in spans.ends if d is not None and first < d <= last}
        )
        for day in boundaries:
            owner = self.owner_on(account, day)
            if owner != changes[-1][1]:
                changes.append((day, owner))
        return changes


def load_owner_timeline(
    session: Session, accounts: Collection[int] | None = None
) -> OwnerTimeline:
    """Read the owner history (of ``accounts``, or all) into an OwnerTimeline."""
    history = select(
        AccountOwnerHistory.account_id,
        AccountOwnerHistory.owner_id,
        AccountOwnerHistory.start_date,
        AccountOwnerHistory.end_date,
    )
    current = select(Account.id, Account.owner_id)
    if accounts is not None and len(accounts) <= 500:
        ids = sorted(accounts)
        history = history.where(AccountOwnerHistory.account_id.in_(ids))
        current = current.where(Account.id.in_(ids))
    spans = [(r[0], r[1], r[2], r[3]) for r in session.execute(history)]
    return OwnerTimeline(spans, {r[0]: r[1] for r in session.execute(current)})
