"""The notification centre: the user's notices, newest first, each to its page."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.notifications import service as notifications
from tenure.web.context import db
from tenure.web.pages.common import frame, open_page

log = logging.getLogger(__name__)


def notifications_page(request: Request) -> RedirectResponse | None:
    """List the user's notifications; opening the page does not mark them read."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with db() as session:
        rows = [
            (n.id, n.title, n.body, n.link, n.created_at, n.read_at is None)
            for n in notifications.recent(session, page.principal.user_id, limit=100)
        ]

    def mark_all() -> None:
        with db() as session:
            notifications.mark_read(session, page.principal.user_id)
        ui.navigate.reload()

    with frame(page, "nav.notifications"):
        if not rows:
            ui.label(t("notify.none")).classes("text-grey-7").props(
                'data-testid="no-notifications"'
            )
            return None
        ui.button(t("notify.mark_read"), icon="done_all", on_click=mark_all).props(
            'flat dense data-testid="mark-read"'
        )
        for _id, title, body, link, created, unread in rows:
            card = ui.card().classes("w-full q-pa-sm")
            card.props(f'data-testid="notification-{_id}"')
            with card, ui.row().classes("w-full items-center no-wrap gap-2"):
                ui.icon("circle" if unread else "radio_button_unchecked").classes(
                    "text-primary text-caption"
                )
                with ui.column().classes("gap-0 grow"):
                    if link:
                        ui.link(title, f"/notifications/{_id}").classes("text-body1")
                    else:
                        ui.label(title).classes("text-body1")
                    if body:
                        ui.label(body).classes("text-body2 text-grey-8")
                    ui.label(f"{created:%Y-%m-%d %H:%M} UTC").classes(
                        "text-caption text-grey-7"
                    )
    return None


def open_notification(request: Request, note_id: str) -> RedirectResponse:
    """Mark one notification read and go to the page it points to."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    target = "/notifications"
    if note_id.isdigit():
        with db() as session:
            user = page.principal.user_id
            note = notifications.find(session, user, int(note_id))
            if note is not None:
                notifications.mark_read(session, user, [note.id])
                target = note.link or target
    return RedirectResponse(target)
