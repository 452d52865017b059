"""``tenure report team`` on the two-team company, on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tenure.db.session import transaction
from tenure.settings.service import set_value
from tests.health.conftest import Company
from tests.revenue.conftest import Tenure, tenure
from tests.team.conftest import build

__all__ = ["tenure"]

MARCH = ("--start", "2026-03-01", "--end", "2026-03-31")


@pytest.fixture
def firm_db(factory: sessionmaker[Session]) -> None:
    """The two-team company, committed, reporting in USD."""
    with transaction(factory) as session:
        set_value(session, "reporting_currency", "USD")
        set_value(session, "timezone", "UTC")
        build(Company(session))


def test_everyone_is_listed_with_a_total_line(tenure: Tenure, firm_db: None) -> None:
    rows = {row["name"]: row for row in tenure.report("team", *MARCH)}
    assert list(rows) == ["Ann", "Bob", "Cy", "Mia", "Sam", "", "total"]
    assert (rows["Ann"]["transfers_out"], rows["Bob"]["transfers_in"]) == (
        "1200.00", "1200.00",
    )  # fmt: skip
    assert rows["total"]["mrr"] == "1900.00"


def test_as_a_csm_only_their_own_row(tenure: Tenure, firm_db: None) -> None:
    rows = tenure.report("team", *MARCH, "--as", "ann@example.com")
    assert [row["name"] for row in rows] == ["Ann", "total"]


def test_one_team_and_the_teams_side_by_side(tenure: Tenure, firm_db: None) -> None:
    north = tenure.report("team", *MARCH, "--team", "North")
    assert [row["name"] for row in north] == ["Ann", "Bob", "Mia", "total"]
    teams = tenure.report("team", *MARCH, "--teams")
    assert [(row["team"], row["churn"]) for row in teams] == [
        ("North", "0.00"), ("South", "-800.00"), ("", "0.00"),
    ]  # fmt: skip


def test_ranked_by_mrr(tenure: Tenure, firm_db: None) -> None:
    rows = tenure.report("team", *MARCH, "--rank", "mrr")
    assert [row["name"] for row in rows[:2]] == ["Bob", "Ann"]


def test_mistakes_are_named(tenure: Tenure, firm_db: None) -> None:
    unknown = tenure.run("report", "team", "--team", "Nowhere")
    assert unknown.exit_code == 2 and "no team named 'Nowhere'" in unknown.output
    viewer = tenure.run("report", "team", "--as", "val@example.com")
    assert viewer.exit_code == 1 and "may not view_team" in viewer.output
    ranked = tenure.run("report", "team", "--rank", "luck")
    assert ranked.exit_code == 2 and "rank 'luck'" in ranked.output
