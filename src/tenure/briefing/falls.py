"""Accounts whose health band fell from one scored day to the next, in a scope.

A fall compares an account's snapshot on a day with its latest snapshot before
that day, in the band order of the scorecard that scored it (as the health-band
rule trigger reads it).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from tenure.accounts.models import Account
from tenure.briefing.reads import AnySelect, Scope, scoped
from tenure.health.errors import HealthError
from tenure.health.measures import Label
from tenure.health.models import HealthSnapshot, Scorecard
from tenure.health.schemas import Band, default_bands
from tenure.health.scorecards import definition_of
from tenure.revenue.models import AccountRevenue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BandFall:
    """An account whose health band fell from one snapshot to the next."""

    external_id: str
    name: str
    from_band: str
    to_band: str
    from_score: float | None
    to_score: float | None
    mrr: int
    from_label: Label | None = None
    to_label: Label | None = None


def band_scales(session: Session) -> dict[int | None, list[Band]]:
    """Each scorecard's bands, lowest first; None: the built-in bands."""
    scales: dict[int | None, list[Band]] = {None: default_bands()}
    for card in session.scalars(select(Scorecard)):
        try:
            scales[card.id] = definition_of(card).bands
        except HealthError:
            log.warning("scorecard %s is invalid; its bands are not ordered", card.id)
    return scales


def _band_changes(day: dt.date, previous: dt.date) -> list[AnySelect]:
    """Snapshots of ``day`` whose band differs from the account's latest earlier one.

    Most accounts are scored every day, so the earlier snapshot is on ``previous``
    (the latest scored day before ``day``) and a join on that date finds it; only
    accounts not scored on ``previous`` look their latest earlier day up one by one.
    """
    current = aliased(HealthSnapshot, name="current")
    before = aliased(HealthSnapshot, name="before")
    columns = (
        Account.external_id,
        Account.name,
        before.band,
        current.band,
        before.score,
        current.score,
        current.scorecard_id,
        func.coalesce(AccountRevenue.mrr_minor, 0),
    )
    earlier = (
        select(func.max(HealthSnapshot.as_of))
        .where(
            HealthSnapshot.account_id == current.account_id,
            HealthSnapshot.as_of < day,
        )
        .scalar_subquery()
    )
    scored_then = exists().where(
        HealthSnapshot.account_id == current.account_id,
        HealthSnapshot.as_of == previous,
    )

    def against(on_day: Any) -> AnySelect:
        return (
            select(*columns)
            .select_from(current)
            .join(Account, Account.id == current.account_id)
            .join(
                before,
                and_(before.account_id == current.account_id, before.as_of == on_day),
            )
            .outerjoin(AccountRevenue, AccountRevenue.account_id == Account.id)
            .where(current.as_of == day, before.band != current.band)
        )

    return [against(previous), against(earlier).where(~scored_then)]


def health_falls(session: Session, scope: Scope, day: dt.date) -> list[BandFall]:
    """Accounts whose band on ``day`` is lower than on their latest earlier day.

    Only accounts scored on ``day`` whose band changed are read from the database;
    whether the change is a fall is decided by the scorecard's band order, as the
    health-band rule trigger reads it. Biggest MRR first.
    """
    previous = session.scalar(
        select(func.max(HealthSnapshot.as_of)).where(HealthSnapshot.as_of < day)
    )
    if previous is None:
        return []
    changed = [
        row
        for statement in _band_changes(day, previous)
        for row in session.execute(scoped(statement, scope))
    ]
    scales = band_scales(session)
    found = []
    for row in changed:
        external_id, name, was, now, was_score, now_score, card, mrr = row
        bands = {b.name: b for b in scales.get(card) or scales[None]}
        order = list(bands)
        if was not in bands or now not in bands:
            continue
        if order.index(now) < order.index(was):
            found.append(
                BandFall(
                    external_id=external_id,
                    name=name,
                    from_band=was,
                    to_band=now,
                    from_score=was_score,
                    to_score=now_score,
                    mrr=int(mrr),
                    from_label=bands[was].label,
                    to_label=bands[now].label,
                )
            )
    found.sort(key=lambda f: (-f.mrr, f.name, f.external_id))
    return found
