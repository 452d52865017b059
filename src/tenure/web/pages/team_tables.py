"""The team page's tables: teams compared, people ranked, accounts served.

Every figure cell that has accounts behind it links to the drill-down page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from nicegui import ui

from tenure.team.figures import RANKINGS
from tenure.web.i18n import money_text, percent_text
from tenure.web.pages.common import PageContext, empty, link_query

log = logging.getLogger(__name__)

Row = dict[str, Any]
# The drill-down figure behind a column, where there is one.
BEHIND = {
    "mrr": "mrr",
    "churn": "churn",
    "transfers_in": "transfers_in",
    "transfers_out": "transfers_out",
    "nrr": "nrr",
    "grr": "nrr",
    "logo_churn_rate": "churn",
    "due_count": "renewals_due",
    "rate_by_count": "renewals_due",
    "gross_rate_by_amount": "renewals_due",
    "net_rate_by_amount": "renewals_due",
    "tasks_completed": "tasks_completed",
    "tasks_overdue": "tasks_overdue",
}
MONEY = ("mrr", "net_new_mrr", "churn", "transfers_in", "transfers_out")
RATES = (
    "nrr", "grr", "logo_churn_rate", "rate_by_count", "gross_rate_by_amount",
    "net_rate_by_amount",
)  # fmt: skip
COUNTS = ("due_count", "tasks_completed", "tasks_overdue")
LABELS = {
    "mrr": "team.mrr",
    "net_new_mrr": "team.net_new_mrr",
    "churn": "team.churn",
    "transfers_in": "team.transfers_in",
    "transfers_out": "team.transfers_out",
    "nrr": "team.nrr",
    "grr": "team.grr",
    "logo_churn_rate": "team.logo_churn",
    "rate_by_count": "team.rate_by_count",
    "gross_rate_by_amount": "team.gross_rate_by_amount",
    "net_rate_by_amount": "team.net_rate_by_amount",
    "due_count": "team.renewals_due",
    "tasks_completed": "team.tasks_completed",
    "tasks_overdue": "team.tasks_overdue",
}
PERSON_FIGURES = (*MONEY, *RATES, *COUNTS)
# A cell shows its link, if the row has one for the column.
LINKED_CELL = """
<q-td :props="props">
  <a v-if="props.row.links && props.row.links[props.col.name]"
     :href="props.row.links[props.col.name]"
     class="text-primary no-underline">{{ props.value }}</a>
  <span v-else>{{ props.value }}</span>
</q-td>
"""


def behind_link(owner: int | None, figure: str, start: dt.date, end: dt.date) -> str:
    """The drill-down page of one person's (None: nobody's) figure."""
    who = "none" if owner is None else owner
    return "/team/behind" + link_query(owner=who, figure=figure, start=start, end=end)


def cell_text(page: PageContext, name: str, value: Any) -> str:
    """A figure as the tables show it."""
    if name in RATES:
        return percent_text(value)
    if name in MONEY:
        return money_text(value, page.currency)
    return "–" if value is None else f"{value:,}"


def person_name(page: PageContext, row: Row) -> str:
    """The person's name, or "Unassigned" for accounts without an owner."""
    return row.get("name") or page.t("team.unassigned")


def _table(
    page: PageContext, columns: list[Row], rows: list[Row], testid: str
) -> ui.table:
    table = ui.table(columns=columns, rows=rows, row_key="key").props(
        f'flat dense wrap-cells data-testid="{testid}"'
    )
    table.classes("w-full").mark(testid)
    table.add_slot("body-cell", LINKED_CELL)
    return table


def _columns(page: PageContext, first: list[Row], names: tuple[str, ...]) -> list[Row]:
    t = page.t
    return [
        *first,
        *(
            {"name": n, "label": t(LABELS[n]), "field": n, "align": "right"}
            for n in names
        ),
    ]


def comparison_table(
    page: PageContext, rows: list[Row], on_team: Callable[[int | None], str]
) -> None:
    """One row per team (its name links to the team's own view)."""
    t = page.t
    if not rows:
        empty(page)
        return
    shown = []
    for row in rows:
        out: Row = {
            "key": row["team_id"] if row["team_id"] is not None else "none",
            "team": row["team"] or t("team.no_team"),
            "people": row["people"],
            "links": {"team": on_team(row["team_id"])} if row["team_id"] else {},
        }
        out.update({n: cell_text(page, n, row[n]) for n in PERSON_FIGURES})
        shown.append(out)
    first = [
        {"name": "team", "label": t("team.team"), "field": "team", "align": "left"},
        {"name": "people", "label": t("team.people"), "field": "people"},
    ]
    _table(page, _columns(page, first, PERSON_FIGURES), shown, "comparison")


def ranking_table(
    page: PageContext, people: list[Row], start: dt.date, end: dt.date
) -> None:
    """One row per person, ranked; figure cells link to the accounts behind them."""
    t = page.t
    if not people:
        empty(page)
        return
    shown = []
    for row in people:
        owner = row["owner_id"]
        out: Row = {
            "key": owner if owner is not None else "none",
            "rank": row.get("rank") or "–",
            "name": person_name(page, row),
            "team": row.get("team") or "",
            "links": {
                name: behind_link(owner, figure, start, end)
                for name, figure in BEHIND.items()
            },
        }
        out.update({n: cell_text(page, n, row[n]) for n in PERSON_FIGURES})
        shown.append(out)
    first = [
        {"name": "rank", "label": t("team.rank"), "field": "rank", "align": "left"},
        {"name": "name", "label": t("team.person"), "field": "name", "align": "left"},
        {"name": "team", "label": t("team.team"), "field": "team", "align": "left"},
    ]
    _table(page, _columns(page, first, PERSON_FIGURES), shown, "ranking")


def ranking_choices(page: PageContext) -> dict[str, str]:
    """The figures people may be ranked by, labelled."""
    return {name: page.t(LABELS[name]) for name in RANKINGS}


def book_table(
    page: PageContext, people: list[Row], start: dt.date, end: dt.date
) -> None:
    """Each person's paying accounts by type/size and by tier, linked to the list."""
    t = page.t
    sizes = sorted({s for row in people for s in row["by_size"]})
    tiers = sorted({s for row in people for s in row["by_tier"]})
    if not (sizes or tiers):
        empty(page)
        return
    columns: list[Row] = [
        {"name": "name", "label": t("team.person"), "field": "name", "align": "left"},
        {"name": "accounts", "label": t("team.accounts"), "field": "accounts"},
    ]
    columns += [
        {"name": f"size:{s}", "label": f"{t('team.size')}: {s}", "field": f"size:{s}"}
        for s in sizes
    ]
    columns += [
        {"name": f"tier:{s}", "label": f"{t('team.tier')}: {s}", "field": f"tier:{s}"}
        for s in tiers
    ]
    shown = []
    for row in people:
        owner = row["owner_id"]
        out: Row = {
            "key": owner if owner is not None else "none",
            "name": person_name(page, row),
            "accounts": row["accounts"],
            "links": {},
        }
        for prefix, counts in (("size", row["by_size"]), ("tier", row["by_tier"])):
            for value, count in counts.items():
                name = f"{prefix}:{value}"
                out[name] = count
                out["links"][name] = behind_link(owner, name, start, end)
        shown.append(out)
    _table(page, columns, shown, "book")
