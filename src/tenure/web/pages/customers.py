"""Customers: search, filter, sort and page on the server; export exactly that list."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui

from tenure.accounts import service as accounts
from tenure.auth.scope import owner_scope
from tenure.segments import service as segments
from tenure.web.context import db
from tenure.web.i18n import money_text
from tenure.web.pages.common import frame, link_query, open_page

log = logging.getLogger(__name__)

FILTERS = ("industry", "region", "tier", "owner", "plan", "status", "segment")
PAGE_SIZE = 25
TEXT_FIELDS = ("account_id", "name", "industry", "region", "tier", "owner_name")


def customers_page(request: Request) -> RedirectResponse | None:
    """The customer list."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        owners = owner_scope(session, page.principal)
        options = accounts.filter_options(session, owners)
        segment_names = segments.segment_choices(session)
    options["status"] = list(accounts.STATUSES)
    options["segment"] = list(segment_names)
    state: dict[str, Any] = {
        "search": None,
        **dict.fromkeys(FILTERS),
        "sort": "mrr",
        "descending": True,
        "page": 1,
    }

    def query() -> accounts.AccountQuery:
        return accounts.AccountQuery(
            search=state["search"] or None,
            **{name: state[name] or None for name in FILTERS},
            sort=state["sort"],
            descending=state["descending"],
            page=state["page"],
            page_size=PAGE_SIZE,
        )

    def load() -> None:
        with db() as session:
            result = accounts.list_accounts(session, query(), owners)
        table.rows = [
            {
                **{key: row[key] for key in TEXT_FIELDS},
                "mrr_text": money_text(row["mrr"], row["currency"]),
                "status_text": t(f"status.{row['status']}"),
            }
            for row in result.rows
        ]
        table.pagination = {
            "page": state["page"],
            "rowsPerPage": PAGE_SIZE,
            "rowsNumber": result.total,
            "sortBy": state["sort"],
            "descending": state["descending"],
        }
        total.set_text(t("customers.total", n=result.total))
        table.update()

    def on_request(event: events.GenericEventArguments) -> None:
        pagination = event.args["pagination"]
        sort = pagination.get("sortBy") or "name"
        state["sort"] = "mrr" if sort == "mrr_text" else sort
        state["descending"] = bool(pagination.get("descending"))
        state["page"] = int(pagination.get("page") or 1)
        load()

    def set_filter(name: str, value: Any) -> None:
        state[name] = value or None
        state["page"] = 1
        load()

    def export(fmt: str) -> None:
        q = query()
        params = {name: getattr(q, name) for name in ("search", *FILTERS)}
        url = "/api/v1/accounts/export" + link_query(
            format=fmt, sort=q.sort, descending=str(q.descending).lower(), **params
        )
        ui.download.from_url(url)

    columns = [
        {"name": "account_id", "label": "ID", "field": "account_id", "sortable": True,
         "align": "left"},
        {"name": "name", "label": t("common.name"), "field": "name", "sortable": True,
         "align": "left"},
        {"name": "mrr", "label": "MRR", "field": "mrr_text", "sortable": True},
        {"name": "industry", "label": t("dim.industry"), "field": "industry",
         "sortable": True, "align": "left"},
        {"name": "region", "label": t("dim.region"), "field": "region",
         "sortable": True, "align": "left"},
        {"name": "tier", "label": t("dim.tier"), "field": "tier", "sortable": True,
         "align": "left"},
        {"name": "owner", "label": t("dim.owner"), "field": "owner_name",
         "sortable": True, "align": "left"},
        {"name": "status", "label": t("dim.status"), "field": "status_text",
         "sortable": True, "align": "left"},
    ]  # fmt: skip

    with frame(page, "nav.customers"):
        with ui.row().classes("w-full items-end gap-2"):
            ui.input(
                t("customers.search"),
                on_change=lambda e: set_filter("search", (e.value or "").strip()),
            ).props('dense clearable debounce=300 data-testid="search"').classes(
                "min-w-[200px]"
            ).mark("search")
            for name in FILTERS:
                labels = {v: v for v in options.get(name, [])}
                if name == "status":
                    labels = {v: t(f"status.{v}") for v in options[name]}
                if name == "segment":
                    labels = segment_names
                ui.select(
                    {"": t("common.all"), **labels},
                    value="",
                    label=t(f"dim.{name}"),
                    on_change=lambda e, name=name: set_filter(name, e.value),
                ).props(f'dense data-testid="filter-{name}"').classes(
                    "min-w-[120px]"
                ).mark(f"filter-{name}")
        with ui.row().classes("w-full items-center"):
            total = ui.label("").props('data-testid="customer-total"').mark("total")
            ui.space()
            ui.button(t("customers.export_csv"), on_click=lambda: export("csv")).props(
                'outline dense data-testid="export-csv"'
            )
            ui.button(
                t("customers.export_xlsx"), on_click=lambda: export("xlsx")
            ).props('outline dense data-testid="export-xlsx"')
        table = ui.table(
            columns=columns,
            rows=[],
            row_key="account_id",
            pagination={"page": 1, "rowsPerPage": PAGE_SIZE, "rowsNumber": 0},
        ).classes("w-full")
        table.props('flat bordered dense binary-state-sort data-testid="customers"')
        table.props(':rows-per-page-options="[' + str(PAGE_SIZE) + ']"')
        table.mark("customers")
        table.on("request", on_request)
        table.on(
            "row-click",
            lambda e: ui.navigate.to(f"/customers/{e.args[1]['account_id']}"),
        )
        load()
    return None
