"""A customer on one phone screen: MRR, health, owner, next renewal, tasks, timeline.

Read for the mobile page behind a briefing item, in a handful of small queries on
one account (the full customer page reads far more). An account outside the
reader's scope is not found, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.accounts.service import NotFound, account_id_in_scope
from tenure.auth.scope import Principal, owner_scope
from tenure.briefing.falls import band_scales
from tenure.health.measures import Label
from tenure.health.models import HealthSnapshot
from tenure.revenue.models import AccountRevenue, RenewalTerm
from tenure.revenue.renewals import OPEN
from tenure.staff.models import StaffUser
from tenure.tasks.models import OPEN_STATUSES, Task
from tenure.timeline.service import timeline

log = logging.getLogger(__name__)

TIMELINE_ENTRIES = 5
OPEN_TASKS = 10

__all__ = ["CustomerCard", "NotFound", "customer_card"]


@dataclass(frozen=True)
class CustomerCard:
    """What the mobile customer page shows; amounts in reporting minor units."""

    external_id: str
    name: str
    mrr: int
    status: str
    owner: str | None
    band: str | None
    band_label: Label | None
    score: float | None
    scored_on: dt.date | None
    renewal_due: dt.date | None
    renewal_amount: int | None
    tasks: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[dict[str, Any]] = field(default_factory=list)


def _status(revenue: AccountRevenue | None) -> str:
    """Active, churned (had revenue once) or prospect, as the customer list says."""
    if revenue is not None and revenue.active:
        return "active"
    if revenue is not None and revenue.first_revenue_date is not None:
        return "churned"
    return "prospect"


def _band_label(session: Session, snapshot: HealthSnapshot | None) -> Label | None:
    """The label the scorecard gives the snapshot's band (None: a built-in word)."""
    if snapshot is None:
        return None
    scales = band_scales(session)
    bands = scales.get(snapshot.scorecard_id) or scales[None]
    return next((b.label for b in bands if b.name == snapshot.band), None)


def customer_card(
    session: Session, external_id: str, principal: Principal
) -> CustomerCard:
    """The compact 360 of an account in ``principal``'s scope; ``NotFound`` if not."""
    owners = owner_scope(session, principal)
    account_id = account_id_in_scope(session, external_id, owners)
    account = session.get_one(Account, account_id)
    revenue = session.get(AccountRevenue, account_id)
    owner = session.get(StaffUser, account.owner_id) if account.owner_id else None
    snapshot = session.scalars(
        select(HealthSnapshot)
        .where(HealthSnapshot.account_id == account_id)
        .order_by(HealthSnapshot.as_of.desc())
        .limit(1)
    ).first()
    renewal = session.execute(
        select(RenewalTerm.due_date, RenewalTerm.due_amount_minor)
        .where(RenewalTerm.account_id == account_id, RenewalTerm.outcome == OPEN)
        .order_by(RenewalTerm.due_date, RenewalTerm.id)
        .limit(1)
    ).first()
    tasks = session.execute(
        select(Task.id, Task.title, Task.due_on, Task.priority)
        .where(Task.account_id == account_id, Task.status.in_(OPEN_STATUSES))
        .order_by(Task.due_on.asc().nulls_last(), Task.id)
        .limit(OPEN_TASKS)
    ).all()
    entries = timeline(session, external_id, owners, limit=TIMELINE_ENTRIES)
    return CustomerCard(
        external_id=account.external_id,
        name=account.name,
        mrr=revenue.mrr_minor if revenue is not None else 0,
        status=_status(revenue),
        owner=owner.name if owner is not None else None,
        band=snapshot.band if snapshot is not None else None,
        band_label=_band_label(session, snapshot),
        score=snapshot.score if snapshot is not None else None,
        scored_on=snapshot.as_of if snapshot is not None else None,
        renewal_due=renewal[0] if renewal is not None else None,
        renewal_amount=int(renewal[1]) if renewal is not None else None,
        tasks=[
            {"id": t[0], "title": t[1], "due_on": t[2], "priority": t[3]} for t in tasks
        ],
        timeline=entries,
    )
