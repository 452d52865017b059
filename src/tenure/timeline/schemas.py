"""Request bodies of the timeline API, with the limits every field must keep."""

from __future__ import annotations

import datetime as dt
import logging

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

log = logging.getLogger(__name__)

MAX_SUBJECT = 300
MAX_TEXT = 20_000


class NewActivity(BaseModel):
    """A call, meeting, email, note or follow-up; ``occurred_at`` defaults to now."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=20)
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT)
    body: str | None = Field(default=None, max_length=MAX_TEXT)
    occurred_at: AwareDatetime | None = None
    contact_id: int | None = Field(default=None, ge=1)


class ChurnReviewBody(BaseModel):
    """Why a churned customer left; ``churned_on`` defaults to the churn's day."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=30)
    what_happened: str = Field(min_length=1, max_length=MAX_TEXT)
    lessons: str | None = Field(default=None, max_length=MAX_TEXT)
    churned_on: dt.date | None = None
    preventable: bool | None = None
