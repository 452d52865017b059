"""What every page shares: who is signed in, the frame around the content, links."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth.scope import Principal, can
from tenure.notifications import service as notifications
from tenure.revenue.loading import load_policy
from tenure.revenue.service import StaleFactsError, fact_currency
from tenure.staff.service import set_locale
from tenure.web.context import db
from tenure.web.i18n import LOCALES, pick_locale, translator
from tenure.web.signin import current_principal, sign_out

log = logging.getLogger(__name__)

NAV = (
    ("/workbench", "nav.workbench", "dashboard"),
    ("/tasks", "nav.tasks", "task_alt"),
    ("/", "nav.business", "insights"),
    ("/revenue", "nav.revenue", "payments"),
    ("/renewals", "nav.renewals", "autorenew"),
    ("/customers", "nav.customers", "groups"),
    ("/m", "nav.briefing", "wb_sunny"),
    ("/me", "nav.account", "person"),
)
# Shown only to roles with the permission.
PERMITTED_NAV = (
    ("/team", "nav.team", "groups_3", "view_team"),
    ("/health/scorecards", "nav.scorecards", "rule", "manage_health"),
    ("/rules", "nav.rules", "bolt", "manage_operations"),
    ("/playbooks", "nav.playbooks", "account_tree", "manage_operations"),
    ("/segments", "nav.segments", "filter_alt", "manage_operations"),
    ("/book", "nav.book", "swap_horiz", "manage_book"),
)
DIMENSION_PARAMS = ("industry", "region", "tier", "owner", "plan")


@dataclass(frozen=True)
class PageContext:
    """The signed-in user, their language and the reporting currency."""

    principal: Principal
    locale: str
    t: Callable[..., str]
    currency: str
    stale: str | None = None


def open_page(request: Request) -> PageContext | RedirectResponse:
    """Return the page's context, or a redirect to the sign-in page."""
    principal = current_principal()
    if principal is None:
        target = request.url.path
        if request.url.query:
            target += f"?{request.url.query}"
        return RedirectResponse(f"/login?{urlencode({'next': target})}")
    locale = pick_locale(principal.locale, request.headers.get("accept-language"))
    stale = None
    with db() as session:
        try:
            currency = fact_currency(session)
        except StaleFactsError as exc:
            currency = load_policy(session).reporting_currency
            stale = str(exc)
    return PageContext(principal, locale, translator(locale), currency, stale)


def link_query(**params: object) -> str:
    """Encode the non-empty parameters as a query string (with its leading '?')."""
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"?{urlencode(kept)}" if kept else ""


@contextmanager
def frame(page: PageContext, title_key: str) -> Iterator[None]:
    """Lay out the header, the navigation drawer and the page's content column."""
    t = page.t
    ui.page_title(f"{t(title_key)} · Tenure")
    ui.query("body").classes("bg-grey-1")
    drawer = ui.left_drawer(value=None).props("show-if-above bordered")
    with drawer, ui.column().classes("w-full gap-0"):
        permitted = [
            (path, key, icon)
            for path, key, icon, action in PERMITTED_NAV
            if can(page.principal, action)
        ]
        for path, key, icon in (*NAV[:-1], *permitted, NAV[-1]):
            with ui.link(target=path).classes(
                "w-full no-underline text-dark q-pa-sm row items-center gap-2"
            ):
                ui.icon(icon)
                ui.label(t(key))
        ui.separator()
        with ui.link(target="/docs", new_tab=True).classes(
            "w-full no-underline text-dark q-pa-sm row items-center gap-2"
        ):
            ui.icon("api")
            ui.label(t("nav.api_docs"))
        ui.select(
            {"zh-CN": "简体中文", "en": "English"},
            value=page.locale,
            label=t("common.language"),
            on_change=lambda e: _switch_language(page, e.value),
        ).classes("w-full q-pa-sm").props('dense data-testid="language"').mark(
            "language"
        )
        ui.button(t("nav.sign_out"), icon="logout", on_click=_sign_out).props(
            "flat align=left"
        ).classes("w-full")
    with ui.header(elevated=True).classes("items-center px-2 py-1 bg-primary"):
        ui.button(icon="menu", on_click=lambda: drawer.toggle()).props(
            "flat round color=white aria-label=menu"
        )
        ui.label(t(title_key)).classes("text-h6 text-white q-ml-sm").props(
            'data-testid="page-title"'
        )
        ui.space()
        _bell(page)
        ui.label(page.principal.name).classes("text-white gt-xs")
    with ui.column().classes("w-full max-w-screen-xl mx-auto q-pa-sm gap-3"):
        if page.stale:
            ui.label(page.stale).classes("text-negative")
        yield


def _bell(page: PageContext) -> None:
    """The notification centre's button, with the number of unread notices."""
    with db() as session:
        unread = notifications.unread_count(session, page.principal.user_id)
    with ui.link(target="/notifications").classes("text-white"):
        button = ui.button(icon="notifications").props(
            f'flat round color=white aria-label="{page.t("nav.notifications")}" '
            'data-testid="bell"'
        )
        if unread:
            with button:
                ui.badge(str(unread), color="negative").props(
                    'floating data-testid="unread"'
                ).mark("unread")


def _switch_language(page: PageContext, locale: str) -> None:
    if locale not in LOCALES:
        return
    with db() as session:
        set_locale(session, page.principal.user_id, locale)
    ui.navigate.reload()


def _sign_out() -> None:
    sign_out()
    ui.navigate.to("/login")


def figure(
    label: str,
    value: str,
    *,
    note: str | None = None,
    target: str | None = None,
    testid: str | None = None,
) -> None:
    """Show one headline figure as a card; with ``target`` it links to the detail."""
    card = ui.card().classes("min-w-[150px] grow q-pa-sm")
    if testid:
        card.props(f'data-testid="{testid}"').mark(testid)
    with card:
        ui.label(label).classes("text-caption text-grey-8")
        if target:
            ui.link(value, target).classes("text-h6 text-primary no-underline")
        else:
            ui.label(value).classes("text-h6")
        if note:
            ui.label(note).classes("text-caption text-grey-7")


def empty(page: PageContext) -> None:
    """Say there is nothing to show."""
    ui.label(page.t("common.none")).classes("text-grey-7 q-pa-md")
