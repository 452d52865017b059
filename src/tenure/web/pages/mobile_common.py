"""What the phone pages share: a slim header with a back link, cards, tappable rows.

The pages behind the daily briefing are read on a phone: one narrow column, large
type, no navigation drawer, rows a thumb can hit (at least 48 px high).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui
from sqlalchemy.orm import Session

from tenure.briefing.preferences import user_zone
from tenure.briefing.sections import Words
from tenure.staff.models import StaffUser
from tenure.web.pages.common import PageContext

log = logging.getLogger(__name__)


def reader(session: Session, page: PageContext) -> StaffUser:
    """The signed-in staff user, as a row of ``session``."""
    return session.get_one(StaffUser, page.principal.user_id)


def local_today(session: Session, user: StaffUser) -> dt.date:
    """Today in the user's time zone (the company's when they have none)."""
    return dt.datetime.now(user_zone(session, user)).date()


def words(page: PageContext) -> Words:
    """The page's messages and currency as the briefing formats them."""
    return Words(page.t, page.currency, page.locale)


def parse_day(text: str) -> dt.date | None:
    """A YYYY-MM-DD path part as a date; None when it is not one."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@contextmanager
def mobile_frame(
    page: PageContext, title: str, back: str | None = "/m"
) -> Iterator[None]:
    """Lay out a phone page: a slim header with a back link and a narrow column."""
    t = page.t
    ui.page_title(f"{title} · Tenure")
    ui.query("body").classes("bg-grey-1")
    with ui.header().classes("items-center no-wrap gap-1 px-1 py-0 bg-primary"):
        if back is not None:
            ui.button(icon="arrow_back", on_click=lambda: ui.navigate.to(back)).props(
                f'flat round color=white aria-label="{t("common.back")}" '
                'data-testid="back"'
            ).mark("back")
        ui.label(title).classes("text-subtitle1 text-white ellipsis q-py-sm").props(
            'data-testid="page-title"'
        )
    with ui.column().classes("w-full max-w-[600px] mx-auto q-pa-sm gap-3 text-body1"):
        if page.stale:
            ui.label(page.stale).classes("text-negative")
        yield


def card(title: str, summary: str | None = None, testid: str | None = None) -> ui.card:
    """A card with a title and a one-line summary; rows go inside it."""
    box = ui.card().tight().classes("w-full")
    if testid:
        box.props(f'data-testid="{testid}"').mark(testid)
    with box, ui.column().classes("w-full q-px-md q-pt-md q-pb-sm gap-1"):
        ui.label(title).classes("text-h6")
        if summary:
            ui.label(summary).classes("text-body1 text-grey-9")
    return box


def row(
    text: str,
    detail: str | None = None,
    target: str | None = None,
    testid: str | None = None,
    warn: bool = False,
) -> None:
    """One tappable row: its text, a detail under it and a chevron when it links."""
    outer = ui.link(target=target) if target else ui.element("div")
    outer.classes(
        "w-full no-underline text-dark row items-center no-wrap q-px-md q-py-sm "
        "min-h-[48px]"
    ).style("border-top: 1px solid #e0e0e0")
    if testid:
        outer.props(f'data-testid="{testid}"').mark(testid)
    with outer:
        with ui.column().classes("gap-0 grow min-w-0"):
            ui.label(text).classes("text-subtitle1 break-words")
            if detail:
                ui.label(detail).classes(
                    "text-body2 " + ("text-negative" if warn else "text-grey-7")
                )
        if target:
            ui.icon("chevron_right").classes("text-grey-6 text-h6")


def note(text: str, testid: str | None = None) -> None:
    """A quiet line inside a card (such as 'and 3 more')."""
    label = ui.label(text).classes("text-body2 text-grey-7 q-px-md q-py-sm")
    if testid:
        label.props(f'data-testid="{testid}"').mark(testid)


def not_found(page: PageContext, key: str = "m.not_found") -> None:
    """Say the page's record does not exist or is not the reader's to see."""
    ui.label(page.t(key)).classes("text-h6 q-pa-md").props(
        'data-testid="not-found"'
    ).mark("not-found")
    ui.link(page.t("m.to_briefing"), "/m").classes("q-px-md text-body1")
