"""The customer 360's timeline card: entries newest first, the log and churn forms."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from nicegui import ui

from tenure.auth.scope import can, owner_scope
from tenure.timeline import service as timeline
from tenure.timeline.models import CHURN_REASONS, LOGGED_KINDS
from tenure.web.context import db
from tenure.web.pages.common import PageContext
from tenure.web.pages.work_common import attempt, options

if TYPE_CHECKING:
    from tenure.web.pages.customer_work import CustomerWork

log = logging.getLogger(__name__)

TIMELINE_LIMIT = 100
TIMELINE_KINDS = (*LOGGED_KINDS, "task", "system", "churn_review")


def draw_timeline(work: CustomerWork) -> None:
    """The timeline card: filter by kind, log an activity, the entries newest first."""
    page, account, kinds = work.page, work.account, work.kinds
    t = page.t
    with db() as session:
        owners = owner_scope(session, page.principal)
        entries = timeline.timeline(
            session, account, owners, kinds=kinds, limit=TIMELINE_LIMIT
        )
    with ui.card().classes("w-full").props('data-testid="timeline"').mark("timeline"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(t("customer.timeline")).classes("text-subtitle1")
            ui.space()
            ui.select(
                options(t, "activity", TIMELINE_KINDS),
                value=list(kinds),
                multiple=True,
                label=t("timeline.all_kinds"),
                on_change=lambda e: _filter(work, e.value),
            ).props('dense use-chips data-testid="timeline-kinds"').classes(
                "min-w-[200px]"
            )
        if can(page.principal, "work_tasks"):
            _log_form(work)
        if not entries:
            ui.label(t("timeline.empty")).classes("text-grey-7")
        for entry in entries:
            _entry(page, entry)


def _filter(work: CustomerWork, kinds: Any) -> None:
    work.kinds = tuple(kinds or ())
    work.timeline.refresh()


def _entry(page: PageContext, entry: dict[str, Any]) -> None:
    t = page.t
    icon = {
        "note": "sticky_note_2", "call": "call", "meeting": "groups", "email": "mail",
        "follow_up": "forum", "task": "task_alt", "system": "sync_alt",
        "churn_review": "heart_broken",
    }.get(entry["kind"], "event")  # fmt: skip
    with (
        ui.row()
        .classes("w-full no-wrap gap-2 q-py-xs")
        .props(f'data-testid="entry-{entry["kind"]}"')
    ):
        ui.icon(icon).classes("text-grey-7 q-mt-xs")
        with ui.column().classes("gap-0 grow"):
            with ui.row().classes("gap-2 items-center"):
                ui.label(entry["subject"]).classes("text-body2 text-weight-medium")
                ui.label(t(f"activity.{entry['kind']}")).classes(
                    "text-caption text-grey-7"
                )
            if entry["kind"] == "churn_review":
                reason = t(f"churn.{entry['reason']}")
                ui.label(f"{t('churn.reason')}: {reason}").classes("text-body2")
                ui.label(entry["what_happened"]).classes("text-body2")
                if entry.get("lessons"):
                    ui.label(f"{t('churn.lessons')}: {entry['lessons']}").classes(
                        "text-body2"
                    )
            elif entry.get("body"):
                ui.label(entry["body"]).classes("text-body2 whitespace-pre-line")
            who = " · ".join(
                p for p in (entry.get("author"), entry.get("contact")) if p
            )
            ui.label(
                f"{entry['occurred_at']:%Y-%m-%d %H:%M} UTC"
                + (f" · {who}" if who else "")
            ).classes("text-caption text-grey-7")


def _log_form(work: CustomerWork) -> None:
    page, account = work.page, work.account
    t = page.t
    with (
        ui.expansion(t("timeline.log"), icon="edit_note")
        .classes("w-full")
        .props('dense data-testid="log-activity"')
    ):
        with ui.row().classes("w-full gap-2"):
            kind = (
                ui.select(
                    options(t, "activity", LOGGED_KINDS),
                    value="note",
                    label=t("timeline.kind"),
                )
                .props('dense data-testid="activity-kind"')
                .classes("min-w-[120px]")
            )
            subject = (
                ui.input(t("timeline.subject"))
                .classes("grow")
                .props('dense data-testid="activity-subject"')
                .mark("activity-subject")
            )
        body = (
            ui.textarea(t("timeline.body"))
            .classes("w-full")
            .props('dense autogrow data-testid="activity-body"')
        )

        def save() -> None:
            if attempt(
                page,
                lambda session: timeline.log_activity(
                    session,
                    page.principal,
                    account,
                    kind=kind.value,
                    subject=subject.value or "",
                    body=body.value or None,
                ),
                "timeline.saved",
                "ops.failed",
            ):
                work.timeline.refresh()

        ui.button(t("ops.save"), on_click=save).props(
            'data-testid="save-activity"'
        ).mark("save-activity")
    if work.churned:
        _churn_form(work)


def _churn_form(work: CustomerWork) -> None:
    page, account = work.page, work.account
    t = page.t
    with (
        ui.expansion(t("churn.review"), icon="heart_broken")
        .classes("w-full")
        .props('dense data-testid="churn-review"')
    ):
        reason = (
            ui.select(options(t, "churn", CHURN_REASONS), label=t("churn.reason"))
            .props('dense data-testid="churn-reason"')
            .classes("w-full")
        )
        happened = (
            ui.textarea(t("churn.what_happened"))
            .classes("w-full")
            .props('dense autogrow data-testid="churn-what"')
        )
        lessons = (
            ui.textarea(t("churn.lessons")).classes("w-full").props("dense autogrow")
        )
        preventable = ui.checkbox(t("churn.preventable"))

        def save() -> None:
            if attempt(
                page,
                lambda session: timeline.add_churn_review(
                    session,
                    page.principal,
                    account,
                    reason=reason.value or "",
                    what_happened=happened.value or "",
                    lessons=lessons.value or None,
                    preventable=bool(preventable.value),
                ),
                "churn.saved",
                "ops.failed",
            ):
                work.timeline.refresh()

        ui.button(t("ops.save"), on_click=save).props('data-testid="save-churn"')
