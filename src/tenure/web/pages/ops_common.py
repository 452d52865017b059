"""What the rule, playbook and segment pages share: the gate, JSON fields, errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from sqlalchemy.orm import Session

from tenure.auth.scope import can
from tenure.web.context import db
from tenure.web.pages.common import PageContext, frame, open_page
from tenure.web.pages.scorecards import error_box

log = logging.getLogger(__name__)


class FieldError(ValueError):
    """A form field whose text could not be read."""


def operations_page(
    request: Request, title_key: str
) -> PageContext | RedirectResponse | None:
    """The page context for those who manage operations; None for anyone else."""
    page = open_page(request)
    if isinstance(page, RedirectResponse) or can(page.principal, "manage_operations"):
        return page
    with frame(page, title_key):
        ui.label(page.t("ops.not_found")).classes("text-h6").props(
            'data-testid="not-allowed"'
        ).mark("not-allowed")
    return None


def as_json(value: Any) -> str:
    """``value`` as the indented JSON the editors show."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def json_area(label: str, value: Any, testid: str, rows: int = 8) -> ui.textarea:
    """A text area holding ``value`` as indented JSON."""
    area = ui.textarea(label, value=as_json(value))
    area.classes("w-full font-mono").props(
        f'outlined rows={rows} data-testid="{testid}"'
    )
    area.mark(testid)
    return area


def read_json(area: ui.textarea, field: str) -> Any:
    """The JSON in a text area, or a FieldError naming the field and the place."""
    text = (area.value or "").strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FieldError(
            f"{field}: not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


class Problems:
    """A place on the page that shows why a save was refused."""

    def __init__(self, title: str, testid: str) -> None:
        self.title = title
        self.testid = testid
        self.box = ui.column().classes("w-full")

    def show(self, error: Exception) -> None:
        """Replace what is shown with ``error``'s message."""
        self.box.clear()
        with self.box:
            error_box(self.title, str(error), self.testid)

    def clear(self) -> None:
        """Show nothing."""
        self.box.clear()


def save_record(
    page: PageContext,
    problems: Problems,
    errors: tuple[type[Exception], ...],
    path: str,
    record_id: int | None,
    build: Callable[[], Any],
    create: Callable[[Session, Any, int], Any],
    replace: Callable[[Session, int, Any, int], Any],
) -> None:
    """Create or replace a record from the editor, then open it; else say why not."""
    try:
        spec = build()
        with db() as session:
            if record_id is None:
                new_id = create(session, spec, page.principal.user_id).id
            else:
                replace(session, record_id, spec, page.principal.user_id)
                new_id = record_id
    except errors as exc:
        problems.show(exc)
        return
    ui.notify(page.t("ops.saved"), type="positive")
    ui.navigate.to(f"{path}/{new_id}")


def delete_record(
    page: PageContext,
    path: str,
    record_id: int | None,
    remove: Callable[[Session, int], Any],
) -> None:
    """Delete the record an editor shows, then go back to the list."""
    if record_id is None:
        return
    with db() as session:
        remove(session, record_id)
    ui.notify(page.t("ops.deleted"))
    ui.navigate.to(path)
