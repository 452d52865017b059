"""Customer health: daily scoring, manual overrides and CSM sentiment.

``score_accounts`` scores every customer on a day in a handful of set-based queries
and replaces that day's snapshots.

Overrides and sentiment live in ``tenure.health.manual``, scorecard administration
in ``tenure.health.scorecards`` and the reads in ``tenure.health.reads``; all are
re-exported here so that callers need one module.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tenure.db.base import utcnow
from tenure.db.bulk import insert_rows
from tenure.health import metrics
from tenure.health.errors import HealthError, NotFound
from tenure.health.manual import (
    add_sentiment,
    create_override,
    list_overrides,
    list_sentiment,
    revoke_override,
)
from tenure.health.models import (
    HealthOverride,
    HealthSnapshot,
    Scorecard,
)
from tenure.health.population import customers, fact_currency, load_facts
from tenure.health.reads import (
    account_health,
    distribution,
    distribution_trend,
    latest_scores,
    report_rows,
)
from tenure.health.schemas import Segment
from tenure.health.scorecards import (
    ImportResult,
    create,
    definition_of,
    delete_scorecard,
    ensure_default_scorecard,
    export_scorecards,
    get_or_raise,
    import_scorecards,
    list_scorecards,
    segment_of,
    update_scorecard,
)
from tenure.health.scoring import ActiveOverride, HealthResult, Scorer
from tenure.health.segments import choose
from tenure.revenue.loading import today

log = logging.getLogger(__name__)

__all__ = [
    "HealthError",
    "ImportResult",
    "NotFound",
    "account_health",
    "add_sentiment",
    "create",
    "create_override",
    "delete_scorecard",
    "distribution",
    "distribution_trend",
    "ensure_default_scorecard",
    "export_scorecards",
    "get_or_raise",
    "import_scorecards",
    "latest_scores",
    "list_overrides",
    "list_scorecards",
    "list_sentiment",
    "report_rows",
    "revoke_override",
    "score_accounts",
    "update_scorecard",
]

_DELETE_CHUNK = 500
SNAPSHOT_COLUMNS = (
    "account_id", "as_of", "scorecard_id", "scorecard_version", "score", "band",
    "computed_score", "reason", "measures", "computed_at",
)  # fmt: skip


@dataclass(frozen=True)
class ScoreStats:
    """What a scoring run did and how long its steps took, in seconds."""

    as_of: dt.date
    accounts: int
    insufficient: int
    forced: int
    load_seconds: float
    score_seconds: float
    store_seconds: float


@dataclass(frozen=True)
class _Card:
    """An active scorecard, parsed once per run."""

    id: int
    version: int
    segment: Segment
    scorer: Scorer


def _cards(session: Session) -> tuple[list[_Card], _Card]:
    """The active segment scorecards in priority order, and the default."""
    default_row = ensure_default_scorecard(session)
    statement = (
        select(Scorecard)
        .where(Scorecard.active.is_(True), Scorecard.id != default_row.id)
        .order_by(Scorecard.priority, Scorecard.id)
    )
    cards = [
        _Card(row.id, row.version, segment_of(row), Scorer(definition_of(row)))
        for row in session.scalars(statement)
    ]
    default = _Card(
        default_row.id,
        default_row.version,
        Segment(),
        Scorer(definition_of(default_row)),
    )
    return cards, default


def active_overrides(
    session: Session, day: dt.date, accounts: Collection[int] | None = None
) -> dict[int, ActiveOverride]:
    """The override holding on ``day`` per account; the latest created wins."""
    statement = (
        select(HealthOverride)
        .where(
            HealthOverride.revoked_at.is_(None),
            HealthOverride.starts_on <= day,
            HealthOverride.expires_on > day,
        )
        .order_by(HealthOverride.created_at, HealthOverride.id)
    )
    wanted = None if accounts is None else set(accounts)
    found: dict[int, ActiveOverride] = {}
    for row in session.scalars(statement):
        if wanted is None or row.account_id in wanted:
            found[row.account_id] = ActiveOverride(
                row.band, row.reason, row.starts_on, row.expires_on, row.score
            )
    return found


def score_accounts(
    session: Session,
    as_of: dt.date | None = None,
    account_ids: Collection[int] | None = None,
) -> ScoreStats:
    """Score every customer (or those of ``account_ids``) on ``as_of`` and store it.

    A rerun for the same day replaces that day's snapshots of the accounts scored;
    an account no longer a customer loses its snapshot of that day.
    """
    started = time.perf_counter()
    as_of = as_of or today(session)
    session.flush()
    cards, default = _cards(session)
    currency = fact_currency(session)
    mrr_now = metrics.mrr_on(session, as_of)
    population = customers(mrr_now, account_ids)
    segments = [card.segment for card in cards]
    facts = load_facts(session, population, mrr_now, currency, segments, as_of)
    candidates = [(card.segment, card) for card in cards]
    chosen = {a: choose(candidates, default, f) or default for a, f in facts.items()}
    used = list({card.id: card for card in chosen.values()}.values())
    wanted = [m for c in used for m in c.scorer.definition.metrics().values()]
    values = metrics.compute(session, wanted, as_of, population, mrr_now, currency)
    overrides = active_overrides(session, as_of, population)
    loaded = time.perf_counter()

    columns = {
        card.id: [(m, values.get(m, {})) for m in card.scorer.metric_ids]
        for card in used
    }
    results = {
        account: card.scorer.score(
            {metric: column.get(account) for metric, column in columns[card.id]},
            as_of,
            overrides.get(account),
        )
        for account, card in chosen.items()
    }
    scored = time.perf_counter()

    _replace(session, as_of, account_ids, chosen, results)
    stored = time.perf_counter()
    stats = ScoreStats(
        as_of=as_of,
        accounts=len(results),
        insufficient=sum(1 for r in results.values() if not r.sufficient),
        forced=sum(1 for r in results.values() if r.applied is not None),
        load_seconds=loaded - started,
        score_seconds=scored - loaded,
        store_seconds=stored - scored,
    )
    log.info("health scored: %s", stats)
    return stats


def _replace(
    session: Session,
    as_of: dt.date,
    account_ids: Collection[int] | None,
    chosen: dict[int, _Card],
    results: dict[int, HealthResult],
) -> None:
    """Replace the day's snapshots of the accounts scored with ``results``."""
    day = HealthSnapshot.as_of == as_of
    if account_ids is None:
        session.execute(delete(HealthSnapshot).where(day))
    else:
        ids = sorted(set(account_ids))
        for start in range(0, len(ids), _DELETE_CHUNK):
            chunk = ids[start : start + _DELETE_CHUNK]
            session.execute(
                delete(HealthSnapshot).where(day, HealthSnapshot.account_id.in_(chunk))
            )
    now = utcnow()
    insert_rows(
        session,
        HealthSnapshot.__tablename__,
        SNAPSHOT_COLUMNS,
        (
            _snapshot_row(account, as_of, chosen[account], result, now)
            for account, result in sorted(results.items())
        ),
    )
    session.expire_all()


def _snapshot_row(
    account: int, as_of: dt.date, card: _Card, result: HealthResult, now: dt.datetime
) -> tuple[Any, ...]:
    """The stored columns of one result, in SNAPSHOT_COLUMNS order."""
    measures = json.dumps(
        [m.as_dict() for m in result.measures],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    reason = result.applied.text() if result.applied is not None else None
    return (
        account, as_of, card.id, card.version, result.score, result.band,
        result.computed_score, reason, measures, now,
    )  # fmt: skip
