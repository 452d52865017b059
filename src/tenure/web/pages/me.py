"""My account: role, language, password change and personal API keys."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth import service as auth
from tenure.auth.passwords import PasswordPolicyError
from tenure.auth.scope import can
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.me_briefing import briefing_card
from tenure.web.signin import session_token

log = logging.getLogger(__name__)


def me_page(request: Request) -> RedirectResponse | None:
    """The signed-in user's own settings."""
    page = open_page(request)
    if isinstance(page, RedirectResponse):
        return page
    t = page.t
    with frame(page, "account.title"):
        with ui.card().classes("w-full"):
            ui.label(page.principal.name).classes("text-h6")
            ui.label(page.principal.email).classes("text-grey-8")
            ui.label(f"{t('account.role')}: {page.principal.role}").props(
                'data-testid="role"'
            )
        _password_card(page)
        briefing_card(page)
        if can(page.principal, "own_api_keys"):
            _keys_card(page)
    return None


def _password_card(page: PageContext) -> None:
    t = page.t

    def change() -> None:
        message.classes(remove="text-positive text-negative")
        try:
            with db() as session:
                user = auth.get_user(session, page.principal.email)
                auth.change_password(
                    session,
                    user,
                    current.value or "",
                    new.value or "",
                    keep_token=session_token(),
                )
        except auth.InvalidCredentials:
            message.classes("text-negative").set_text(t("login.wrong"))
            return
        except (PasswordPolicyError, auth.UserError) as exc:
            message.classes("text-negative").set_text(str(exc))
            return
        current.value = ""
        new.value = ""
        message.classes("text-positive").set_text(t("account.password_changed"))

    with ui.card().classes("w-full max-w-md"):
        ui.label(t("account.change_password")).classes("text-subtitle1")
        current = ui.input(t("account.current_password"), password=True).props(
            'data-testid="current-password" autocomplete=current-password'
        )
        new = ui.input(t("account.new_password"), password=True).props(
            'data-testid="new-password" autocomplete=new-password'
        )
        message = ui.label("").props('data-testid="password-message"')
        ui.button(t("account.change_password"), on_click=change).props(
            'data-testid="change-password"'
        )


def _keys_card(page: PageContext) -> None:
    t = page.t

    @ui.refreshable
    def key_list() -> None:
        with db() as session:
            user = auth.get_user(session, page.principal.email)
            keys = [k for k in auth.list_api_keys(session, user) if not k.revoked_at]
        for key in keys:
            with ui.row().classes("items-center gap-2"):
                ui.label(f"{key.name} · {key.prefix}…").classes("font-mono")
                ui.button(
                    t("account.revoke"), on_click=lambda key_id=key.id: revoke(key_id)
                ).props("flat dense color=negative")

    def create() -> None:
        with db() as session:
            user = auth.get_user(session, page.principal.email)
            raw, _key = auth.create_api_key(session, user, name.value or "default")
        shown.set_text(raw)
        note.set_visibility(True)
        key_list.refresh()

    def revoke(key_id: int) -> None:
        with db() as session:
            user = auth.get_user(session, page.principal.email)
            auth.revoke_api_key(session, key_id, actor=user)
        key_list.refresh()

    with ui.card().classes("w-full max-w-xl"):
        ui.label(t("account.api_keys")).classes("text-subtitle1")
        key_list()
        with ui.row().classes("items-end gap-2"):
            name = ui.input(t("common.name"), value="default").props("dense")
            ui.button(t("account.new_key"), on_click=create).props(
                'data-testid="create-key"'
            )
        note = ui.label(t("account.key_once")).classes("text-warning")
        note.set_visibility(False)
        shown = (
            ui.label("").classes("font-mono break-all").props('data-testid="new-key"')
        )
