"""Playbook definitions: create, change (with version), list, delete or deactivate."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.playbooks import defaults
from tenure.playbooks import service as playbooks
from tenure.playbooks.models import Playbook
from tests.segments.conftest import AS_OF, Operations


def spec(name: str = "Onboarding", **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "onboarding",
        "steps": [
            {"title": "Kick-off call", "type": "onboarding"},
            {"title": "Admin training", "type": "onboarding", "due_offset_days": 7},
        ],
        **changes,
    }


def test_a_playbook_is_created_at_version_one(
    session: Session, company: Operations
) -> None:
    ann = company.user("ann@example.com", role="admin")
    row = playbooks.create_playbook(session, spec(), ann)
    assert (row.name, row.kind, row.version, row.updated_by_id) == (
        "Onboarding",
        "onboarding",
        1,
        ann,
    )
    assert row.steps[1] == {
        "title": "Admin training",
        "type": "onboarding",
        "due_offset_days": 7,
        "assignee": "owner",
        "priority": "normal",
    }


def test_a_name_is_used_once(session: Session, company: Operations) -> None:
    playbooks.create_playbook(session, spec(), None)
    with pytest.raises(playbooks.PlaybookError, match="name 'Onboarding'"):
        playbooks.create_playbook(session, spec(kind="other"), None)


def test_a_bad_spec_is_refused_naming_the_field(
    session: Session, company: Operations
) -> None:
    with pytest.raises(playbooks.PlaybookError) as caught:
        playbooks.create_playbook(session, spec(kind="nope"), None)
    assert caught.value.field == "playbook.kind"


def test_a_change_raises_the_version_once(
    session: Session, company: Operations
) -> None:
    row = playbooks.create_playbook(session, spec(), None)
    playbooks.update_playbook(session, row.id, spec(description="Day 0 to 30"), None)
    assert row.version == 2
    playbooks.update_playbook(session, row.id, spec(description="Day 0 to 30"), None)
    assert row.version == 2
    assert playbooks.playbook_spec(session, row.id)["description"] == "Day 0 to 30"


def test_playbooks_are_listed_with_runs_under_way(
    session: Session, company: Operations
) -> None:
    first = playbooks.create_playbook(session, spec("B onboarding"), None)
    playbooks.create_playbook(session, spec("A onboarding"), None)
    account = company.customer("ACME")
    playbooks.start_run(session, first.id, account, actor_id=None, today=AS_OF)
    rows = playbooks.list_playbooks(session)
    assert [(r["name"], r["active_runs"]) for r in rows] == [
        ("A onboarding", 0),
        ("B onboarding", 1),
    ]


def test_a_playbook_that_never_ran_is_deleted(
    session: Session, company: Operations
) -> None:
    row = playbooks.create_playbook(session, spec(), None)
    assert playbooks.delete_playbook(session, row.id) == "deleted"
    assert session.scalar(select(Playbook.id)) is None


def test_a_playbook_that_ran_is_deactivated(
    session: Session, company: Operations
) -> None:
    row = playbooks.create_playbook(session, spec(), None)
    account = company.customer("ACME")
    playbooks.start_run(session, row.id, account, actor_id=None, today=AS_OF)
    assert playbooks.delete_playbook(session, row.id) == "deactivated"
    assert row.active is False


def test_an_unknown_playbook_is_not_found(
    session: Session, company: Operations
) -> None:
    with pytest.raises(playbooks.NotFound, match="no such playbook"):
        playbooks.get_playbook(session, 12345)


def test_the_defaults_are_added_once(session: Session, company: Operations) -> None:
    added = defaults.install_defaults(session)
    assert added == [
        "Onboarding",
        "Implementation",
        "Renewal",
        "Upsell",
        "KA service cadence",
    ]
    assert defaults.install_defaults(session) == []
