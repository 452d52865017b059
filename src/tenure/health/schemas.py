"""Scorecard definitions, segment filters and the scorecard export format.

A definition is stored as JSON in ``Scorecard.definition`` and validated here
strictly, so that scoring never meets a measure it cannot score. Messages name the
measure (or band, or exception) and the field at fault.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_validator,
    model_validator,
)

from tenure.health.measures import KEY, Label, Measure, Metric, StrictModel

log = logging.getLogger(__name__)

EXPORT_FORMAT = "tenure.scorecards"
EXPORT_VERSION = 1
INSUFFICIENT = "insufficient"
OPERATORS = ("<", "<=", ">", ">=", "==", "!=", "missing", "present")


class Band(StrictModel):
    """An overall health band: scores from ``min`` up to the next band's ``min``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")
    label: Label
    min: float = Field(ge=0, le=100)

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == INSUFFICIENT:
            raise ValueError(f"band name '{INSUFFICIENT}' is reserved")
        return value


def default_bands() -> list[Band]:
    """Red below 40, yellow from 40, green from 70."""
    return [
        Band(name="red", label=Label(en="Red", zh_cn="红"), min=0),
        Band(name="yellow", label=Label(en="Yellow", zh_cn="黄"), min=40),
        Band(name="green", label=Label(en="Green", zh_cn="绿"), min=70),
    ]


class Minimum(StrictModel):
    """How much data a score needs: a share of the valid weight and a measure count."""

    weight_share: float = Field(default=0.5, ge=0, le=1)
    measures: int = Field(default=2, ge=1, le=50)


class Condition(StrictModel):
    """A test of one metric value: a measure's (by key) or any metric's."""

    measure: str | None = None
    metric: Metric | None = None
    op: Literal["<", "<=", ">", ">=", "==", "!=", "missing", "present"]
    value: float | None = None

    @model_validator(mode="after")
    def _complete(self) -> Condition:
        if (self.measure is None) == (self.metric is None):
            raise ValueError("give exactly one of 'measure' and 'metric'")
        unary = self.op in ("missing", "present")
        if unary and self.value is not None:
            raise ValueError(f"op '{self.op}' takes no 'value'")
        if not unary and self.value is None:
            raise ValueError(f"op '{self.op}' needs a 'value'")
        return self


class ExceptionRule(StrictModel):
    """When every condition holds, force ``band`` with ``reason``; first match wins."""

    key: str = Field(pattern=KEY)
    when: list[Condition] = Field(min_length=1, max_length=10)
    band: str
    reason: str = Field(min_length=1, max_length=400)


class ScorecardDefinition(StrictModel):
    """Measures, bands, minimum data and ordered exceptions of one scorecard."""

    measures: list[Measure] = Field(min_length=1, max_length=50)
    bands: list[Band] = Field(default_factory=default_bands, min_length=1)
    minimum: Minimum = Field(default_factory=Minimum)
    exceptions: list[ExceptionRule] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _coherent(self) -> ScorecardDefinition:
        keys = [measure.key for measure in self.measures]
        for key in keys:
            if keys.count(key) > 1:
                raise ValueError(f"measure key '{key}' is used more than once")
        if self.minimum.measures > len(keys):
            raise ValueError(
                f"minimum.measures is {self.minimum.measures} but the scorecard has "
                f"only {len(keys)} measures"
            )
        _check_bands(self.bands)
        names = {band.name for band in self.bands}
        seen: set[str] = set()
        for rule in self.exceptions:
            if rule.key in seen:
                raise ValueError(f"exception key '{rule.key}' is used more than once")
            seen.add(rule.key)
            if rule.band not in names:
                raise ValueError(
                    f"exception '{rule.key}': band '{rule.band}' is not one of "
                    f"{', '.join(sorted(names))}"
                )
            for number, condition in enumerate(rule.when):
                if condition.measure is not None and condition.measure not in keys:
                    raise ValueError(
                        f"exception '{rule.key}': when[{number}].measure "
                        f"'{condition.measure}' is not a measure of this scorecard"
                    )
        return self

    def band_names(self) -> list[str]:
        """The band names, lowest first."""
        return [band.name for band in self.bands]

    def metrics(self) -> dict[str, Metric]:
        """Every metric the measures and exceptions read, by metric id."""
        found = {measure.metric.id: measure.metric for measure in self.measures}
        for rule in self.exceptions:
            for condition in rule.when:
                if condition.metric is not None:
                    found[condition.metric.id] = condition.metric
        return found


def _check_bands(bands: list[Band]) -> None:
    """Raise ValueError unless band names are unique and minimums rise from 0."""
    names = [band.name for band in bands]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"band name '{name}' is used more than once")
    if bands[0].min != 0:
        raise ValueError(f"bands[0] ('{bands[0].name}') must start at min 0")
    for number, (low, high) in enumerate(itertools.pairwise(bands), 1):
        if high.min <= low.min:
            raise ValueError(
                f"bands[{number}] ('{high.name}'): min must be above "
                f"bands[{number - 1}].min ({low.min:g})"
            )


def _as_list(value: Any) -> Any:
    """Accept a single value where a list of accepted values is expected."""
    if isinstance(value, str | int | float):
        return [value]
    return value


Values = Annotated[list[str], BeforeValidator(_as_list), Field(min_length=1)]
Scalar = str | int | float | bool
ScalarValues = Annotated[list[Scalar], BeforeValidator(_as_list), Field(min_length=1)]


class Segment(StrictModel):
    """Which accounts a scorecard claims; every given condition must hold.

    Each attribute condition accepts one value or a list (any of them matches).
    ``tags_any``/``tags_all``: the account carries any/all of these tags.
    ``custom``: custom attribute name -> accepted values. ``mrr_min`` (inclusive)
    and ``mrr_max`` (exclusive): MRR in major units of the reporting currency.
    ``saved``: the key of a saved segment (``tenure.segments``) the account must
    also be a member of on the scored day. An empty segment matches every account.
    """

    industry: Values | None = None
    region: Values | None = None
    tier: Values | None = None
    size: Values | None = None
    plan: Values | None = None
    tags_any: Values | None = None
    tags_all: Values | None = None
    custom: dict[str, ScalarValues] | None = None
    mrr_min: Decimal | None = None
    mrr_max: Decimal | None = None
    saved: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")

    @model_validator(mode="after")
    def _range(self) -> Segment:
        if (
            self.mrr_min is not None
            and self.mrr_max is not None
            and self.mrr_min >= self.mrr_max
        ):
            raise ValueError("mrr_min must be below mrr_max")
        return self

    def is_empty(self) -> bool:
        """Tell whether the segment sets no condition at all."""
        return not self.model_dump(exclude_none=True)


class ScorecardSpec(StrictModel):
    """A scorecard as created, imported and exported."""

    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(default=100, ge=0, le=1_000_000)
    is_default: bool = False
    active: bool = True
    segment: Segment = Field(default_factory=Segment)
    definition: ScorecardDefinition

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("name must not be blank")
        return stripped


class ScorecardUpdate(StrictModel):
    """Changes to a scorecard; fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    priority: int | None = Field(default=None, ge=0, le=1_000_000)
    is_default: bool | None = None
    active: bool | None = None
    segment: Segment | None = None
    definition: ScorecardDefinition | None = None


class ScorecardRead(ScorecardSpec):
    """A stored scorecard with its id and version."""

    id: int
    version: int
    updated_at: dt.datetime


class ScorecardExport(StrictModel):
    """The JSON document scorecards are exported to and imported from."""

    format: Literal["tenure.scorecards"] = "tenure.scorecards"
    version: Literal[1] = 1
    exported_at: dt.datetime | None = None
    scorecards: list[ScorecardSpec]
