"""What a scorecard measure reads (its metric) and how its value earns points.

Validated strictly: messages name the measure and the field at fault.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

log = logging.getLogger(__name__)

SOURCES = (
    "usage",
    "renewal_days",
    "mrr_change",
    "open_risk_tasks",
    "sentiment",
    "attribute",
)
USAGE_FIELDS = ("active_users", "events", "features_used", "days_active")
AGGREGATES = ("avg", "sum", "max", "change")
DIRECTIONS = ("higher_is_better", "lower_is_better")
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "missing", "present")
# Attributes computed from revenue facts; any other name is a custom attribute.
BUILTIN_ATTRIBUTES = ("mrr", "tenure_days")
MAX_WINDOW_DAYS = 730

KEY = r"^[a-z][a-z0-9_]{0,39}$"
_EVENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")

Points = Annotated[float, Field(ge=0, le=100)]
Direction = Literal["higher_is_better", "lower_is_better"]


class StrictModel(BaseModel):
    """Rejects unknown fields, so that a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Label(StrictModel):
    """A name shown to users, in English and Simplified Chinese."""

    en: str = Field(min_length=1, max_length=200)
    zh_cn: str = Field(alias="zh-CN", min_length=1, max_length=200)


class Metric(StrictModel):
    """What a measure reads: a source and the parameters that source needs.

    Sources: ``usage`` (``field`` one of USAGE_FIELDS or ``event:<name>``, with
    ``aggregate`` and ``window_days``); ``renewal_days`` (days to the next open
    renewal due date, negative when overdue); ``mrr_change`` (share change of MRR
    over ``window_days``); ``open_risk_tasks`` (the account's risk tasks open or in
    progress now; an account with none has 0);
    ``sentiment`` (latest CSM sentiment within ``window_days``); ``attribute``
    (``field`` names a numeric custom attribute, or one of BUILTIN_ATTRIBUTES).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Literal[
        "usage", "renewal_days", "mrr_change", "open_risk_tasks", "sentiment",
        "attribute",
    ]  # fmt: skip
    field: str | None = None
    aggregate: Literal["avg", "sum", "max", "change"] | None = None
    window_days: int | None = Field(default=None, ge=1, le=MAX_WINDOW_DAYS)

    @model_validator(mode="after")
    def _fits_source(self) -> Metric:
        wants = {
            "usage": {"field", "aggregate", "window_days"},
            "renewal_days": set(),
            "mrr_change": {"window_days"},
            "open_risk_tasks": set(),
            "sentiment": {"window_days"},
            "attribute": {"field"},
        }[self.source]
        for name in ("field", "aggregate", "window_days"):
            given = getattr(self, name) is not None
            if name in wants and not given:
                raise ValueError(f"source '{self.source}' needs '{name}'")
            if given and name not in wants:
                raise ValueError(f"source '{self.source}' takes no '{name}'")
        if self.source == "usage":
            _check_usage_field(self.field or "", self.aggregate)
        if self.source == "attribute" and not _ATTRIBUTE_NAME.match(self.field or ""):
            raise ValueError(
                f"attribute name '{self.field}' may hold only letters, digits and _.-"
            )
        return self

    @property
    def id(self) -> str:
        """A stable name for this metric, the key of its value in metric values."""
        if self.source == "usage":
            return f"usage:{self.aggregate}:{self.window_days}:{self.field}"
        if self.source in ("mrr_change", "sentiment"):
            return f"{self.source}:{self.window_days}"
        if self.source == "attribute":
            return f"attribute:{self.field}"
        return self.source


def _check_usage_field(field: str, aggregate: str | None) -> None:
    """Raise ValueError for a usage field or aggregate that cannot be computed."""
    if field.startswith("event:"):
        if not _EVENT_NAME.match(field[6:]):
            raise ValueError(
                f"event name '{field[6:]}' may hold only letters, digits and _.-"
            )
        return
    if field not in USAGE_FIELDS:
        raise ValueError(
            f"usage field '{field}' is unknown; use one of "
            f"{', '.join(USAGE_FIELDS)} or event:<name>"
        )
    if field == "days_active" and aggregate == "max":
        raise ValueError("aggregate 'max' does not apply to days_active")


class Range(StrictModel):
    """Values from ``min`` (inclusive) up to ``max`` (exclusive) earn ``points``."""

    min: float | None = None
    max: float | None = None
    points: Points


class BandScoring(StrictModel):
    """Contiguous ranges, lowest first; values beyond either end take its points."""

    type: Literal["bands"]
    ranges: list[Range] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _contiguous(self) -> BandScoring:
        for number, (low, high) in enumerate(itertools.pairwise(self.ranges), 1):
            if low.max is None or high.min is None or low.max != high.min:
                raise ValueError(
                    f"ranges[{number}].min must equal ranges[{number - 1}].max "
                    "(ranges are contiguous, lowest first)"
                )
        for number, item in enumerate(self.ranges):
            if item.min is not None and item.max is not None and item.min >= item.max:
                raise ValueError(f"ranges[{number}]: min must be below max")
        return self


class Tier(StrictModel):
    """A threshold and the points a value reaching it earns."""

    at: float
    points: Points


class TierScoring(StrictModel):
    """Point tiers listed from worst to best; the best tier reached counts.

    A value reaches a tier at or beyond its threshold in the measure's direction;
    a value reaching none earns ``floor``.
    """

    type: Literal["tiers"]
    tiers: list[Tier] = Field(min_length=1, max_length=20)
    floor: Points = 0


class LinearScoring(StrictModel):
    """0 points at ``worst``, 100 at ``best``, a straight line between, clamped."""

    type: Literal["linear"]
    worst: float
    best: float


Scoring = Annotated[
    BandScoring | TierScoring | LinearScoring, Field(discriminator="type")
]


class Measure(StrictModel):
    """One scored input of a scorecard, with its weight and validity period."""

    key: str = Field(pattern=KEY)
    label: Label
    metric: Metric
    scoring: Scoring
    direction: Direction = "higher_is_better"
    weight: float = Field(gt=0, le=1000)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        higher = self.direction == "higher_is_better"
        scoring = self.scoring
        if isinstance(scoring, LinearScoring):
            if scoring.best == scoring.worst:
                raise ValueError(f"measure '{self.key}': best must differ from worst")
            if (scoring.best > scoring.worst) != higher:
                side = "above" if higher else "below"
                raise ValueError(
                    f"measure '{self.key}': scoring.best must be {side} "
                    f"scoring.worst for {self.direction}"
                )
        if isinstance(scoring, TierScoring):
            _check_tiers(self.key, scoring, higher)
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValueError(
                f"measure '{self.key}': valid_from {self.valid_from} is after "
                f"valid_to {self.valid_to}"
            )
        return self


def _check_tiers(key: str, scoring: TierScoring, higher: bool) -> None:
    """Raise ValueError unless tiers run from worst to best without a step back."""
    order = "ascending" if higher else "descending"
    for number, (worse, better) in enumerate(itertools.pairwise(scoring.tiers), 1):
        if (better.at <= worse.at) if higher else (better.at >= worse.at):
            raise ValueError(
                f"measure '{key}': tiers[{number}].at must be {order} for "
                f"{'higher' if higher else 'lower'}_is_better"
            )
        if better.points < worse.points:
            raise ValueError(
                f"measure '{key}': tiers[{number}].points must not be below "
                f"tiers[{number - 1}].points (tiers run from worst to best)"
            )
    if scoring.floor > scoring.tiers[0].points:
        raise ValueError(f"measure '{key}': floor must not exceed tiers[0].points")
