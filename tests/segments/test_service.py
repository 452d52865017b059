"""Saved segments: create, change, delete, list with counts, members in scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.segments import service as segments
from tenure.segments.models import SavedSegment
from tenure.segments.schemas import NotFound, SegmentError
from tests.segments.conftest import AS_OF, Operations


def spec(key: str = "retail", **definition: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.title(),
        "definition": definition or {"industry": "Retail"},
    }


def test_a_segment_is_saved_with_its_validated_filter(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com")
    row = segments.create_segment(session, spec(industry="Retail", mrr_min="100"), ann)
    assert (row.key, row.name, row.created_by_id) == ("retail", "Retail", ann)
    assert row.definition == {"industry": ["Retail"], "mrr_min": "100"}


def test_a_key_is_used_once(session: Session, company: Operations) -> None:
    segments.create_segment(session, spec(), None)
    with pytest.raises(SegmentError, match="key 'retail': is already taken"):
        segments.create_segment(session, spec(), None)


def test_a_bad_definition_is_refused_naming_the_field(
    session: Session, company: Operations
) -> None:
    with pytest.raises(SegmentError) as caught:
        segments.create_segment(session, spec(status="paying"), None)
    assert caught.value.field == "segment.definition.status"
    assert session.scalar(select(SavedSegment.id)) is None


def test_a_segment_is_changed_whole(session: Session, company: Operations) -> None:
    row = segments.create_segment(session, spec(), None)
    changed = segments.update_segment(
        session, "retail", spec("east", region="East"), None
    )
    assert changed.id == row.id
    assert (changed.key, changed.definition) == ("east", {"region": ["East"]})
    with pytest.raises(NotFound):
        segments.get_segment(session, "retail")


def test_a_segment_is_deleted(session: Session, company: Operations) -> None:
    segments.create_segment(session, spec(), None)
    segments.delete_segment(session, "retail")
    assert session.scalar(select(SavedSegment.id)) is None


def test_a_segment_a_rule_uses_is_not_deleted(
    session: Session, company: Operations
) -> None:
    row = segments.create_segment(session, spec(), None)
    company.rule("Retail at risk", segment_id=row.id)
    with pytest.raises(
        segments.SegmentInUse, match="rules use it \\(Retail at risk\\)"
    ):
        segments.delete_segment(session, "retail")
    assert segments.get_segment(session, row.id) is row


def test_segments_are_listed_with_members_in_scope(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com")
    company.customer("A1", industry="Retail", owner_id=ann)
    company.customer("A2", industry="Retail")
    company.customer("A3", industry="Education", owner_id=ann)
    segments.create_segment(session, spec(), None)
    segments.create_segment(session, spec("big", mrr_min="50"), None)
    every = segments.list_segments(session, as_of=AS_OF)
    assert [(r["key"], r["members"]) for r in every] == [("big", 3), ("retail", 2)]
    mine = segments.list_segments(session, frozenset({ann}), AS_OF)
    assert [(r["key"], r["members"]) for r in mine] == [("big", 2), ("retail", 1)]


def test_members_are_rows_in_scope_biggest_first(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com")
    small = company.customer("S1", mrr=10_000, industry="Retail", owner_id=ann)
    company.health(small, AS_OF, "red", 12.5)
    company.customer("B1", mrr=90_000, industry="Retail", owner_id=ann, tier="KA")
    company.customer("X1", mrr=50_000, industry="Retail")
    segments.create_segment(session, spec(), None)
    rows = segments.members(session, "retail", AS_OF, frozenset({ann}))
    assert [r["account_id"] for r in rows] == ["B1", "S1"]
    assert rows[0]["mrr"] == Decimal("900.00")
    assert rows[0]["tier"] == "KA"
    assert rows[1]["band"] == "red"
    assert rows[1]["score"] == 12.5
    assert rows[1]["owner"] == "ann@example.com"
    assert rows[1]["status"] == "active"


def test_a_preview_counts_an_unsaved_filter_and_shows_the_first_rows(
    session: Session, company: Operations
) -> None:
    for number in range(5):
        company.customer(f"A{number}", mrr=1_000 * (number + 1), industry="Retail")
    found = segments.preview(session, {"industry": "Retail"}, AS_OF, None, limit=2)
    assert found["total"] == 5
    assert [r["account_id"] for r in found["rows"]] == ["A4", "A3"]


def test_a_preview_of_a_bad_filter_names_the_field(
    session: Session, company: Operations
) -> None:
    with pytest.raises(SegmentError) as caught:
        segments.preview(session, {"mrr_mni": 1}, AS_OF, None)
    assert caught.value.field == "definition.mrr_mni"


def test_within_narrows_a_scope_to_a_segment_and_an_unknown_key_to_nothing(
    session: Session, company: Operations
) -> None:
    big = company.customer("BIG", mrr=5_000_000)
    small = company.customer("SMALL", mrr=10_000)
    segments.create_segment(
        session, {"key": "big", "name": "Big", "definition": {"mrr_min": 1000}}, None
    )
    assert segments.within(session, None, "big", AS_OF) == {big}
    assert segments.within(session, {small}, "big", AS_OF) == frozenset()
    assert segments.within(session, {big, small}, None, AS_OF) == {big, small}
    assert segments.within(session, None, None, AS_OF) is None
    assert segments.within(session, None, "gone", AS_OF) == frozenset()
    assert segments.segment_choices(session) == {"big": "Big"}
