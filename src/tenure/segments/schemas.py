"""Saved segment filters, saved segments and tier rules, validated strictly.

A ``SegmentFilter`` is the one account filter of the operations areas: saved
segments, tier rules, playbook conditions and rules all use it. Every condition is
optional and every given one must hold; an empty filter matches every account.
Unknown fields are refused, so that a typo never widens a segment silently.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import Field, ValidationError, field_validator, model_validator

from tenure.health.measures import StrictModel
from tenure.health.schemas import INSUFFICIENT, ScalarValues, Values

log = logging.getLogger(__name__)

M = TypeVar("M", bound=StrictModel)

# Customer status on a day: MRR above zero, had revenue once, never had revenue.
STATUSES = ("active", "churned", "prospect")
# Conditions on what an account is (its record and MRR), not on how it behaves.
ACCOUNT_CONDITIONS = (
    "industry",
    "region",
    "tier",
    "size",
    "plan",
    "tags_any",
    "tags_all",
    "custom",
    "mrr_min",
    "mrr_max",
)
HEALTH_CONDITIONS = ("health_bands", "health_score_min", "health_score_max")
DEFAULT_USAGE_WINDOW_DAYS = 30
DEFAULT_MRR_CHANGE_DAYS = 90
KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
_BAND = r"^[a-z][a-z0-9_]{0,19}$"


class SegmentError(ValueError):
    """A segment, filter or tier value that cannot work, naming field and value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        super().__init__(f"{field} {shown}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class NotFound(SegmentError, LookupError):
    """A segment or account that does not exist, or is outside the caller's scope."""


def _range(model: Any, low: str, high: str) -> None:
    """Raise ValueError when both bounds are given and ``low`` is not below ``high``."""
    first, second = getattr(model, low), getattr(model, high)
    if first is not None and second is not None and first >= second:
        raise ValueError(f"{low} must be below {high}")


class SegmentFilter(StrictModel):
    """Which accounts a segment holds; every given condition must hold.

    Attribute conditions take one value or a list (any matches); ``owner`` takes
    staff emails. ``tags_any``/``tags_all``: any/all of these tags. ``custom``:
    custom attribute -> accepted values. ``mrr_min`` (inclusive) / ``mrr_max``
    (exclusive): MRR on the day, in major units of the reporting currency.
    ``mrr_change_min``/``mrr_change_max``: share change of MRR over
    ``mrr_change_days`` (90; 0.1 is up 10%). ``health_bands``: latest band on or
    before the day (or "insufficient"); ``health_score_min``/``_max`` its score.
    ``active_users_min``/``_max``: average daily active users over
    ``usage_window_days`` (30). ``status``: active, churned or prospect.
    ``renewal_within_days``: an open renewal term due within that many days (an
    overdue open term counts). Conditions on data an account lacks (no usage, no
    score) do not hold.
    """

    industry: Values | None = None
    region: Values | None = None
    tier: Values | None = None
    size: Values | None = None
    plan: Values | None = None
    owner: Values | None = None
    tags_any: Values | None = None
    tags_all: Values | None = None
    custom: dict[str, ScalarValues] | None = None
    mrr_min: Decimal | None = None
    mrr_max: Decimal | None = None
    mrr_change_min: float | None = None
    mrr_change_max: float | None = None
    mrr_change_days: int | None = Field(default=None, ge=1, le=730, strict=True)
    health_bands: Values | None = None
    health_score_min: float | None = Field(default=None, ge=0, le=100)
    health_score_max: float | None = Field(default=None, ge=0, le=100)
    active_users_min: float | None = Field(default=None, ge=0)
    active_users_max: float | None = Field(default=None, ge=0)
    usage_window_days: int | None = Field(default=None, ge=1, le=365, strict=True)
    status: Values | None = None
    renewal_within_days: int | None = Field(default=None, ge=0, le=3650, strict=True)

    @field_validator("owner")
    @classmethod
    def _emails(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        for email in value:
            if "@" not in email:
                raise ValueError(f"owner '{email}' is not an email")
        return [email.strip().lower() for email in value]

    @field_validator("health_bands")
    @classmethod
    def _bands(cls, value: list[str] | None) -> list[str] | None:
        for band in value or []:
            if band != INSUFFICIENT and not re.match(_BAND, band):
                raise ValueError(f"band '{band}' is not a band name")
        return value

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: list[str] | None) -> list[str] | None:
        for status in value or []:
            if status not in STATUSES:
                raise ValueError(
                    f"status '{status}' is unknown; use one of {', '.join(STATUSES)}"
                )
        return value

    @model_validator(mode="after")
    def _coherent(self) -> SegmentFilter:
        _range(self, "mrr_min", "mrr_max")
        _range(self, "mrr_change_min", "mrr_change_max")
        _range(self, "health_score_min", "health_score_max")
        _range(self, "active_users_min", "active_users_max")
        if self.usage_window_days is not None and not self.uses_usage():
            raise ValueError("usage_window_days needs active_users_min or _max")
        if self.mrr_change_days is not None and not self.uses_mrr_change():
            raise ValueError("mrr_change_days needs mrr_change_min or _max")
        return self

    def given(self) -> set[str]:
        """The names of the conditions (and windows) this filter sets."""
        return set(self.model_dump(exclude_none=True))

    def is_empty(self) -> bool:
        """Tell whether the filter sets no condition: it holds every account."""
        return not self.given()

    def uses_usage(self) -> bool:
        """Tell whether a condition reads product usage."""
        return self.active_users_min is not None or self.active_users_max is not None

    def uses_mrr_change(self) -> bool:
        """Tell whether a condition reads the change of MRR."""
        return self.mrr_change_min is not None or self.mrr_change_max is not None

    def uses_health(self) -> bool:
        """Tell whether a condition reads the health band or score."""
        return bool(self.given() & set(HEALTH_CONDITIONS))

    def usage_days(self) -> int:
        """The usage window in days (default 30)."""
        return self.usage_window_days or DEFAULT_USAGE_WINDOW_DAYS

    def change_days(self) -> int:
        """The MRR change window in days (default 90)."""
        return self.mrr_change_days or DEFAULT_MRR_CHANGE_DAYS

    def stored(self) -> dict[str, Any]:
        """The filter as JSON-ready data, without the conditions left out."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        return data


def _trimmed(value: str, field: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError(f"{field} must not be blank")
    return stripped


class SegmentSpec(StrictModel):
    """A saved segment as created and changed: key (a slug), name, the filter."""

    key: str = Field(pattern=KEY_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    definition: SegmentFilter = Field(default_factory=SegmentFilter)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _trimmed(value, "name")


class TierSpec(StrictModel):
    """A tier and the filter that earns it; its place in the list is its position.

    ``priority`` (0-100, higher is served first) goes onto the accounts with the
    tier. The filter may not read health or the tier itself: tiers are assigned
    from what an account is and does, and health is scored per tier.
    """

    tier: str = Field(min_length=1, max_length=50)
    priority: int = Field(default=50, ge=0, le=100, strict=True)
    definition: SegmentFilter = Field(default_factory=SegmentFilter)

    @field_validator("tier")
    @classmethod
    def _tier(cls, value: str) -> str:
        return _trimmed(value, "tier")

    @model_validator(mode="after")
    def _no_circles(self) -> TierSpec:
        used = self.definition.given() & {"tier", *HEALTH_CONDITIONS}
        if used:
            raise ValueError(
                f"tier '{self.tier}': a tier rule may not use {', '.join(sorted(used))}"
            )
        return self


def checked(model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` as ``model``; raise SegmentError naming the first field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        place = ".".join(str(step) for step in first["loc"])
        reason = "; ".join(
            _message(error["msg"])
            + (f" (at {'.'.join(map(str, error['loc']))})" if n else "")
            for n, error in enumerate(errors)
        )
        field = f"{what}.{place}" if place else what
        raise SegmentError(field, first.get("input"), reason) from None


def _message(text: str) -> str:
    """Drop pydantic's 'Value error, ' prefix from messages raised by validators."""
    return text.removeprefix("Value error, ")
