"""Request bodies of the task API, with the limits every field must keep."""

from __future__ import annotations

import datetime as dt
import logging

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_BULK = 500


class _Body(BaseModel):
    """A body that refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid")


class NewTask(_Body):
    """A manual task on an account; the account's owner gets it by default."""

    account_id: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    priority: str = Field(default="normal", max_length=10)
    due_on: dt.date | None = None
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    assignee_id: int | None = Field(default=None, ge=1)
    personal: bool = False


class TaskChanges(_Body):
    """Fields to change; a field left out stays as it is. Status "done" completes."""

    title: str | None = Field(default=None, min_length=1, max_length=MAX_TITLE)
    description: str | None = Field(default=None, max_length=MAX_TEXT)
    priority: str | None = Field(default=None, max_length=10)
    due_on: dt.date | None = None
    status: str | None = Field(default=None, max_length=12)
    assignee_id: int | None = Field(default=None, ge=1)
    personal: bool | None = None
    outcome: str | None = Field(default=None, max_length=MAX_TEXT)


class TaskCompletion(_Body):
    """How a task ended."""

    outcome: str | None = Field(default=None, max_length=MAX_TEXT)


class NewComment(_Body):
    """A comment on a task."""

    body: str = Field(min_length=1, max_length=MAX_TEXT)


class BulkChange(_Body):
    """One change to many tasks, applied to all of them or to none."""

    ids: list[int] = Field(min_length=1, max_length=MAX_BULK)
    assignee_id: int | None = Field(default=None, ge=1)
    complete: bool = False
    status: str | None = Field(default=None, max_length=12)
