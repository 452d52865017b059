"""Tier rules: replaced as one ordered list; the first match sets tier and priority."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.accounts.models import Account
from tenure.jobs.service import jobs
from tenure.segments import tiers
from tenure.segments.models import TierRule
from tenure.segments.schemas import SegmentError
from tenure.timeline.models import Activity
from tests.segments.conftest import AS_OF, Operations

RULES: list[dict[str, Any]] = [
    {"tier": "KA", "priority": 90, "definition": {"mrr_min": 500}},
    {"tier": "A", "priority": 70, "definition": {"mrr_min": 100}},
    {"tier": "C", "priority": 10, "definition": {"status": "active"}},
]


def tier_and_priority(session: Session, external_id: str) -> tuple[Any, ...]:
    row = session.execute(
        select(Account.tier, Account.priority).where(Account.external_id == external_id)
    ).one()
    return tuple(row)


def test_rules_are_replaced_as_one_ordered_list(
    session: Session, company: Operations
) -> None:
    tiers.replace_tier_rules(session, RULES)
    rows = tiers.replace_tier_rules(session, list(reversed(RULES)))
    assert [(r.tier, r.position) for r in rows] == [("C", 0), ("A", 1), ("KA", 2)]
    listed = tiers.list_tier_rules(session)
    assert [tiers.tier_row(r)["tier"] for r in listed] == ["C", "A", "KA"]


def test_a_tier_named_twice_changes_nothing(
    session: Session, company: Operations
) -> None:
    tiers.replace_tier_rules(session, RULES)
    twice = [RULES[0], {**RULES[1], "tier": "ka"}]
    with pytest.raises(SegmentError) as caught:
        tiers.replace_tier_rules(session, twice)
    assert caught.value.field == "tiers[1].tier"
    assert [r.tier for r in tiers.list_tier_rules(session)] == ["KA", "A", "C"]


def test_a_bad_rule_changes_nothing(session: Session, company: Operations) -> None:
    tiers.replace_tier_rules(session, RULES)
    bad = [RULES[0], {"tier": "B", "definition": {"health_bands": "red"}}]
    with pytest.raises(SegmentError, match="tiers\\[1\\]"):
        tiers.replace_tier_rules(session, bad)
    assert len(session.scalars(select(TierRule)).all()) == 3


def test_the_first_matching_rule_sets_tier_and_priority(
    session: Session, company: Operations
) -> None:
    company.customer("BIG", mrr=80_000, tier="Standard")
    company.customer("MID", mrr=20_000)
    company.customer("LOW", mrr=1_000, tier="Long-tail")
    company.account("PROSPECT", tier="Long-tail", priority=40)
    tiers.replace_tier_rules(session, RULES)
    stats = tiers.assign_tiers(session, AS_OF)
    assert tier_and_priority(session, "BIG") == ("KA", 90)
    assert tier_and_priority(session, "MID") == ("A", 70)
    assert tier_and_priority(session, "LOW") == ("C", 10)
    assert tier_and_priority(session, "PROSPECT") == ("Long-tail", None)
    assert (stats.accounts, stats.changed, stats.unmatched) == (4, 3, 1)
    assert stats.by_tier == {"KA": 1, "A": 1, "C": 1}


def test_a_tier_change_is_written_on_the_timeline(
    session: Session, company: Operations
) -> None:
    big = company.customer("BIG", mrr=80_000, tier="B")
    tiers.replace_tier_rules(session, RULES)
    tiers.assign_tiers(session, AS_OF)
    entry = session.scalars(select(Activity).where(Activity.account_id == big)).one()
    assert (entry.kind, entry.subject) == ("system", "Tier B → KA")
    assert entry.details == {"change": "tier", "from": "B", "to": "KA"}


def test_a_rerun_changes_nothing_and_writes_nothing(
    session: Session, company: Operations
) -> None:
    company.customer("BIG", mrr=80_000, tier="B")
    company.customer("MID", mrr=20_000)
    tiers.replace_tier_rules(session, RULES)
    tiers.assign_tiers(session, AS_OF)
    again = tiers.assign_tiers(session, AS_OF)
    assert (again.changed, again.priorities_changed) == (0, 0)
    assert len(session.scalars(select(Activity)).all()) == 2


def test_a_new_priority_alone_is_written_without_a_timeline_entry(
    session: Session, company: Operations
) -> None:
    company.customer("BIG", mrr=80_000)
    tiers.replace_tier_rules(session, RULES)
    tiers.assign_tiers(session, AS_OF)
    tiers.replace_tier_rules(session, [{**RULES[0], "priority": 95}, *RULES[1:]])
    stats = tiers.assign_tiers(session, AS_OF)
    assert (stats.changed, stats.priorities_changed) == (0, 1)
    assert tier_and_priority(session, "BIG") == ("KA", 95)
    assert len(session.scalars(select(Activity)).all()) == 1


def test_a_single_rule_still_looks_at_every_account(
    session: Session, company: Operations
) -> None:
    company.customer("SHOP", industry="Retail")
    company.customer("SCHOOL", industry="Education", tier="Gold", priority=80)
    tiers.replace_tier_rules(
        session, [{"tier": "Gold", "definition": {"industry": "Retail"}}]
    )
    stats = tiers.assign_tiers(session, AS_OF)
    assert (stats.accounts, stats.unmatched) == (2, 1)
    assert tier_and_priority(session, "SCHOOL") == ("Gold", None)


def test_without_rules_nothing_changes(session: Session, company: Operations) -> None:
    company.customer("BIG", mrr=80_000, tier="Strategic", priority=12)
    stats = tiers.assign_tiers(session, AS_OF)
    assert stats.accounts == 0
    assert tier_and_priority(session, "BIG") == ("Strategic", 12)


def test_tiers_follow_mrr_on_the_day(session: Session, company: Operations) -> None:
    grew = company.customer("G1", mrr=20_000, since=dt.date(2026, 1, 1))
    company.movement(grew, AS_OF, "expansion", 60_000, 80_000)
    tiers.replace_tier_rules(session, RULES)
    tiers.assign_tiers(session, AS_OF - dt.timedelta(days=1))
    assert tier_and_priority(session, "G1") == ("A", 70)
    tiers.assign_tiers(session, AS_OF)
    assert tier_and_priority(session, "G1") == ("KA", 90)


def test_the_tiers_job_runs_after_health() -> None:
    names = list(jobs())
    assert names.index("tiers") == names.index("health") + 1
