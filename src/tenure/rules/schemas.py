"""Rule definitions: a trigger (the signal to watch) and an action (what to do).

``Rule.trigger`` and ``Rule.action`` are stored as JSON and validated here strictly
(unknown fields, wrong types and unknown placeholders are refused), so that an
evaluation never meets a rule it cannot run. Messages name the field and value.
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tenure.health.errors import error_lines
from tenure.health.schemas import INSUFFICIENT
from tenure.rules.templates import check_template
from tenure.tasks.models import PRIORITIES, TYPES
from tenure.tasks.service import check_assignee_rule

log = logging.getLogger(__name__)

KINDS = (
    "health_band",
    "usage_change",
    "usage_threshold",
    "renewal_due",
    "contract_ended",
    "new_customer",
    "segment_entered",
)
USAGE_FIELDS = ("active_users", "events", "features_used")
MAX_WINDOW_DAYS = 365
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")

# The values each trigger kind explains a firing with: the placeholders a title or
# description may use, besides COMMON_FIELDS. tenure.rules.signals fills them.
SIGNAL_FIELDS: dict[str, tuple[str, ...]] = {
    "health_band": (
        "from_band", "to_band", "from_score", "to_score", "from_date", "to_date",
    ),
    "usage_change": (
        "field", "window_days", "average", "previous_average", "change", "change_pct",
    ),
    "usage_threshold": ("field", "aggregate", "window_days", "value", "threshold"),
    "renewal_due": ("due_date", "days_left", "amount", "currency", "term"),
    "contract_ended": ("due_date", "churned_on", "amount", "currency", "term"),
    "new_customer": ("start_date", "mrr", "currency"),
    "segment_entered": ("segment", "segment_name"),
}  # fmt: skip
# Placeholders every template may use: the account's name and id, the rule's name.
COMMON_FIELDS = ("account", "account_id", "rule")


class RuleError(ValueError):
    """A rule that cannot be saved or run, naming the field and the value at fault."""


class NotFound(LookupError):
    """A rule that does not exist."""


class StrictModel(BaseModel):
    """Refuses unknown fields and coercions, so that a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _check_usage_field(field: str) -> str:
    """Return ``field`` if usage can be read for it, else raise ValueError."""
    if field.startswith("event:"):
        if not _EVENT_NAME.match(field[6:]):
            raise ValueError(
                f"event name '{field[6:]}' may hold only letters, digits and _.-"
            )
        return field
    if field not in USAGE_FIELDS:
        raise ValueError(
            f"usage field '{field}' is unknown; use one of "
            f"{', '.join(USAGE_FIELDS)} or event:<name>"
        )
    return field


UsageField = Annotated[str, AfterValidator(_check_usage_field)]


class HealthBandTrigger(StrictModel):
    """The band of the latest health snapshot fell (or rose) from the one before."""

    kind: Literal["health_band"]
    direction: Literal["falls", "rises"]
    to: list[str] | None = Field(default=None, min_length=1, max_length=20)

    @field_validator("to")
    @classmethod
    def _real_bands(cls, value: list[str] | None) -> list[str] | None:
        for band in value or ():
            if band == INSUFFICIENT:
                raise ValueError(f"'{INSUFFICIENT}' is not a band to move into")
        return value


class UsageChangeTrigger(StrictModel):
    """The average of a usage field over a window against the window before it.

    ``min_previous_average`` leaves out accounts whose earlier window averaged less:
    going from one active user a week to none is not a 100% drop worth a task.
    """

    kind: Literal["usage_change"]
    field: UsageField
    window_days: int = Field(default=7, ge=1, le=MAX_WINDOW_DAYS)
    change_at_most: float | None = Field(default=None, ge=-1)
    change_at_least: float | None = None
    min_previous_average: float = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _one_bound(self) -> UsageChangeTrigger:
        if (self.change_at_most is None) == (self.change_at_least is None):
            raise ValueError(
                "give exactly one of 'change_at_most' and 'change_at_least'"
            )
        return self


class UsageThresholdTrigger(StrictModel):
    """A usage field aggregated over a window reaches a threshold."""

    kind: Literal["usage_threshold"]
    field: UsageField
    aggregate: Literal["avg", "sum", "max"] = "avg"
    window_days: int = Field(default=7, ge=1, le=MAX_WINDOW_DAYS)
    at_least: float


class RenewalDueTrigger(StrictModel):
    """An open renewal term falls due within ``within_days``."""

    kind: Literal["renewal_due"]
    within_days: int = Field(ge=0, le=730)
    overdue_days: int = Field(default=30, ge=0, le=365)


class ContractEndedTrigger(StrictModel):
    """A renewal term churned (nothing renewed it) within the last ``within_days``."""

    kind: Literal["contract_ended"]
    within_days: int = Field(default=30, ge=1, le=MAX_WINDOW_DAYS)


class NewCustomerTrigger(StrictModel):
    """The account's first revenue started within the last ``within_days``."""

    kind: Literal["new_customer"]
    within_days: int = Field(default=14, ge=1, le=MAX_WINDOW_DAYS)


class SegmentEnteredTrigger(StrictModel):
    """The account is in a saved segment (it fires on entering)."""

    kind: Literal["segment_entered"]
    segment: str = Field(min_length=1, max_length=60)


Trigger = Annotated[
    HealthBandTrigger
    | UsageChangeTrigger
    | UsageThresholdTrigger
    | RenewalDueTrigger
    | ContractEndedTrigger
    | NewCustomerTrigger
    | SegmentEnteredTrigger,
    Field(discriminator="kind"),
]


class TaskAction(StrictModel):
    """The task a firing creates; ``title`` and ``description`` are templates."""

    title: str = Field(min_length=1, max_length=300)
    type: str
    priority: str = "normal"
    due_in_days: int | None = Field(default=None, ge=0, le=365)
    assignee: str = "owner"
    description: str | None = Field(default=None, max_length=4000)

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value not in TYPES:
            raise ValueError(f"type '{value}' must be one of {', '.join(TYPES)}")
        return value

    @field_validator("priority")
    @classmethod
    def _priority(cls, value: str) -> str:
        if value not in PRIORITIES:
            raise ValueError(
                f"priority '{value}' must be one of {', '.join(PRIORITIES)}"
            )
        return value

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, value: str) -> str:
        return check_assignee_rule(value)


class Action(StrictModel):
    """What a firing does: a task, a playbook started, people notified."""

    task: TaskAction | None = None
    playbook_id: int | None = Field(default=None, ge=1)
    notify: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("notify")
    @classmethod
    def _assignees(cls, value: list[str]) -> list[str]:
        for rule in value:
            check_assignee_rule(rule)
            if value.count(rule) > 1:
                raise ValueError(f"'{rule}' is listed more than once")
        return value

    @model_validator(mode="after")
    def _does_something(self) -> Action:
        if self.task is None and self.playbook_id is None and not self.notify:
            raise ValueError("give at least one of 'task', 'playbook_id', 'notify'")
        return self


def placeholders_of(kind: str) -> tuple[str, ...]:
    """The placeholders a template of a rule with a ``kind`` trigger may use."""
    return (*COMMON_FIELDS, *SIGNAL_FIELDS[kind])


class Definition(StrictModel):
    """What a rule watches for and what it does; templates name known values only."""

    trigger: Trigger
    action: Action

    @model_validator(mode="after")
    def _known_placeholders(self) -> Definition:
        task = self.action.task
        if task is not None:
            allowed = placeholders_of(self.trigger.kind)
            check_template(task.title, allowed, "action.task.title")
            if task.description is not None:
                check_template(task.description, allowed, "action.task.description")
        return self


class RuleSpec(Definition):
    """A rule as written: name, trigger, action, and an optional segment (by key)."""

    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    active: bool = True
    segment: str | None = Field(default=None, min_length=1, max_length=60)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("name must not be blank")
        return stripped


class RuleUpdate(StrictModel):
    """The fields of a rule to change; the others keep their values."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    active: bool | None = None
    segment: str | None = Field(default=None, max_length=60)
    trigger: Trigger | None = None
    action: Action | None = None


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` as ``model``; raise RuleError naming ``what`` and fields."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RuleError(f"{what}: " + "; ".join(error_lines(exc, data))) from None


def stored(spec: Definition) -> dict[str, Any]:
    """The JSON-ready trigger and action of ``spec``, as kept on the rule."""
    return {
        "trigger": spec.trigger.model_dump(mode="json", exclude_none=True),
        "action": spec.action.model_dump(mode="json", exclude_none=True),
    }
