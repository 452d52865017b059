"""Playbook definitions: ordered steps, each a task due some days after the start.

Validated strictly: unknown fields are refused, and messages name the step and
the field at fault.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import Field, field_validator, model_validator

from tenure.health.measures import StrictModel
from tenure.playbooks.models import KINDS
from tenure.segments.schemas import ACCOUNT_CONDITIONS, SegmentFilter
from tenure.tasks.models import PRIORITIES, TYPES
from tenure.tasks.service import check_assignee_rule

log = logging.getLogger(__name__)

MAX_STEPS = 50
MAX_OFFSET_DAYS = 3650


class PlaybookError(ValueError):
    """A playbook or run value that cannot work, naming the field and the value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field} {value!r}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class NotFound(PlaybookError, LookupError):
    """A playbook, run or account that does not exist or is out of scope."""


def _one_of(value: str, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise ValueError(f"{field} '{value}' must be one of {', '.join(allowed)}")
    return value


class Step(StrictModel):
    """One step: a task of ``type`` due ``due_offset_days`` after the run starts.

    ``assignee`` is 'owner', 'manager' or 'user:<email>'. A step with a
    ``condition`` is skipped (and recorded as skipped) when the account does not
    match it on the day the run starts.
    """

    title: str = Field(min_length=1, max_length=300)
    type: str = "follow_up"
    due_offset_days: int = Field(default=0, ge=0, le=MAX_OFFSET_DAYS, strict=True)
    assignee: str = "owner"
    priority: str = "normal"
    description: str | None = Field(default=None, max_length=4000)
    condition: SegmentFilter | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("title must not be blank")
        return stripped

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _one_of(value, TYPES, "type")

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        return _one_of(value, PRIORITIES, "priority")

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, value: str) -> str:
        return check_assignee_rule(value.strip())

    def stored(self) -> dict[str, Any]:
        """The step as JSON-ready data."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return data


class PlaybookSpec(StrictModel):
    """A playbook as created and changed: who it applies to and its steps.

    ``applies_to`` may only test what an account is (tier, plan, size, industry,
    region, tags, custom attributes, MRR): a playbook is started on purpose, by a
    person or a rule, not on a passing signal.
    """

    name: str = Field(min_length=1, max_length=200)
    kind: str = "other"
    description: str | None = Field(default=None, max_length=4000)
    active: bool = True
    applies_to: SegmentFilter = Field(default_factory=SegmentFilter)
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("name must not be blank")
        return stripped

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _one_of(value, KINDS, "kind")

    @model_validator(mode="after")
    def _account_conditions(self) -> PlaybookSpec:
        other = self.applies_to.given() - set(ACCOUNT_CONDITIONS)
        if other:
            raise ValueError(
                f"applies_to may not use {', '.join(sorted(other))}; use only "
                f"{', '.join(ACCOUNT_CONDITIONS)}"
            )
        return self

    def stored(self) -> dict[str, Any]:
        """The column values of the playbook, as JSON-ready data."""
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "active": self.active,
            "applies_to": self.applies_to.stored(),
            "steps": [step.stored() for step in self.steps],
        }
