"""Team performance on both backends: who sees what, attribution, totals, trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tenure.accounts.models import Account, AccountOwnerHistory
from tenure.auth.scope import Forbidden
from tenure.imports.owners import OwnerChange, record_owner_changes
from tenure.revenue.reports import mrr_report
from tenure.team.page import team_page
from tenure.team.performance import performance, team_comparison
from tenure.team.reads import TeamError
from tenure.team.trend import team_trend
from tests.team.conftest import MARCH, Firm

D = dt.date

START, END = MARCH


def by_name(firm: Firm, viewer: str, **kwargs: object) -> dict[str | None, dict]:
    found = performance(firm.session, firm.principal(viewer), START, END, **kwargs)  # type: ignore[arg-type]
    return {row["name"]: row for row in found.people}


def test_a_csm_sees_only_their_own_row(firm: Firm) -> None:
    assert list(by_name(firm, "ann")) == ["Ann"]


def test_a_manager_sees_everyone_in_their_team_and_its_total(firm: Firm) -> None:
    found = performance(firm.session, firm.principal("mia"), START, END)
    assert [row["name"] for row in found.people] == ["Ann", "Bob", "Mia"]
    total = found.total
    assert (total["opening_mrr"], total["mrr"]) == (
        Decimal("1500.00"),
        Decimal("1600.00"),
    )
    assert total["transfers_in"] == total["transfers_out"] == 0, "a handover inside"
    assert total["nrr"] == Decimal("1.0667")
    assert total["people"] == 3


def test_an_executive_sees_everyone_and_the_unassigned_accounts(firm: Firm) -> None:
    rows = by_name(firm, "eve")
    assert list(rows) == ["Ann", "Bob", "Cy", "Mia", "Sam", None]
    assert rows[None]["owner_id"] is None
    assert rows[None]["mrr"] == Decimal("300.00")


def test_the_executives_total_is_the_company_bridge(firm: Firm) -> None:
    total = performance(firm.session, firm.principal("eve"), START, END).total
    company = mrr_report(firm.session, "month", START, END)[-1]
    for name in ("mrr", "new", "expansion", "contraction", "churn", "fx_impact"):
        assert total[name] == company[name], name
    assert total["transfers_in"] == 0


def test_a_viewer_may_not_see_team_figures(firm: Firm) -> None:
    with pytest.raises(Forbidden):
        performance(firm.session, firm.principal("val"), START, END)


def test_the_old_owner_keeps_the_past_and_the_new_one_gets_the_rest(
    firm: Firm,
) -> None:
    rows = by_name(firm, "mia")
    ann, bob = rows["Ann"], rows["Bob"]
    assert (ann["opening_mrr"], ann["expansion"]) == (Decimal("1500.00"), 200)
    assert (ann["transfers_out"], ann["mrr"]) == (Decimal("1200.00"), 500)
    assert (ann["nrr"], ann["grr"]) == (Decimal("1.1333"), 1)
    assert (bob["transfers_in"], bob["contraction"]) == (1200, -100)
    assert (bob["mrr"], bob["nrr"]) == (1100, None)


def test_renewals_belong_to_the_owner_on_the_due_date(firm: Firm) -> None:
    rows = by_name(firm, "eve")
    ann, bob, cy = rows["Ann"], rows["Bob"], rows["Cy"]
    assert (ann["due_count"], ann["renewed_count"], ann["rate_by_count"]) == (1, 1, 1)
    assert ann["gross_rate_by_amount"] == 1
    assert ann["net_rate_by_amount"] == Decimal("1.2")
    assert (bob["due_count"], bob["open_count"], bob["rate_by_count"]) == (1, 1, None)
    assert (cy["churned_count"], cy["rate_by_count"]) == (1, 0)


def test_churn_tasks_and_the_book(firm: Firm) -> None:
    rows = by_name(firm, "eve")
    ann, bob, cy = rows["Ann"], rows["Bob"], rows["Cy"]
    assert (cy["churn"], cy["logo_churn_rate"], cy["nrr"]) == (-800, 1, 0)
    assert (ann["tasks_overdue"], ann["tasks_completed"]) == (1, 0)
    assert (bob["tasks_overdue"], bob["tasks_completed"]) == (0, 1)
    assert (ann["accounts"], ann["by_size"], ann["by_tier"]) == (
        1, {"SMB": 1}, {"Key": 1},
    )  # fmt: skip
    assert (ann["bands"], bob["bands"]) == ({"red": 1}, {"green": 1})


def test_a_team_filter_keeps_its_people(firm: Firm) -> None:
    rows = by_name(firm, "eve", team_id=firm.teams["south"])
    assert list(rows) == ["Cy", "Sam"]


def test_a_manager_may_not_open_another_team(firm: Firm) -> None:
    with pytest.raises(Forbidden, match="South"):
        performance(
            firm.session, firm.principal("mia"), START, END, firm.teams["south"]
        )


def test_an_unknown_team_or_a_backward_span_is_refused(firm: Firm) -> None:
    with pytest.raises(TeamError, match="team 999"):
        performance(firm.session, firm.principal("eve"), START, END, 999)
    with pytest.raises(TeamError, match="before start"):
        performance(firm.session, firm.principal("eve"), END, START)


def test_teams_compare_side_by_side(firm: Firm) -> None:
    rows = team_comparison(firm.session, firm.principal("eve"), START, END)
    assert [(r["team"], r["people"]) for r in rows] == [
        ("North", 3), ("South", 2), (None, 0),
    ]  # fmt: skip
    assert [r["mrr"] for r in rows] == [1600, 0, 300]
    assert [r["churn"] for r in rows] == [0, -800, 0]


def test_only_executives_and_admins_compare_teams(firm: Firm) -> None:
    with pytest.raises(Forbidden):
        team_comparison(firm.session, firm.principal("mia"), START, END)


def test_the_trend_follows_one_person_month_by_month(firm: Firm) -> None:
    rows = team_trend(
        firm.session, firm.principal("mia"), "month", dt.date(2026, 1, 1), END,
        owner_id=firm.people["ann"],
    )  # fmt: skip
    assert [(r["period"].month, r["mrr"]) for r in rows] == [
        (1, 1000), (2, 1500), (3, 500),
    ]  # fmt: skip
    assert rows[2]["transfers_out"] == 1200


def test_the_trend_of_a_person_outside_the_scope_is_refused(firm: Firm) -> None:
    with pytest.raises(Forbidden):
        team_trend(
            firm.session, firm.principal("mia"), "month", START, END,
            owner_id=firm.people["cy"],
        )  # fmt: skip


def test_a_reassignment_today_does_not_rewrite_march(firm: Firm) -> None:
    session, ann, cy = firm.session, firm.people["ann"], firm.people["cy"]
    account = firm.accounts["A-2"]
    # As an import records a first assignment: from the account's first day.
    session.add(
        AccountOwnerHistory(account_id=account, owner_id=ann, start_date=D(2026, 2, 1))
    )
    before = by_name(firm, "eve")
    change = OwnerChange("A-2", ann, cy, None)
    record_owner_changes(session, [change], {"A-2": account}, D(2026, 11, 1))
    session.get_one(Account, account).owner_id = cy
    after = by_name(firm, "eve")
    for name in ("opening_mrr", "mrr", "expansion", "transfers_out", "nrr"):
        assert after["Ann"][name] == before["Ann"][name], name
    assert (after["Ann"]["accounts"], after["Cy"]["accounts"]) == (0, 1)


def test_the_page_reads_people_teams_and_a_year_of_trend_at_once(firm: Firm) -> None:
    eve = team_page(firm.session, firm.principal("eve"), START, END)
    assert (
        eve.performance.total
        == performance(firm.session, firm.principal("eve"), START, END).total
    )
    assert eve.comparison == team_comparison(
        firm.session, firm.principal("eve"), START, END
    )
    assert [row["period"] for row in eve.trend][-3:] == [
        D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1),
    ]  # fmt: skip
    assert len(eve.trend) == 12
    assert eve.trend[-1]["mrr"] == eve.performance.total["mrr"]


def test_the_page_of_a_manager_has_no_comparison(firm: Firm) -> None:
    mia = team_page(firm.session, firm.principal("mia"), START, END)
    assert mia.comparison is None
    assert mia.trend[-1]["mrr"] == mia.performance.total["mrr"] == 1600


def test_an_executive_on_one_team_still_compares_every_team(firm: Firm) -> None:
    page = team_page(
        firm.session, firm.principal("eve"), START, END, firm.teams["south"]
    )
    assert [row["name"] for row in page.performance.people] == ["Cy", "Sam"]
    assert page.comparison is not None and len(page.comparison) == 3
