"""Which accounts are scored on a day, and what segment filters see of them.

An account is scored on a day when it is a customer at the end of that day: its MRR
after its last movement on or before the day is above zero (a contract in its grace
period still counts). Prospects and churned accounts have no health.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.billing.models import Plan
from tenure.health.schemas import Segment
from tenure.health.segments import AccountFacts
from tenure.money import to_major
from tenure.revenue.loading import load_policy, today
from tenure.revenue.models import AccountRevenue, RevenueFactState

log = logging.getLogger(__name__)


def fact_currency(session: Session) -> str:
    """The currency stored MRR is in: the facts' own, else the configured one."""
    state = session.get(RevenueFactState, 1)
    if state is not None:
        return state.reporting_currency
    return load_policy(session).reporting_currency


def customers(mrr: Mapping[int, int], account_ids: Collection[int] | None) -> set[int]:
    """The accounts with MRR above zero, limited to ``account_ids`` when given."""
    found = {account for account, amount in mrr.items() if amount > 0}
    if account_ids is not None:
        found &= set(account_ids)
    return found


def saved_members(
    session: Session, keys: Collection[str], as_of: dt.date, accounts: set[int]
) -> dict[str, set[int]]:
    """The members among ``accounts`` of each saved segment of ``keys`` on ``as_of``.

    A segment deleted since a scorecard named it has no members (and is logged), so
    its scorecard claims nobody rather than everybody.
    """
    # Saved segments read health themselves, so the import waits until it is used.
    from tenure.segments import service as saved_segments
    from tenure.segments.schemas import SegmentError

    found: dict[str, set[int]] = {}
    for key in keys:
        try:
            found[key] = saved_segments.member_ids(session, key, as_of, accounts)
        except SegmentError as exc:
            log.warning("scorecard segment %r claims nobody: %s", key, exc)
            found[key] = set()
    return found


def load_facts(
    session: Session,
    accounts: Collection[int],
    mrr: Mapping[int, int],
    currency: str,
    segments: Collection[Segment],
    as_of: dt.date | None = None,
) -> dict[int, AccountFacts]:
    """What the segment filters need to know about each of ``accounts``.

    Saved segments' members are taken on ``as_of`` (default: today).
    """
    wanted = set(accounts)
    keys_saved = sorted({s.saved for s in segments if s.saved})
    members = (
        saved_members(session, keys_saved, as_of or today(session), wanted)
        if keys_saved
        else {}
    )
    tags = any(s.tags_any or s.tags_all for s in segments)
    keys = sorted({key for s in segments for key in (s.custom or {})})
    columns: list[Any] = [
        Account.id,
        Account.industry,
        Account.region,
        Account.tier,
        Account.size,
        Plan.external_id,
    ]
    if tags:
        columns.append(Account.tags)
    if keys:
        # The whole JSON object is read: SQLite's json_extract turns true into 1.
        columns.append(Account.custom_attributes)
    statement = (
        select(*columns)
        .select_from(Account)
        .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
        .outerjoin(Plan, Plan.id == AccountRevenue.plan_id)
    )
    facts: dict[int, AccountFacts] = {}
    for row in session.execute(statement):
        account = row[0]
        if account not in wanted:
            continue
        rest = list(row[6:])
        tag_list = rest.pop(0) if tags else None
        attributes = rest.pop(0) if keys else None
        if not isinstance(attributes, dict):
            attributes = {}
        facts[account] = AccountFacts(
            account_id=account,
            industry=row[1],
            region=row[2],
            tier=row[3],
            size=row[4],
            plan=row[5],
            tags=frozenset(t for t in (tag_list or ()) if isinstance(t, str)),
            custom={key: attributes[key] for key in keys if key in attributes},
            mrr=to_major(mrr.get(account, 0), currency),
            saved=frozenset(k for k in keys_saved if account in members[k]),
        )
    return facts
