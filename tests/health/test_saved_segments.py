"""A scorecard's segment may name a saved segment: its members, never health-based."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.health import service
from tenure.health.errors import HealthError
from tenure.health.models import HealthSnapshot, Scorecard
from tenure.segments import service as segments
from tenure.segments.service import SegmentInUse

from .conftest import AS_OF, Company
from .test_score_accounts import card


def _by_card(session: Session) -> dict[int, str]:
    """Which scorecard scored each account on AS_OF."""
    session.expire_all()
    names = {row.id: row.name for row in session.scalars(select(Scorecard))}
    rows = session.scalars(select(HealthSnapshot).where(HealthSnapshot.as_of == AS_OF))
    return {row.account_id: names[row.scorecard_id] for row in rows}


def test_a_scorecard_for_a_saved_segment_scores_its_members(
    session: Session, company: Company
) -> None:
    segments.create_segment(
        session,
        {"key": "retail", "name": "Retail", "definition": {"industry": "Retail"}},
        None,
    )
    card(session, "Everyone", is_default=True)
    card(session, "Retail only", priority=1, segment={"saved": "retail"})
    shop = company.customer("SHOP", industry="Retail", custom_attributes={"seats": 5})
    bank = company.customer("BANK", industry="Banking", custom_attributes={"seats": 5})

    service.score_accounts(session, AS_OF)

    assert _by_card(session) == {shop: "Retail only", bank: "Everyone"}


def test_a_saved_segment_that_reads_health_cannot_choose_a_scorecard(
    session: Session, company: Company
) -> None:
    segments.create_segment(
        session,
        {"key": "red", "name": "Red", "definition": {"health_bands": ["red"]}},
        None,
    )
    with pytest.raises(HealthError, match=r"segment\.saved 'red' reads health_bands"):
        card(session, "Red ones", segment={"saved": "red"})
    with pytest.raises(HealthError, match="'gone': no such saved segment"):
        card(session, "Gone", segment={"saved": "gone"})


def test_a_saved_segment_a_scorecard_names_is_not_deleted(
    session: Session, company: Company
) -> None:
    segments.create_segment(
        session,
        {"key": "retail", "name": "Retail", "definition": {"industry": "Retail"}},
        None,
    )
    card(session, "Retail only", segment={"saved": "retail"})
    with pytest.raises(SegmentInUse, match=r"scorecards use it \(Retail only\)"):
        segments.delete_segment(session, "retail")
