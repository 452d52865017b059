"""Default tiers and saved segments, in the demo company's own tier names.

Strategic (enterprise customers) and Key (mid-market) are key accounts; a small
business paying 1,000 a month or more in the reporting currency (CNY in the demo) is
Standard, every other paying customer Long-tail. Accounts that do not pay keep the
tier they were imported with.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.segments import service
from tenure.segments.models import SavedSegment
from tenure.segments.schemas import SegmentFilter, SegmentSpec, TierSpec
from tenure.segments.tiers import list_tier_rules, replace_tier_rules

log = logging.getLogger(__name__)

KEY_TIERS = ["Strategic", "Key"]
DEFAULT_TIERS = [
    TierSpec(
        tier="Strategic",
        priority=90,
        definition=SegmentFilter(status=["active"], size=["Enterprise"]),
    ),
    TierSpec(
        tier="Key",
        priority=70,
        definition=SegmentFilter(status=["active"], size=["Mid-market"]),
    ),
    TierSpec(
        tier="Standard",
        priority=50,
        definition=SegmentFilter(status=["active"], mrr_min=Decimal(1_000)),
    ),
    TierSpec(
        tier="Long-tail", priority=30, definition=SegmentFilter(status=["active"])
    ),
]

DEFAULT_SEGMENTS = [
    SegmentSpec(
        key="key-accounts",
        name="Key accounts",
        description="Customers in the Strategic and Key tiers.",
        definition=SegmentFilter(tier=KEY_TIERS),
    ),
    SegmentSpec(
        key="at-risk",
        name="At risk",
        description="Customers whose latest health band is red.",
        definition=SegmentFilter(health_bands=["red"]),
    ),
    SegmentSpec(
        key="renewing-90",
        name="Renewing within 90 days",
        description="An open renewal term is due within 90 days (or is overdue).",
        definition=SegmentFilter(renewal_within_days=90),
    ),
    SegmentSpec(
        key="low-adoption",
        name="Low adoption",
        description=(
            "Paying customers averaging under 0.3 daily active users over 30 days."
        ),
        definition=SegmentFilter(status=["active"], active_users_max=0.3),
    ),
    SegmentSpec(
        key="growing",
        name="Growing",
        description="Paying customers whose MRR grew 10% or more in 90 days.",
        definition=SegmentFilter(status=["active"], mrr_change_min=0.1),
    ),
]


def install_defaults(session: Session) -> dict[str, list[str]]:
    """Add the missing default segments, and the default tiers if there are none."""
    added: dict[str, list[str]] = {"tiers": [], "segments": []}
    if not list_tier_rules(session):
        replace_tier_rules(session, DEFAULT_TIERS)
        added["tiers"] = [spec.tier for spec in DEFAULT_TIERS]
    existing = set(session.scalars(select(SavedSegment.key)))
    for spec in DEFAULT_SEGMENTS:
        if spec.key not in existing:
            service.create_segment(session, spec, None)
            added["segments"].append(spec.key)
    log.info(
        "defaults installed: tiers %s, segments %s",
        ", ".join(added["tiers"]) or "none",
        ", ".join(added["segments"]) or "none",
    )
    return added
