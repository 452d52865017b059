"""When each demo account was a customer, read back from its import rows."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from tenure.demo.dates import ONE_DAY
from tenure.demo.generator import DemoData

log = logging.getLogger(__name__)

OPEN = dt.date.max  # end of a span that is still running
# A contract renewed within this many days of the old end keeps the customer: people
# go on using the product while the late renewal is negotiated.
GRACE_DAYS = 60

Span = tuple[dt.date, dt.date]  # [start, end): the end is the first day without


@dataclass(frozen=True)
class AccountSpans:
    """One account's service spans (trials included, merged) and paid spans."""

    service: tuple[Span, ...]
    paid: tuple[Span, ...]

    def leaves(self) -> list[dt.date]:
        """Return the first day without service after each service span that ended."""
        return [end for _, end in self.service if end != OPEN]

    def serves(self, day: dt.date) -> bool:
        """Tell whether the account was a customer (or on trial) on ``day``."""
        return any(start <= day < end for start, end in self.service)

    def pays_between(self, first: dt.date, last: dt.date) -> bool:
        """Tell whether some paid span overlaps ``first`` to ``last`` inclusive."""
        return any(start <= last and end > first for start, end in self.paid)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _merge(pieces: list[tuple[dt.date, dt.date, bool]], grace: int) -> list[Span]:
    """Merge overlapping or touching pieces; a contract also bridges a short gap."""
    merged: list[Span] = []
    for start, end, contract in sorted(pieces):
        if merged:
            first, last = merged[-1]
            gap = dt.timedelta(days=grace if contract else 0)
            if last == OPEN or start <= last + gap:
                merged[-1] = (first, max(last, end))
                continue
        merged.append((start, end))
    return merged


def account_spans(data: DemoData) -> dict[str, AccountSpans]:
    """Return every account's spans from its subscription and contract rows.

    Subscription rows run from ``start_date`` to ``end_date`` exclusive (empty: still
    running) and are paid from the subscription's ``trial_end_date`` on; contract
    rows run from ``start_date`` to ``end_date`` inclusive.
    """
    service: dict[str, list[tuple[dt.date, dt.date, bool]]] = defaultdict(list)
    paid: dict[str, list[tuple[dt.date, dt.date, bool]]] = defaultdict(list)
    trial_ends: dict[str, dt.date] = {}
    for row in data.subscriptions:
        if row["trial_end_date"]:
            trial_ends[row["subscription_id"]] = _day(row["trial_end_date"])
    for row in data.subscriptions:
        start = _day(row["start_date"])
        end = _day(row["end_date"]) if row["end_date"] else OPEN
        customer = row["customer_id"]
        service[customer].append((start, end, False))
        paid_from = max(start, trial_ends.get(row["subscription_id"], start))
        if paid_from < end:
            paid[customer].append((paid_from, end, False))
    for row in data.contracts:
        piece = (_day(row["start_date"]), _day(row["end_date"]) + ONE_DAY, True)
        service[row["customer_id"]].append(piece)
        paid[row["customer_id"]].append(piece)
    return {
        row["account_id"]: AccountSpans(
            tuple(_merge(service[row["account_id"]], GRACE_DAYS)),
            tuple(_merge(paid[row["account_id"]], 0)),
        )
        for row in data.accounts
    }
