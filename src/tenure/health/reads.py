"""Reads of stored health: an account's scores and why, reports and distributions.

Every function takes the caller's data scope ``owners``: the staff user ids whose
accounts the caller may see, or ``None`` for every account. An account outside the
scope behaves exactly as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.accounts.models import Account
from tenure.health.errors import HealthError, NotFound
from tenure.health.models import HealthOverride, HealthSnapshot, Scorecard
from tenure.health.schemas import INSUFFICIENT, ScorecardDefinition
from tenure.health.scoring import parse_reason

log = logging.getLogger(__name__)

Row = dict[str, Any]
# The staff user ids whose accounts a caller may see; None means every account.
Owners = frozenset[int] | None
DISTRIBUTION_FIELDS = ("industry", "region", "tier")
TREND_DAYS = 30


def _in_scope(owners: Owners) -> list[ColumnElement[bool]]:
    """Conditions that keep only the accounts of ``owners`` (none for all)."""
    if owners is None:
        return []
    return [Account.owner_id.in_(sorted(owners))]


def account_in_scope(session: Session, external_id: str, owners: Owners) -> int:
    """Return the id of an account in scope, or raise health's ``NotFound``."""
    try:
        return accounts.account_id_in_scope(session, external_id, owners)
    except accounts.NotFound as exc:
        raise NotFound(str(exc)) from None


def _latest_days() -> Any:
    """Each account's latest snapshot day, as a subquery."""
    return (
        select(
            HealthSnapshot.account_id.label("account_id"),
            func.max(HealthSnapshot.as_of).label("as_of"),
        )
        .group_by(HealthSnapshot.account_id)
        .subquery()
    )


def report_rows(
    session: Session,
    as_of: dt.date | None = None,
    account_id: str | None = None,
    owners: Owners = None,
) -> list[Row]:
    """Report rows ``account_id, score, band, as_of``; score None when insufficient.

    Without ``as_of``, each account's latest snapshot; ``account_id`` (external id)
    keeps one account.
    """
    statement = (
        select(
            Account.external_id,
            HealthSnapshot.score,
            HealthSnapshot.band,
            HealthSnapshot.as_of,
        )
        .join(Account, Account.id == HealthSnapshot.account_id)
        .where(*_in_scope(owners))
        .order_by(Account.external_id)
    )
    if as_of is None:
        latest = _latest_days()
        statement = statement.join(
            latest,
            and_(
                latest.c.account_id == HealthSnapshot.account_id,
                latest.c.as_of == HealthSnapshot.as_of,
            ),
        )
    else:
        statement = statement.where(HealthSnapshot.as_of == as_of)
    if account_id is not None:
        statement = statement.where(Account.external_id == account_id)
    return [
        {"account_id": ext, "score": value, "band": band, "as_of": day}
        for ext, value, band, day in session.execute(statement)
    ]


def latest_scores(
    session: Session,
    account_ids: Collection[int] | None = None,
    owners: Owners = None,
) -> dict[int, Row]:
    """Each account's latest ``score``, ``band`` and ``as_of``, by internal id."""
    latest = _latest_days()
    statement = (
        select(
            HealthSnapshot.account_id,
            HealthSnapshot.score,
            HealthSnapshot.band,
            HealthSnapshot.as_of,
        )
        .join(
            latest,
            and_(
                latest.c.account_id == HealthSnapshot.account_id,
                latest.c.as_of == HealthSnapshot.as_of,
            ),
        )
        .join(Account, Account.id == HealthSnapshot.account_id)
        .where(*_in_scope(owners))
    )
    wanted = None if account_ids is None else set(account_ids)
    return {
        account: {"score": value, "band": band, "as_of": day}
        for account, value, band, day in session.execute(statement)
        if wanted is None or account in wanted
    }


def _explained(snapshot: HealthSnapshot, card: Scorecard | None) -> Row:
    """A snapshot with its measures labelled from the scorecard that scored it."""
    definition = None
    if card is not None:
        definition = ScorecardDefinition.model_validate(card.definition)
    labels = {}
    bands: list[Row] = []
    if definition is not None:
        labels = {m.key: m.label.model_dump(by_alias=True) for m in definition.measures}
        bands = [
            {"name": b.name, "label": b.label.model_dump(by_alias=True), "min": b.min}
            for b in definition.bands
        ]
    applied = parse_reason(snapshot.reason)
    return {
        "as_of": snapshot.as_of,
        "score": snapshot.score,
        "band": snapshot.band,
        "computed_score": snapshot.computed_score,
        "insufficient": snapshot.computed_score is None,
        "applied": None
        if applied is None
        else {"kind": applied.kind, "key": applied.key, "reason": applied.reason},
        "scorecard": None
        if card is None
        else {
            "id": card.id,
            "name": card.name,
            "version": snapshot.scorecard_version,
            "current_version": card.version,
        },
        "bands": bands,
        "measures": [
            {**measure, "label": labels.get(measure.get("key"))}
            for measure in snapshot.measures
        ],
    }


def _override_now(session: Session, account: int, day: dt.date) -> Row | None:
    """The override holding on ``day``, if any."""
    statement = (
        select(HealthOverride)
        .where(
            HealthOverride.account_id == account,
            HealthOverride.revoked_at.is_(None),
            HealthOverride.starts_on <= day,
            HealthOverride.expires_on > day,
        )
        .order_by(HealthOverride.created_at.desc(), HealthOverride.id.desc())
    )
    row = session.scalars(statement).first()
    return None if row is None else override_row(row)


def override_row(row: HealthOverride) -> Row:
    """An override as plain values: id, band, score, reason, its days, revoked_at."""
    return {
        "id": row.id,
        "band": row.band,
        "score": row.score,
        "reason": row.reason,
        "starts_on": row.starts_on,
        "expires_on": row.expires_on,
        "revoked_at": row.revoked_at,
    }


def account_health(
    session: Session,
    account_external_id: str,
    owners: Owners,
    days: int = 90,
    on: dt.date | None = None,
) -> Row:
    """An account's latest snapshot explained, its history and trend, its override.

    ``history`` covers the ``days`` up to the latest snapshot, oldest first;
    ``trend`` is the change of score over the last TREND_DAYS (None without both
    scores). ``on`` is the day the override is looked up for (the latest snapshot's
    by default).
    """
    account = account_in_scope(session, account_external_id, owners)
    latest = session.scalars(
        select(HealthSnapshot)
        .where(HealthSnapshot.account_id == account)
        .order_by(HealthSnapshot.as_of.desc())
        .limit(1)
    ).first()
    result: Row = {
        "account_id": account_external_id,
        "latest": None,
        "history": [],
        "trend": None,
        "override": None,
    }
    if latest is None:
        if on is not None:
            result["override"] = _override_now(session, account, on)
        return result
    card = session.get(Scorecard, latest.scorecard_id) if latest.scorecard_id else None
    history = session.execute(
        select(HealthSnapshot.as_of, HealthSnapshot.score, HealthSnapshot.band)
        .where(
            HealthSnapshot.account_id == account,
            HealthSnapshot.as_of > latest.as_of - dt.timedelta(days=days),
        )
        .order_by(HealthSnapshot.as_of)
    ).all()
    result["latest"] = _explained(latest, card)
    result["history"] = [
        {"as_of": day, "score": value, "band": band} for day, value, band in history
    ]
    result["trend"] = _trend(result["history"], latest)
    result["override"] = _override_now(session, account, on or latest.as_of)
    return result


def _trend(history: list[Row], latest: HealthSnapshot) -> float | None:
    """Score change from the last snapshot at least TREND_DAYS before the latest."""
    cutoff = latest.as_of - dt.timedelta(days=TREND_DAYS)
    earlier = [row for row in history if row["as_of"] <= cutoff]
    if not earlier or latest.score is None or earlier[-1]["score"] is None:
        return None
    return round(latest.score - earlier[-1]["score"], 1)


def _group_column(by: str | None) -> ColumnElement[Any] | None:
    """The account column a distribution groups by (None: one group)."""
    if by is None:
        return None
    if by not in DISTRIBUTION_FIELDS:
        raise HealthError(
            f"distribution by '{by}' is unknown; use one of "
            f"{', '.join(DISTRIBUTION_FIELDS)}"
        )
    column: ColumnElement[Any] = getattr(Account, by)
    return column


def distribution(
    session: Session,
    as_of: dt.date | None = None,
    by: str | None = None,
    owners: Owners = None,
) -> Row:
    """Accounts per band (and per industry, region or tier) on one day.

    Without ``as_of``, the latest day with snapshots. Rows are
    ``{"segment", "band", "accounts"}``; ``segment`` is None without ``by`` and
    for accounts with no value.
    """
    column = _group_column(by)
    if as_of is None:
        as_of = session.scalar(
            select(func.max(HealthSnapshot.as_of))
            .join(Account, Account.id == HealthSnapshot.account_id)
            .where(*_in_scope(owners))
        )
    if as_of is None:
        return {"as_of": None, "by": by, "total": 0, "rows": []}
    rows = _counts(session, column, owners, HealthSnapshot.as_of == as_of)
    return {
        "as_of": as_of,
        "by": by,
        "total": sum(row["accounts"] for row in rows),
        "rows": [{k: v for k, v in row.items() if k != "as_of"} for row in rows],
    }


def distribution_trend(
    session: Session,
    start: dt.date,
    end: dt.date,
    by: str | None = None,
    owners: Owners = None,
) -> list[Row]:
    """Accounts per day and band (and segment) from ``start`` to ``end`` inclusive."""
    column = _group_column(by)
    if end < start:
        raise HealthError(f"distribution trend: end {end} is before start {start}")
    return _counts(
        session,
        column,
        owners,
        HealthSnapshot.as_of >= start,
        HealthSnapshot.as_of <= end,
    )


def _counts(
    session: Session,
    column: ColumnElement[Any] | None,
    owners: Owners,
    *conditions: ColumnElement[bool],
) -> list[Row]:
    """Snapshot counts per day, segment value and band, in that order."""
    groups: list[Any] = [HealthSnapshot.as_of, HealthSnapshot.band]
    if column is not None:
        groups.append(column)
    statement = (
        select(*groups, func.count())
        .join(Account, Account.id == HealthSnapshot.account_id)
        .where(*conditions, *_in_scope(owners))
        .group_by(*groups)
    )
    rows = [
        {
            "as_of": record[0],
            "segment": record[2] if column is not None else None,
            "band": record[1],
            "accounts": record[-1],
        }
        for record in session.execute(statement)
    ]
    rows.sort(
        key=lambda r: (
            r["as_of"],
            r["segment"] is None,
            r["segment"] or "",
            r["band"] == INSUFFICIENT,
            r["band"],
        )
    )
    return rows
