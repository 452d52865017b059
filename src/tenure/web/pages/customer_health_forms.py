"""The customer 360's health forms: record sentiment, set a health override.

Who sees which form is decided here by permission; the score, history, explanation
and usage they sit beside are drawn by ``customer_health.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from nicegui import ui

from tenure.auth.scope import can
from tenure.health import service as health
from tenure.web import health as changes
from tenure.web.context import db
from tenure.web.pages.common import PageContext
from tenure.web.pages.health import band_text

log = logging.getLogger(__name__)


def health_forms(
    page: PageContext, account_id: str, latest: dict[str, Any] | None, day: dt.date
) -> None:
    """Sentiment for those who write accounts; overrides for admins and managers."""
    if can(page.principal, "write_accounts"):
        _sentiment_form(page, account_id)
    if can(page.principal, "override_health"):
        bands = [b["name"] for b in latest["bands"]] if latest else []
        _override_form(page, account_id, bands or ["red", "yellow", "green"], day)


def _sentiment_form(page: PageContext, account_id: str) -> None:
    """A form to record how the customer feels, from 5 (best) to 1, with a note."""
    t = page.t
    with (
        ui.expansion(t("health.sentiment"), icon="mood")
        .classes("w-full")
        .props('dense data-testid="sentiment-form"')
    ):
        value = (
            ui.select(
                {n: t(f"sentiment.{n}") for n in range(5, 0, -1)},
                value=None,
                label=t("health.sentiment_value"),
            )
            .classes("w-full")
            .props('dense data-testid="sentiment-value"')
        )
        value.mark("sentiment-value")
        note = (
            ui.textarea(t("health.note"))
            .classes("w-full")
            .props('dense autogrow data-testid="sentiment-note"')
        )
        note.mark("sentiment-note")
        error = ui.label("").classes("text-negative")

        def save() -> None:
            if value.value is None:
                error.set_text(t("health.sentiment_value"))
                return
            try:
                with db() as session:
                    changes.add_sentiment(
                        session,
                        page.principal,
                        account_id,
                        value=int(value.value),
                        note=note.value,
                    )
            except health.HealthError as exc:
                error.set_text(str(exc))
                return
            ui.notify(t("health.saved"), type="positive")
            ui.navigate.reload()

        ui.button(t("health.save"), on_click=save).props(
            'dense data-testid="save-sentiment"'
        ).mark("save-sentiment")


def _override_form(
    page: PageContext, account_id: str, bands: list[str], day: dt.date
) -> None:
    """A form to force a band, with a reason and a day it ends (30 days by default)."""
    t = page.t
    with (
        ui.expansion(t("health.set_override"), icon="tune")
        .classes("w-full")
        .props('dense data-testid="override-form"')
    ):
        band = (
            ui.select(
                {b: band_text(t, b) for b in bands},
                value=bands[0],
                label=t("health.band"),
            )
            .classes("w-full")
            .props('dense data-testid="override-band"')
        )
        band.mark("override-band")
        reason = (
            ui.textarea(t("health.reason"))
            .classes("w-full")
            .props('dense autogrow data-testid="override-reason"')
        )
        reason.mark("override-reason")
        expires = ui.input(
            t("health.expires_on"), value=str(day + dt.timedelta(days=30))
        ).props('dense type=date data-testid="override-expires"')
        expires.classes("w-full").mark("override-expires")
        error = (
            ui.label("").classes("text-negative").props('data-testid="override-error"')
        )
        error.mark("override-error")

        def save() -> None:
            try:
                expires_on = dt.date.fromisoformat(expires.value or "")
            except ValueError:
                error.set_text(f"{t('health.expires_on')}: {expires.value!r}")
                return
            try:
                with db() as session:
                    changes.set_override(
                        session,
                        page.principal,
                        account_id,
                        band=band.value,
                        reason=reason.value or "",
                        expires_on=expires_on,
                    )
            except health.HealthError as exc:
                error.set_text(str(exc))
                return
            ui.notify(t("health.saved"), type="positive")
            ui.navigate.reload()

        ui.button(t("health.save"), on_click=save).props(
            'dense data-testid="save-override"'
        ).mark("save-override")
