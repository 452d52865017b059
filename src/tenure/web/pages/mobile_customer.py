"""The phone page of one customer: MRR, health, owner, renewal, tasks, timeline."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.briefing.customer import CustomerCard, NotFound, customer_card
from tenure.web.context import db
from tenure.web.pages.common import PageContext, open_page
from tenure.web.pages.mobile_common import card, mobile_frame, not_found, row, words

log = logging.getLogger(__name__)

BAND_COLOURS = {"red": "negative", "yellow": "warning", "green": "positive"}


def mobile_customer(request: Request, external_id: str) -> RedirectResponse | None:
    """One customer in the reader's scope; not found outside it."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    found: CustomerCard | None
    with db() as session:
        try:
            found = customer_card(session, external_id, page.principal)
        except NotFound:
            found = None
    with mobile_frame(page, found.name if found else page.t("common.customer")):
        if found is None:
            not_found(page, "customer.not_found")
            return None
        _customer(page, found)
    return None


def _customer(page: PageContext, customer: CustomerCard) -> None:
    t = page.t
    w = words(page)
    with ui.card().classes("w-full q-pa-md gap-1").props('data-testid="customer"'):
        ui.label(customer.name).classes("text-h6 break-words")
        ui.label(customer.external_id).classes("text-body2 text-grey-7")
        with ui.row().classes("w-full items-baseline gap-2"):
            ui.label(w.money(customer.mrr)).classes("text-h5").props(
                'data-testid="mrr"'
            ).mark("mrr")
            ui.label(t("m.per_month")).classes("text-body2 text-grey-7")
            ui.space()
            ui.chip(t(f"status.{customer.status}")).props("dense")
        _health(page, customer)
        ui.label(f"{t('dim.owner')}: {customer.owner or t('m.no_owner')}").classes(
            "text-body1"
        )
        if customer.renewal_due is not None and customer.renewal_amount is not None:
            ui.label(
                t("m.next_renewal", date=customer.renewal_due.isoformat(),
                  amount=w.money(customer.renewal_amount))
            ).classes("text-body1").props('data-testid="renewal"')  # fmt: skip
    _tasks(page, customer)
    _timeline(page, customer)
    ui.link(t("m.full_page"), f"/customers/{customer.external_id}").classes(
        "text-body1 q-pa-sm"
    ).props('data-testid="full-page"').mark("full-page")


def _health(page: PageContext, customer: CustomerCard) -> None:
    t = page.t
    if customer.band is None:
        ui.label(t("m.no_health")).classes("text-body1 text-grey-7")
        return
    if customer.band_label is not None:
        band = (
            customer.band_label.zh_cn
            if page.locale == "zh-CN"
            else customer.band_label.en
        )
    else:
        band = t(f"band.{customer.band}")
    score = "–" if customer.score is None else f"{customer.score:.1f}"
    with ui.row().classes("items-center gap-2").props('data-testid="health"'):
        ui.badge(band, color=BAND_COLOURS.get(customer.band, "grey-7")).classes(
            "text-body2 q-px-sm"
        )
        ui.label(t("m.health_score", score=score)).classes("text-body1")


def _tasks(page: PageContext, customer: CustomerCard) -> None:
    t = page.t
    summary = None if customer.tasks else t("m.no_open_tasks")
    with card(t("m.open_tasks"), summary, testid="customer-tasks"):
        for task in customer.tasks:
            due = task["due_on"]
            row(
                task["title"],
                t("m.due", date=due.isoformat()) if due else None,
                f"/m/tasks/{task['id']}",
            )


def _timeline(page: PageContext, customer: CustomerCard) -> None:
    t = page.t
    summary = None if customer.timeline else t("m.no_timeline")
    with card(t("m.timeline"), summary, testid="customer-timeline"):
        for entry in customer.timeline:
            when = entry["occurred_at"].date().isoformat()
            kind = t(f"activity.{entry['kind']}")
            author = f" · {entry['author']}" if entry.get("author") else ""
            row(entry["subject"] or kind, f"{when} · {kind}{author}")
