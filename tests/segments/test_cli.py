"""``tenure segment``, ``tenure tier`` and ``tenure playbook`` read from scripts."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy.orm import Session, sessionmaker

from tenure.playbooks import defaults as playbook_defaults
from tenure.segments import defaults
from tests.revenue.conftest import Tenure
from tests.segments.conftest import Operations
from tests.usage.conftest import cli

__all__ = ["cli"]


def load(factory: sessionmaker[Session]) -> None:
    with factory() as session:
        company = Operations(session)
        company.customer("BIG", mrr=2_500_000, size="Enterprise", tier="Key")
        company.customer("SMALL", mrr=10_000)
        defaults.install_defaults(session)
        playbook_defaults.install_defaults(session)
        session.commit()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_segments_are_listed_with_their_members(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    load(factory)
    listed = {r["key"]: r for r in rows(cli("segment", "list", "--format", "csv"))}
    assert set(listed) >= {"at-risk", "key-accounts", "renewing-90"}
    assert json.loads(listed["at-risk"]["definition"]) == {"health_bands": ["red"]}


def test_a_segments_members_are_printed_biggest_first(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    load(factory)
    cli("jobs", "run", "tiers")
    found = rows(cli("segment", "members", "key-accounts", "--format", "csv"))
    assert [(r["account_id"], r["tier"]) for r in found] == [("BIG", "Strategic")]


def test_an_unknown_segment_exits_with_2(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    result = cli.run("segment", "members", "nope")
    assert result.exit_code == 2
    assert "no such segment" in result.output


def test_tiers_and_playbooks_are_listed(
    cli: Tenure, factory: sessionmaker[Session]
) -> None:
    load(factory)
    tiers = rows(cli("tier", "list", "--format", "csv"))
    assert [(r["tier"], r["priority"]) for r in tiers] == [
        ("Strategic", "90"),
        ("Key", "70"),
        ("Standard", "50"),
        ("Long-tail", "30"),
    ]
    playbooks = rows(cli("playbook", "list", "--format", "csv"))
    assert {r["name"]: r["steps"] for r in playbooks}["Onboarding"] == "4"
