"""The phone pages behind the daily briefing: the briefing, movements, renewals, health.

``/m`` is today's briefing built live; ``/m/briefing/{date}`` is the one that was
sent that day (built live when none was). Every page reads the signed-in user's
scope, so a link in a forwarded briefing shows its reader only what they may see.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.briefing import reads
from tenure.briefing.content import build_briefing, stored_or_built
from tenure.briefing.document import BriefingDocument, Section
from tenure.briefing.sections import health_fell
from tenure.revenue.models import MOVEMENT_KINDS
from tenure.web.context import db
from tenure.web.pages.common import PageContext, open_page
from tenure.web.pages.login import landing
from tenure.web.pages.mobile_common import (
    card,
    local_today,
    mobile_frame,
    not_found,
    note,
    parse_day,
    reader,
    row,
    words,
)

log = logging.getLogger(__name__)

# The most rows a phone list shows; the rest are counted.
MOBILE_LIMIT = 200


def mobile_home(request: Request) -> RedirectResponse | None:
    """Today's briefing of the signed-in user, built now."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with db() as session:
        user = reader(session, page)
        doc = build_briefing(session, user, local_today(session, user))
    with mobile_frame(page, page.t("m.briefing"), back=None):
        _briefing(page, doc)
    return None


def mobile_briefing(request: Request, date: str) -> RedirectResponse | None:
    """The briefing of ``date`` as it was sent, else built now."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    day = parse_day(date)
    doc = None
    if day is not None:
        with db() as session:
            doc = stored_or_built(session, reader(session, page), day)
    with mobile_frame(page, page.t("m.briefing")):
        if doc is None:
            not_found(page)
        else:
            _briefing(page, doc)
    return None


def _briefing(page: PageContext, doc: BriefingDocument) -> None:
    """The headline, then each section as a card of tappable item rows."""
    scope = page.t(f"brief.scope.{doc.scope}")
    ui.label(f"{doc.title} · {scope}").classes("text-body2 text-grey-7 q-px-xs")
    ui.label(doc.headline).classes("text-h6 q-px-xs").props(
        'data-testid="headline"'
    ).mark("headline")
    for section in doc.sections:
        _section_card(page, section)
    ui.link(page.t("m.full_app"), landing(page.principal.role)).classes(
        "text-body1 q-pa-sm"
    ).props('data-testid="full-app"')


def _section_card(page: PageContext, section: Section) -> None:
    with card(section.title, section.summary, testid=f"section-{section.key}"):
        for number, item in enumerate(section.items):
            row(item.text, item.detail, item.link, testid=f"{section.key}-{number}")
        if section.more:
            note(page.t("brief.more", count=section.more))
        if section.link and (section.items or section.more):
            row(page.t("brief.see_all"), target=section.link)


def mobile_movements(request: Request, date: str) -> RedirectResponse | None:
    """The day's MRR movements in the reader's scope, by kind."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    day = parse_day(date)
    asked = tuple(
        k for k in request.query_params.getlist("kind") if k in MOVEMENT_KINDS
    )
    moves: list[reads.Movement] = []
    if day is not None:
        with db() as session:
            scope = reads.scope_of(session, page.principal)
            moves = reads.movements_on(session, scope, day, asked)
    with mobile_frame(page, page.t("m.movements", date=date)):
        if day is None:
            not_found(page)
            return None
        _movements(page, moves, asked)
    return None


def _movements(
    page: PageContext, moves: list[reads.Movement], asked: tuple[str, ...]
) -> None:
    """One card per kind with its net change and each customer's movement."""
    w = words(page)
    if not moves:
        with card(page.t("m.movements_none"), testid="movements"):
            pass
        return
    for kind in asked or MOVEMENT_KINDS:
        found = [m for m in moves if m.kind == kind]
        if not found:
            continue
        summary = w.count(
            "brief.mrr.kind_detail",
            len(found),
            amount=w.signed(sum(m.amount for m in found)),
        )
        with card(page.t(f"kind.{kind}"), summary, testid=f"kind-{kind}"):
            for move in found[:MOBILE_LIMIT]:
                row(
                    move.name,
                    page.t(
                        "m.movement_detail",
                        amount=w.signed(move.amount),
                        after=w.money(move.mrr_after),
                    ),
                    f"/m/customers/{move.external_id}",
                )
            if len(found) > MOBILE_LIMIT:
                note(page.t("brief.more", count=len(found) - MOBILE_LIMIT))


def mobile_renewals(request: Request) -> RedirectResponse | None:
    """Open renewal terms due in the next 30 days (and overdue ones) in scope."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    with db() as session:
        scope = reads.scope_of(session, page.principal)
        day = local_today(session, reader(session, page))
        counts = reads.renewal_counts(session, scope, day)
        terms = reads.renewals_due(session, scope, day, limit=MOBILE_LIMIT)
    t = page.t
    w = words(page)
    with mobile_frame(page, t("brief.section.renewals_due")):
        summary = (
            w.count(
                "brief.renewals.summary",
                counts.total,
                days=reads.RENEWAL_DAYS,
                amount=w.money(counts.amount),
            )
            if counts.total
            else t("brief.renewals.none", days=reads.RENEWAL_DAYS)
        )
        with card(t("brief.section.renewals_due"), summary, testid="renewals"):
            for term in terms:
                key = "overdue_detail" if term.overdue else "detail"
                row(
                    term.name,
                    t(f"brief.renewals.{key}", date=term.due_date.isoformat(),
                      amount=w.money(term.amount)),
                    f"/m/customers/{term.external_id}",
                    warn=term.overdue,
                )  # fmt: skip
            if counts.total > len(terms):
                note(t("brief.more", count=counts.total - len(terms)))
    return None


def mobile_health(request: Request, date: str) -> RedirectResponse | None:
    """The customers in scope whose health band fell on ``date``."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    day = parse_day(date)
    section = None
    if day is not None:
        with db() as session:
            scope = reads.scope_of(session, page.principal)
            section, _count = health_fell(
                session, words(page), scope, day, limit=MOBILE_LIMIT
            )
    with mobile_frame(page, page.t("m.health", date=date)):
        if section is None:
            not_found(page)
            return None
        with card(section.title, section.summary, testid="health"):
            for item in section.items:
                row(item.text, item.detail, item.link)
            if section.more:
                note(page.t("brief.more", count=section.more))
    return None
