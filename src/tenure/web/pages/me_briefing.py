"""The daily briefing's card on My account: subscribe, send time, channels, webhooks."""

from __future__ import annotations

import logging
from typing import Any

from nicegui import ui

from tenure.briefing import preferences as prefs
from tenure.briefing.channels import send_test
from tenure.briefing.models import WEBHOOK_KINDS
from tenure.db.base import utcnow
from tenure.staff.models import StaffUser
from tenure.web.context import db
from tenure.web.pages.common import PageContext
from tenure.web.pages.work_common import attempt, options

log = logging.getLogger(__name__)


class BriefingCard:
    """The signed-in user's briefing preference and their chat webhooks."""

    def __init__(self, page: PageContext) -> None:
        self.page = page

    @ui.refreshable_method
    def webhooks(self) -> None:
        """The user's webhooks, each with a test and a delete button."""
        t = self.page.t
        with db() as session:
            rows = [
                prefs.webhook_row(hook)
                for hook in prefs.list_webhooks(session, self.page.principal.user_id)
            ]
        if not rows:
            ui.label(t("prefs.no_webhooks")).classes("text-grey-7")
        for row in rows:
            line = ui.row().classes("w-full items-center gap-2 no-wrap")
            with line.props(f'data-testid="webhook-{row["id"]}"'):
                with ui.column().classes("gap-0 grow"):
                    ui.label(f"{t('prefs.kind.' + row['kind'])} · {row['name']}")
                    ui.label(row["url"]).classes("text-caption text-grey-7 font-mono")
                if row["signed"]:
                    ui.badge(t("prefs.signed"), color="grey-6")
                ui.button(
                    t("prefs.test"), on_click=lambda hook=row["id"]: self.test(hook)
                ).props("flat dense").mark(f"webhook-test-{row['id']}")
                ui.button(
                    t("prefs.delete"), on_click=lambda hook=row["id"]: self.delete(hook)
                ).props("flat dense color=negative").mark(f"webhook-delete-{row['id']}")

    def test(self, webhook_id: int) -> None:
        """Send the webhook a test message and say how it went."""
        t = self.page.t
        try:
            with db() as session:
                prefs.get_webhook(session, self.page.principal.user_id, webhook_id)
                outcome = send_test(session, webhook_id)
        except prefs.WebhookNotFound as exc:
            ui.notify(f"{t('prefs.test_failed')} {exc}", type="negative")
            return
        if outcome.ok:
            ui.notify(t("prefs.test_sent"), type="positive")
        else:
            ui.notify(f"{t('prefs.test_failed')} {outcome.error}", type="negative")

    def delete(self, webhook_id: int) -> None:
        """Delete one of the user's webhooks."""
        user_id = self.page.principal.user_id
        if attempt(
            self.page,
            lambda session: prefs.delete_webhook(session, user_id, webhook_id),
            "prefs.deleted",
            "prefs.not_saved",
        ):
            self.webhooks.refresh()


def _preference_form(page: PageContext, shown: dict[str, Any], email_to: str) -> None:
    """Subscribe toggle, send time and channels, saved together."""
    t = page.t
    user_id = page.principal.user_id
    enabled = ui.switch(t("prefs.enabled"), value=shown["enabled"]).mark(
        "briefing-enabled"
    )
    with ui.row().classes("items-center gap-4"):
        send_time = (
            ui.input(t("prefs.send_time"), value=shown["send_time"])
            .props("dense")
            .mark("briefing-time")
        )
        ui.label(t("prefs.zone", zone=shown["timezone"])).classes(
            "text-caption text-grey-7"
        )
    email = ui.checkbox(t("prefs.email", email=email_to), value=shown["email"])
    in_app = ui.checkbox(t("prefs.in_app"), value=shown["in_app"])
    email.mark("briefing-email")
    in_app.mark("briefing-in-app")

    def save() -> None:
        attempt(
            page,
            lambda session: prefs.set_preference(
                session,
                user_id,
                enabled=bool(enabled.value),
                send_time=str(send_time.value or ""),
                email=bool(email.value),
                in_app=bool(in_app.value),
            ),
            "prefs.saved",
            "prefs.not_saved",
        )

    ui.button(t("prefs.save"), on_click=save).mark("briefing-save")


def _webhook_form(card: BriefingCard) -> None:
    """Add a webhook: platform, name, address and signing secret."""
    page = card.page
    t = page.t
    with ui.row().classes("w-full items-end gap-2"):
        kind = (
            ui.select(options(t, "prefs.kind", WEBHOOK_KINDS), value="wecom")
            .props(f'dense label="{t("prefs.kind")}"')
            .classes("min-w-[120px]")
            .mark("webhook-kind")
        )
        name = ui.input(t("prefs.name")).props("dense").mark("webhook-name")
    url = ui.input(t("prefs.url")).props("dense").classes("w-full").mark("webhook-url")
    secret = (
        ui.input(t("prefs.secret"), password=True)
        .props("dense")
        .classes("w-full")
        .mark("webhook-secret")
    )

    def add() -> None:
        if attempt(
            page,
            lambda session: prefs.add_webhook(
                session,
                page.principal.user_id,
                kind=str(kind.value),
                url=str(url.value or ""),
                name=name.value or None,
                secret=secret.value or None,
            ),
            "prefs.added",
            "prefs.not_saved",
        ):
            for field in (name, url, secret):
                field.value = ""
            card.webhooks.refresh()

    ui.button(t("prefs.add"), icon="add", on_click=add).props("outline").mark(
        "webhook-add"
    )


def briefing_card(page: PageContext) -> None:
    """The card: the preference, the webhooks and a link to today's briefing."""
    t = page.t
    with db() as session:
        user = session.get(StaffUser, page.principal.user_id)
        if user is None:
            return
        shown = prefs.describe(session, user)
        local_today = utcnow().astimezone(prefs.user_zone(session, user)).date()
        email_to = user.email
    card = BriefingCard(page)
    with ui.card().classes("w-full max-w-xl").props('data-testid="briefing"'):
        ui.label(t("prefs.title")).classes("text-subtitle1")
        _preference_form(page, shown, email_to)
        ui.link(t("prefs.preview"), f"/m/briefing/{local_today}").mark(
            "briefing-preview"
        )
        ui.separator()
        ui.label(t("prefs.webhooks")).classes("text-subtitle2")
        card.webhooks()
        _webhook_form(card)
