"""Scorecard administration: versions, the one default, export and atomic import."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tenure.health import scorecards, service
from tenure.health.defaults import DEFAULT_DEFINITION
from tenure.health.errors import HealthError, NotFound

from .definitions import attribute, linear_measure

SEATS = {"measures": [linear_measure("seats", attribute("seats"))],
         "minimum": {"measures": 1}}  # fmt: skip


def names_and_defaults(session: Session) -> list[tuple[str, bool]]:
    """Every scorecard's name and default flag, in list order."""
    return [(c.name, c.is_default) for c in service.list_scorecards(session)]


def test_create_and_read_back(session: Session) -> None:
    row = service.create(
        session,
        {"name": " Enterprise ", "priority": 5, "segment": {"tier": "Key"},
         "definition": SEATS},
    )  # fmt: skip
    [read] = service.list_scorecards(session)
    assert (read.id, read.name, read.priority, read.version) == (
        row.id,
        "Enterprise",
        5,
        1,
    )
    assert read.segment.tier == ["Key"]
    assert read.definition.measures[0].label.zh_cn == "seats（中文）"
    assert row.segment == {"tier": ["Key"]}


def test_invalid_scorecard_names_itself_and_the_field(session: Session) -> None:
    broken = copy.deepcopy(SEATS)
    broken["measures"][0]["weight"] = -2
    with pytest.raises(HealthError) as caught:
        service.create(session, {"name": "Broken", "definition": broken})
    assert str(caught.value) == (
        "scorecard 'Broken': definition.measures['seats'].weight: Input should be "
        "greater than 0"
    )


def test_names_are_unique(session: Session) -> None:
    service.create(session, {"name": "A", "definition": SEATS})
    with pytest.raises(HealthError, match="scorecard name 'A' is already taken"):
        service.create(session, {"name": "A", "definition": SEATS})


def test_update_increments_version_only_on_change(session: Session) -> None:
    row = service.create(session, {"name": "A", "definition": SEATS})
    service.update_scorecard(session, row.id, {"priority": 7})
    assert row.version == 2
    service.update_scorecard(session, row.id, {"priority": 7})
    assert row.version == 2
    service.update_scorecard(session, row.id, {"definition": DEFAULT_DEFINITION})
    assert (row.version, row.priority) == (3, 7)


def test_update_validates_and_names_the_scorecard(session: Session) -> None:
    row = service.create(session, {"name": "A", "definition": SEATS})
    with pytest.raises(HealthError, match="scorecard 'A': priority"):
        service.update_scorecard(session, row.id, {"priority": -1})
    with pytest.raises(NotFound):
        service.update_scorecard(session, row.id + 1000, {"priority": 1})


def test_one_default_at_a_time(session: Session) -> None:
    first = service.ensure_default_scorecard(session)
    second = service.create(
        session, {"name": "B", "is_default": True, "definition": SEATS}
    )
    assert names_and_defaults(session) == [("B", True), ("Default", False)]
    assert service.ensure_default_scorecard(session).id == second.id
    with pytest.raises(HealthError, match="'B' is the default"):
        service.update_scorecard(session, second.id, {"is_default": False})
    with pytest.raises(HealthError, match="'B' is the default"):
        service.update_scorecard(session, second.id, {"active": False})
    with pytest.raises(HealthError, match="make another scorecard the default"):
        service.delete_scorecard(session, second.id)
    service.update_scorecard(session, first.id, {"is_default": True})
    service.delete_scorecard(session, second.id)
    assert names_and_defaults(session) == [("Default", True)]


def test_the_last_scorecard_may_go_and_comes_back_as_built_in(
    session: Session,
) -> None:
    only = service.ensure_default_scorecard(session)
    service.delete_scorecard(session, only.id)
    assert service.list_scorecards(session) == []
    assert service.ensure_default_scorecard(session).name == "Default"


def test_built_in_default_avoids_a_taken_name(session: Session) -> None:
    service.create(session, {"name": "Default", "definition": SEATS})
    assert service.ensure_default_scorecard(session).name == "Default (built-in)"


def test_export_is_json_and_round_trips(session: Session) -> None:
    service.ensure_default_scorecard(session)
    service.create(
        session,
        {"name": "Key", "priority": 1, "segment": {"tier": "Key", "mrr_min": "1000"},
         "definition": SEATS},
    )  # fmt: skip
    document = service.export_scorecards(session)
    text = json.dumps(document, ensure_ascii=False)
    assert "活跃用户趋势" in text
    assert (document["format"], document["version"]) == ("tenure.scorecards", 1)
    assert [c["name"] for c in document["scorecards"]] == ["Key", "Default"]
    result = service.import_scorecards(session, json.loads(text))
    assert (result.created, result.updated) == ([], [])
    assert sorted(result.unchanged) == ["Default", "Key"]
    again = service.export_scorecards(session)
    assert again["scorecards"] == document["scorecards"]


def document(*scorecards: dict[str, Any]) -> dict[str, Any]:
    """An import document of ``scorecards``."""
    return {"format": "tenure.scorecards", "version": 1, "scorecards": list(scorecards)}


def test_import_creates_and_updates_by_name(session: Session) -> None:
    kept = service.create(session, {"name": "Kept", "definition": SEATS})
    result = service.import_scorecards(
        session,
        document(
            {"name": "Kept", "priority": 3, "definition": SEATS},
            {"name": "New", "is_default": True, "definition": DEFAULT_DEFINITION},
        ),
    )
    assert (result.created, result.updated, result.deleted) == (["New"], ["Kept"], [])
    assert (kept.priority, kept.version) == (3, 2)
    assert names_and_defaults(session) == [("Kept", False), ("New", True)]


def test_import_replace_deletes_the_rest(session: Session) -> None:
    service.create(session, {"name": "Old", "definition": SEATS})
    result = service.import_scorecards(
        session,
        document({"name": "New", "is_default": True, "definition": SEATS}),
        replace=True,
    )
    assert result.deleted == ["Old"]
    assert names_and_defaults(session) == [("New", True)]


def test_import_keeps_the_stored_default_when_the_file_names_none(
    session: Session,
) -> None:
    service.ensure_default_scorecard(session)
    service.import_scorecards(
        session, document({"name": "Default", "priority": 9, "definition": SEATS})
    )
    assert names_and_defaults(session) == [("Default", True)]


def test_import_is_all_or_nothing(session: Session) -> None:
    service.create(session, {"name": "Kept", "definition": SEATS})
    broken = copy.deepcopy(DEFAULT_DEFINITION)
    broken["measures"][2]["scoring"]["ranges"][0]["points"] = 500
    with pytest.raises(HealthError) as caught:
        service.import_scorecards(
            session,
            document(
                {"name": "Kept", "priority": 50, "definition": SEATS},
                {"name": "Fresh", "definition": SEATS},
                {"name": "Bad", "definition": broken},
            ),
        )
    assert (
        "import: scorecards['Bad'].definition.measures['renewal_proximity']"
        ".scoring.ranges[0].points: Input should be less than or equal to 100"
    ) in str(caught.value)
    assert names_and_defaults(session) == [("Kept", False)]
    assert service.list_scorecards(session)[0].priority == 100


def test_import_rolls_back_when_applying_fails(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.create(session, {"name": "Kept", "definition": SEATS})

    def fail(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(scorecards, "_apply", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        service.import_scorecards(
            session,
            document(
                {"name": "Fresh", "definition": SEATS},
                {"name": "Kept", "priority": 1, "definition": SEATS},
            ),
        )
    assert names_and_defaults(session) == [("Kept", False)]


def test_import_refuses_an_inactive_default(session: Session) -> None:
    with pytest.raises(HealthError, match="'Off': the default must be active"):
        service.import_scorecards(
            session,
            document(
                {"name": "Off", "is_default": True, "active": False,
                 "definition": SEATS},
            ),
        )  # fmt: skip
    assert names_and_defaults(session) == []


def test_import_rejects_duplicates_and_two_defaults(session: Session) -> None:
    with pytest.raises(HealthError, match="'A' appears more than once"):
        service.import_scorecards(
            session,
            document(
                {"name": "A", "definition": SEATS}, {"name": "A", "definition": SEATS}
            ),
        )
    with pytest.raises(HealthError, match="more than one default: A, B"):
        service.import_scorecards(
            session,
            document(
                {"name": "A", "is_default": True, "definition": SEATS},
                {"name": "B", "is_default": True, "definition": SEATS},
            ),
        )
    with pytest.raises(HealthError, match="import: format"):
        service.import_scorecards(session, {"format": "other", "scorecards": []})
