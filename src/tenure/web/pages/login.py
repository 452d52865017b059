"""The sign-in page."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from tenure.auth import service as auth
from tenure.web.i18n import pick_locale, translator
from tenure.web.signin import current_principal, sign_in

log = logging.getLogger(__name__)


# Where each role lands after signing in when no page was asked for.
LANDING = {"csm": "/workbench", "manager": "/workbench"}


def _safe_next(target: str | None) -> str | None:
    """Only follow a local path after signing in, never another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def landing(role: str) -> str:
    """The first page of a role: the workbench for CSMs and managers, else '/'."""
    return LANDING.get(role, "/")


def login_page(request: Request, next: str | None = None) -> RedirectResponse | None:
    """Ask for email and password; on success go where the user was heading."""
    target = _safe_next(next)
    signed_in = current_principal()
    if signed_in is not None:
        return RedirectResponse(target or landing(signed_in.role))
    t = translator(pick_locale(None, request.headers.get("accept-language")))
    ui.page_title(f"{t('login.title')} · Tenure")

    def submit() -> None:
        message.set_text("")
        try:
            principal = sign_in(email.value or "", password.value or "")
        except auth.AccountLocked:
            message.set_text(t("login.locked"))
            return
        except auth.AccountDisabled:
            message.set_text(t("login.disabled"))
            return
        except auth.AuthError:
            message.set_text(t("login.wrong"))
            return
        ui.navigate.to(target or landing(principal.role))

    outer = ui.column().classes("absolute-center w-full max-w-sm q-pa-md")
    with outer, ui.card().classes("w-full q-pa-lg gap-3"):
        ui.label(t("login.title")).classes("text-h5")
        email = (
            ui.input(t("login.email"))
            .props('type=email autocomplete=username data-testid="email"')
            .classes("w-full")
            .mark("email")
        )
        password = (
            ui.input(t("login.password"), password=True)
            .props('autocomplete=current-password data-testid="password"')
            .classes("w-full")
            .mark("password")
        )
        password.on("keydown.enter", submit)
        message = ui.label("").classes("text-negative").mark("login-message")
        message.props('data-testid="login-message"')
        ui.button(t("login.submit"), on_click=submit).classes("w-full").props(
            'data-testid="sign-in"'
        ).mark("sign-in")
    return None
