"""Assignment rules and reassignment requests as written, validated strictly.

A rule's ``conditions`` map a field of the account to the values it accepts (any
of them matches, compared without regard to case); every given condition must
hold. Unknown fields are refused by name, so that a typo never widens a rule.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from tenure.health.errors import error_lines

log = logging.getLogger(__name__)

# The account fields a rule may test; "plan" is the main plan's external id.
CONDITION_FIELDS = ("region", "industry", "tier", "plan", "size")
# How a reassignment to a team shares the accounts out.
SPREADS = ("least_loaded", "even")
MAX_VALUES = 100
MAX_VALUE_LENGTH = 200
MAX_REASON = 500
MAX_ACCOUNTS = 10_000


# A BookError about a whole record rather than one value shows no value.
WHOLE = object()


class BookError(ValueError):
    """A rule or reassignment value that cannot work, naming the field and value."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        super().__init__(
            f"{field}: {reason}" if value is WHOLE else f"{field} {shown}: {reason}"
        )
        self.field = field
        self.value = value
        self.reason = reason


class NotFound(BookError, LookupError):
    """A rule, account, user or team that does not exist or is out of scope."""


class Stale(BookError):
    """A reassignment whose preview no longer holds; ``changes`` says what moved."""

    def __init__(self, changes: list[str]) -> None:
        super().__init__("expected", len(changes), "; ".join(changes[:20]))
        self.changes = changes


class StrictModel(BaseModel):
    """Refuses unknown fields, so that a typo never passes silently."""

    model_config = ConfigDict(extra="forbid")


def _values(field: str, value: Any) -> list[str]:
    """A condition's values: a non-empty list of non-blank texts, stripped."""
    if not isinstance(value, list) or not value:
        raise ValueError(f"'{field}' takes a non-empty list of texts, not {value!r}")
    if len(value) > MAX_VALUES:
        raise ValueError(f"'{field}' takes at most {MAX_VALUES} values")
    cleaned: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"'{field}' value {item!r} is not a non-blank text")
        if len(item) > MAX_VALUE_LENGTH:
            raise ValueError(f"'{field}' value is over {MAX_VALUE_LENGTH} characters")
        cleaned.append(item.strip())
    return list(dict.fromkeys(cleaned))


def check_conditions(value: Any) -> dict[str, list[str]]:
    """Return the conditions cleaned, or a ValueError naming the key at fault."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"conditions are an object of field: [values], not {value!r}")
    for key in value:
        if key not in CONDITION_FIELDS:
            raise ValueError(
                f"'{key}' is not a condition; use {', '.join(CONDITION_FIELDS)}"
            )
    return {key: _values(key, value[key]) for key in CONDITION_FIELDS if key in value}


class _Conditions(StrictModel):
    conditions: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions(cls, value: Any) -> dict[str, list[str]]:
        return check_conditions(value)


def _stripped_name(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("name must not be blank")
    return stripped


class RuleSpec(_Conditions):
    """An assignment rule: which accounts, and who gets them.

    ``strategy`` "user" gives them to ``user_id``; "least_loaded" and
    "round_robin" pick among the active members of ``team_id``. ``position``
    None puts a new rule last.
    """

    name: str = Field(min_length=1, max_length=200)
    active: bool = True
    strategy: Literal["user", "least_loaded", "round_robin"] = "user"
    user_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    position: int | None = Field(default=None, ge=0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _stripped_name(value)

    @model_validator(mode="after")
    def _target(self) -> RuleSpec:
        if self.strategy == "user":
            if self.user_id is None:
                raise ValueError("strategy 'user' needs a user_id")
            if self.team_id is not None:
                raise ValueError("strategy 'user' takes a user_id, not a team_id")
        else:
            if self.team_id is None:
                raise ValueError(f"strategy '{self.strategy}' needs a team_id")
            if self.user_id is not None:
                raise ValueError(
                    f"strategy '{self.strategy}' takes a team_id, not a user_id"
                )
        return self


class RuleUpdate(StrictModel):
    """The fields of a rule to change; the others keep their values."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None
    conditions: dict[str, list[str]] | None = None
    strategy: Literal["user", "least_loaded", "round_robin"] | None = None
    user_id: int | None = Field(default=None, ge=1)
    team_id: int | None = Field(default=None, ge=1)
    position: int | None = Field(default=None, ge=0)

    @field_validator("conditions", mode="before")
    @classmethod
    def _conditions(cls, value: Any) -> dict[str, list[str]] | None:
        return None if value is None else check_conditions(value)


def _texts(value: Any) -> list[str]:
    """One text or a list of them, as a list (empty when nothing is given)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError(f"takes a text or a list of texts, not {value!r}")
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


class Selection(StrictModel):
    """Which accounts to move: given ones, or a filter; every given part must hold.

    ``account_ids`` are external ids; ``from_owner`` is the current owner's email;
    ``segment`` a saved segment's key; region, industry and tier one value or
    a list (any matches).
    """

    account_ids: list[str] = Field(default_factory=list, max_length=MAX_ACCOUNTS)
    from_owner: str | None = Field(default=None, max_length=320)
    segment: str | None = Field(default=None, max_length=60)
    region: list[str] = Field(default_factory=list)
    industry: list[str] = Field(default_factory=list)
    tier: list[str] = Field(default_factory=list)

    @field_validator("region", "industry", "tier", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> list[str]:
        return _texts(value)

    @field_validator("account_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> list[str]:
        return list(dict.fromkeys(_texts(value)))

    def is_empty(self) -> bool:
        """Tell whether nothing at all narrows the selection."""
        return not (
            self.account_ids
            or self.from_owner
            or self.segment
            or self.region
            or self.industry
            or self.tier
        )


class ReassignSpec(Selection):
    """A selection and its target: one user (``to``, an email) or a ``team`` (name).

    ``day`` is when the new owners take over (today by default; never later).
    """

    to: str | None = Field(default=None, max_length=320)
    team: str | None = Field(default=None, max_length=200)
    spread: Literal["least_loaded", "even"] = "least_loaded"
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    day: dt.date | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ReassignSpec:
        if self.is_empty():
            raise ValueError(
                "give account_ids, from_owner, segment, region, industry or tier"
            )
        if (self.to is None) == (self.team is None):
            raise ValueError("give either 'to' (a user's email) or 'team' (a name)")
        return self


class Move(BaseModel):
    """One line of a preview as it is sent back to apply it; other keys ignored."""

    account_id: str
    from_id: int | None = None
    to_id: int


class ApplySpec(ReassignSpec):
    """A reassignment to apply, with the moves its preview showed."""

    expected: list[Move] = Field(max_length=MAX_ACCOUNTS)


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, what: str) -> M:
    """Validate ``data`` as ``model``; a BookError names ``what`` and the fields."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        place = ".".join(str(step) for step in first["loc"])
        reasons = [first["msg"].removeprefix("Value error, ")]
        reasons += error_lines(exc, data)[1:]
        value = first.get("input", WHOLE) if place else WHOLE
        raise BookError(place or what, value, "; ".join(reasons)) from None
