"""The drill-down: the accounts behind a figure add up to it, within the scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tenure.auth.scope import Forbidden
from tenure.team.behind import behind
from tenure.team.performance import performance
from tenure.team.reads import TeamError
from tests.team.conftest import HANDOVER, MARCH, Firm

START, END = MARCH
AMOUNTS = {
    "new": "new", "expansion": "expansion", "reactivation": "reactivation",
    "contraction": "contraction", "churn": "churn", "fx": "fx_impact",
    "transfers_in": "transfers_in", "transfers_out": "transfers_out",
    "opening_mrr": "opening_mrr", "mrr": "mrr",
    "renewals_due": "due_amount", "renewals_renewed": "renewed_amount",
}  # fmt: skip
COUNTS = {
    "renewals_due": "due_count", "renewals_renewed": "renewed_count",
    "renewals_churned": "churned_count", "renewals_open": "open_count",
    "tasks_completed": "tasks_completed", "tasks_overdue": "tasks_overdue",
}  # fmt: skip


def rows_of(firm: Firm) -> dict[int | None, dict]:
    found = performance(firm.session, firm.principal("eve"), START, END)
    return {row["owner_id"]: row for row in found.people}


@pytest.mark.parametrize("who", ["ann", "bob", "cy", None])
def test_the_accounts_behind_each_figure_add_up_to_it(firm: Firm, who: str) -> None:
    owner = firm.people[who] if who else None
    row = rows_of(firm)[owner]
    eve = firm.principal("eve")
    for figure, name in AMOUNTS.items():
        found = behind(firm.session, eve, owner, figure, START, END)
        assert sum((r["amount"] for r in found), Decimal(0)) == row[name], figure
    for figure, name in COUNTS.items():
        found = behind(firm.session, eve, owner, figure, START, END)
        assert len(found) == row[name], figure
    for prefix, counts in (("band", "bands"), ("size", "by_size"), ("tier", "by_tier")):
        for value, count in row[counts].items():
            found = behind(firm.session, eve, owner, f"{prefix}:{value}", START, END)
            assert len(found) == count, (prefix, value)


def test_the_base_behind_nrr_gives_the_rate(firm: Firm) -> None:
    ann = firm.people["ann"]
    found = behind(firm.session, firm.principal("ann"), ann, "nrr", START, END)
    kept = sum(r["amount"] for r in found) / sum(r["opening"] for r in found)
    assert round(kept, 4) == rows_of(firm)[ann]["nrr"]


def test_a_transfer_names_the_other_owner_and_the_day(firm: Firm) -> None:
    found = behind(
        firm.session, firm.principal("bob"), firm.people["bob"], "transfers_in",
        START, END,
    )  # fmt: skip
    assert [(r["external_id"], r["date"], r["detail"]) for r in found] == [
        ("A-1", HANDOVER, "Ann")
    ]


def test_an_owner_outside_the_scope_is_refused(firm: Firm) -> None:
    with pytest.raises(Forbidden):
        behind(
            firm.session, firm.principal("mia"), firm.people["cy"], "mrr", START, END
        )
    with pytest.raises(Forbidden):
        behind(firm.session, firm.principal("mia"), None, "mrr", START, END)


def test_an_unknown_figure_or_owner_is_named(firm: Firm) -> None:
    eve = firm.principal("eve")
    with pytest.raises(TeamError, match="figure 'arr'"):
        behind(firm.session, eve, firm.people["ann"], "arr", START, END)
    with pytest.raises(TeamError, match="owner 999"):
        behind(firm.session, eve, 999, "mrr", START, END)
