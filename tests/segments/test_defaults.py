"""The default tiers and saved segments: valid, added once, sized for the demo."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tenure.segments import defaults, service, tiers
from tests.segments.conftest import Operations


def test_defaults_are_added_once(session: Session, company: Operations) -> None:
    first = defaults.install_defaults(session)
    assert first["tiers"] == ["Strategic", "Key", "Standard", "Long-tail"]
    assert first["segments"] == [
        "key-accounts",
        "at-risk",
        "renewing-90",
        "low-adoption",
        "growing",
    ]
    assert defaults.install_defaults(session) == {"tiers": [], "segments": []}


def test_tier_rules_of_ones_own_are_kept(session: Session, company: Operations) -> None:
    tiers.replace_tier_rules(session, [{"tier": "Gold", "priority": 80}])
    added = defaults.install_defaults(session)
    assert added["tiers"] == []
    assert [r.tier for r in tiers.list_tier_rules(session)] == ["Gold"]


def test_a_missing_default_segment_is_added_back(
    session: Session, company: Operations
) -> None:
    defaults.install_defaults(session)
    service.delete_segment(session, "growing")
    assert defaults.install_defaults(session)["segments"] == ["growing"]
