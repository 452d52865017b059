"""The built-in jobs in order: usage rollup, health, tiers, assignment, the rules."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy.orm import Session

from tenure.book import assign
from tenure.health import service as health
from tenure.jobs.service import Job, JobContext, last_detail, register
from tenure.rules import service as rules
from tenure.segments import tiers
from tenure.settings import service as settings
from tenure.usage.rollup import NEVER, rollup

log = logging.getLogger(__name__)

FULL = "full"


def _rollup(session: Session, context: JobContext, period: str) -> dict[str, Any]:
    """Roll up the days that received events since the last run (all for 'full')."""
    assert context.store is not None
    since = NEVER
    watermark = last_detail(session, "rollup", "watermark")
    if period != FULL and watermark is not None:
        since = dt.datetime.fromisoformat(watermark)
    timezone = settings.get(session, "timezone")
    return rollup(session, context.store, timezone=timezone, since=since).details()


register(
    Job(
        "rollup",
        "copy per-account daily usage from the event store into the record",
        _rollup,
        needs_store=True,
    )
)


def _health(session: Session, context: JobContext, period: str) -> dict[str, Any]:
    """Score every customer's health for the period's day; a rerun replaces it."""
    stats = health.score_accounts(session, dt.date.fromisoformat(period))
    return {
        "accounts": stats.accounts,
        "insufficient": stats.insufficient,
        "forced": stats.forced,
        "load_seconds": round(stats.load_seconds, 3),
        "score_seconds": round(stats.score_seconds, 3),
        "store_seconds": round(stats.store_seconds, 3),
    }


register(Job("health", "score every customer's health for the day", _health))


def _tiers(session: Session, context: JobContext, period: str) -> dict[str, Any]:
    """Give every account its tier and priority from the tier rules on the day."""
    day = context.today if period == FULL else dt.date.fromisoformat(period)
    return tiers.assign_tiers(session, day).details()


register(
    Job("tiers", "set every account's tier and priority from the tier rules", _tiers)
)


def _assignment(session: Session, context: JobContext, period: str) -> dict[str, Any]:
    """Give the unowned accounts owners by the assignment rules; owned ones stay."""
    day = context.today if period == FULL else dt.date.fromisoformat(period)
    return assign.assign_new_accounts(session, None, day).details()


register(
    Job(
        "assignment",
        "give unowned accounts owners by the assignment rules",
        _assignment,
    )
)


def _rules(session: Session, context: JobContext, period: str) -> dict[str, Any]:
    """Evaluate the active rules on the period's day; a rerun fires nothing twice."""
    day = context.today if period == FULL else dt.date.fromisoformat(period)
    return rules.evaluate_rules(session, day).details()


register(
    Job("rules", "turn the day's signals into tasks, playbooks and notices", _rules)
)
