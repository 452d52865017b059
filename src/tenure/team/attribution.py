"""Whose figure is it: MRR movements, transfers and renewals by owner (pure, no I/O).

The definitions every team figure follows:

- **Attribution.** A movement belongs to whoever owned the account on the
  movement's date (``OwnerTimeline.owner_on``). A renewal term belongs to the owner
  on its due date; a term due after today to today's owner (the open history row).
  Reassigning an account never rewrites the past.
- **Transfer.** When an account changes owner, the MRR it carries at the start of
  the change day leaves the old owner's book and enters the new owner's; that
  day's movements already belong to the new owner.
- **Owner bridge.** Per owner and period: opening MRR (the accounts they owned on
  the first day, before its movements) + new + expansion + reactivation +
  contraction + churn + fx + transfers in - transfers out = closing MRR (the
  accounts they own at the end of the last day). Transfers sum to zero over all
  owners, "nobody" (``None``) included, and the movements of all owners add up to
  the company's bridge (``tenure.revenue.bridge``).
- **NRR.** Of the accounts in the owner's book at the period start that were
  customers (the base): (their opening MRR + the expansion, reactivation,
  contraction and churn attributed to this owner on them during the period) /
  their opening MRR. An account transferred away only counts what happened while
  this owner held it; accounts gained during the period are not in the base.
- **GRR.** The same without expansion and reactivation.
- **Logo churn.** Base customers who churned while this owner held them and are
  not customers at the period end, over the base customers.

Owners may be grouped (a team, everyone in a view): a group is then treated as
one owner, so a transfer between two members of the same group is no transfer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Hashable, Iterable, Sequence

from tenure.accounts.ownership import OwnerTimeline
from tenure.revenue.bridge import MoveRow
from tenure.team.replay import Replay
from tenure.team.rows import (
    CLOSING,
    OPENING,
    TRANSFER_IN,
    TRANSFER_OUT,
    Entry,
    GroupOf,
    Opening,
    OwnerBridgeRow,
)

__all__ = [
    "CLOSING",
    "OPENING",
    "TRANSFER_IN",
    "TRANSFER_OUT",
    "Entry",
    "GroupOf",
    "Opening",
    "OwnerBridgeRow",
    "owner_bridge",
    "owner_bridges",
    "owner_entries",
    "renewal_owner",
]

log = logging.getLogger(__name__)


def owner_bridge(
    moves: Iterable[MoveRow],
    timeline: OwnerTimeline,
    periods: list[tuple[dt.date, dt.date]],
    group_of: GroupOf | None = None,
    opening: Opening | None = None,
) -> list[OwnerBridgeRow]:
    """Each owner's (or group's) bridge per contiguous period, periods in order.

    ``opening`` gives accounts' state before the first period (movements dated
    before it work too). Movements after the last period are left out. Within a
    period, rows come by owner id with nobody (None) last.
    """
    return owner_bridges(moves, timeline, periods, [group_of], opening)[0]


def owner_bridges(
    moves: Iterable[MoveRow],
    timeline: OwnerTimeline,
    periods: list[tuple[dt.date, dt.date]],
    groupings: Sequence[GroupOf | None],
    opening: Opening | None = None,
) -> list[list[OwnerBridgeRow]]:
    """``owner_bridge`` for several groupings in one pass: a list per grouping."""
    result: list[list[OwnerBridgeRow]] = [[] for _ in groupings]
    if not periods:
        return result
    last = periods[-1][1] - dt.timedelta(days=1)
    replay = Replay(moves, timeline, periods[0][0], last, groupings, opening)
    for start, end in periods:
        for rows, found in zip(result, replay.period(start, end), strict=True):
            rows.extend(found)
    return result


def owner_entries(
    moves: Iterable[MoveRow],
    timeline: OwnerTimeline,
    start: dt.date,
    end: dt.date,
    keep: Callable[[Hashable], bool],
    group_of: GroupOf | None = None,
    opening: Opening | None = None,
) -> tuple[list[OwnerBridgeRow], list[Entry]]:
    """The bridge rows of ``start..end`` (inclusive) and the entries behind them.

    Entries are kept for the owners (or groups) ``keep`` accepts: each account's
    OPENING balance on ``start``, every movement and transfer, and each account's
    CLOSING balance on ``end``.
    """
    replay = Replay(moves, timeline, start, end, [group_of], opening)
    replay.collect = keep
    replay.balances(start, OPENING)
    rows = replay.period(start, end + dt.timedelta(days=1))[0]
    replay.balances(end, CLOSING)
    return rows, replay.entries


def renewal_owner(
    timeline: OwnerTimeline, account: int, due_date: dt.date, today: dt.date
) -> int | None:
    """Who a renewal term due on ``due_date`` belongs to (after today: today's)."""
    return timeline.owner_on(account, min(due_date, today))
