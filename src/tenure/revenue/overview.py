"""The business overview: customers now, their trend, who came and went, by segment.

Everything is read from stored facts (per-account summaries and movements); nothing
is recomputed per request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.revenue.loading import today
from tenure.revenue.models import AccountRevenue, MrrMovement
from tenure.revenue.reports import NONE_LABEL, Scope, mrr_report, report_span

log = logging.getLogger(__name__)

SEGMENTS = ("industry", "region", "tier")
# The movements counted: as in the MRR report, a returning customer is not new.
COUNTED = ("new", "reactivation", "churn")


def business_overview(
    session: Session, accounts: Scope = None, day: dt.date | None = None
) -> dict[str, Any]:
    """Return active customers now, their monthly trend, arrivals, churn, segments."""
    day = day or today(session)
    yesterday = day - dt.timedelta(days=1)
    month_start = day.replace(day=1)
    active = _active_segments(session, accounts)
    first, last = report_span(session, "month", None, day)
    trend = [
        {"period": row["period"], "customers": row["customers"]}
        for row in mrr_report(session, "month", first, last, accounts=accounts)
    ]
    return {
        "as_of": day,
        "active_customers": len(active),
        "trend": trend,
        "yesterday": _arrivals_and_departures(session, yesterday, yesterday, accounts),
        "this_month": _arrivals_and_departures(session, month_start, day, accounts),
        "segments": {
            name: _count(values[index] for values in active.values())
            for index, name in enumerate(SEGMENTS)
        },
    }


def _active_segments(
    session: Session, accounts: Scope
) -> dict[int, tuple[str, str, str]]:
    query = (
        select(Account.id, Account.industry, Account.region, Account.tier)
        .join(AccountRevenue, AccountRevenue.account_id == Account.id)
        .where(AccountRevenue.active.is_(True))
    )
    return {
        row[0]: (row[1] or NONE_LABEL, row[2] or NONE_LABEL, row[3] or NONE_LABEL)
        for row in session.execute(query)
        if accounts is None or row[0] in accounts
    }


def _count(values: Any) -> list[dict[str, Any]]:
    counts = Counter(values)
    return [
        {"segment": name, "customers": n}
        for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _arrivals_and_departures(
    session: Session, start: dt.date, end: dt.date, accounts: Scope
) -> dict[str, Any]:
    query = select(MrrMovement.account_id, MrrMovement.kind).where(
        MrrMovement.date >= start,
        MrrMovement.date <= end,
        MrrMovement.kind.in_(COUNTED),
    )
    seen: dict[str, set[int]] = {kind: set() for kind in COUNTED}
    for account, kind in session.execute(query):
        if accounts is None or account in accounts:
            seen[kind].add(account)
    return {
        "start": start,
        "end": end,
        "new_customers": len(seen["new"]),
        "returned_customers": len(seen["reactivation"]),
        "churned_customers": len(seen["churn"]),
    }
