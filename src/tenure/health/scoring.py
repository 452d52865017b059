"""Score one account from its metric values: points, weights, bands, exceptions.

Pure computation: no database, file or network access. Precedence: an active
manual override beats an exception, which beats the computed band. A measure whose
value is missing drops out and the weights of the others are renormalised; when
less than the scorecard's minimum data is left, there is no score at all
("insufficient"), never a made-up number.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, NamedTuple

from tenure.health.measures import BandScoring, LinearScoring, Measure, TierScoring
from tenure.health.schemas import (
    INSUFFICIENT,
    Condition,
    ExceptionRule,
    ScorecardDefinition,
)

log = logging.getLogger(__name__)

Status = Literal["scored", "missing", "not_valid_yet", "expired"]
STATUSES = ("scored", "missing", "not_valid_yet", "expired")
_ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class ActiveOverride:
    """A band (and optionally a score) set by hand, holding from ``starts_on``.

    It holds up to the day before ``expires_on``: on ``expires_on`` it has expired.
    """

    band: str
    reason: str
    starts_on: dt.date
    expires_on: dt.date
    score: float | None = None

    def holds_on(self, day: dt.date) -> bool:
        """Tell whether the override applies on ``day``."""
        return self.starts_on <= day < self.expires_on


class MeasureResult(NamedTuple):
    """How one measure scored: its value, points and share of the total.

    A named tuple rather than a frozen dataclass: a scoring run makes one per
    measure per account, and tuples are several times cheaper to build.
    """

    key: str
    metric: str
    status: Status
    value: float | None
    points: float | None
    weight: float
    effective_weight: float
    contribution: float

    def as_dict(self) -> dict[str, Any]:
        """The stored form (``HealthSnapshot.measures``), rounded for reading."""
        return {
            "key": self.key,
            "metric": self.metric,
            "status": self.status,
            "value": self.value,
            "points": None if self.points is None else round(self.points, 4),
            "weight": self.weight,
            "effective_weight": round(self.effective_weight, 6),
            "contribution": round(self.contribution, 4),
        }


@dataclass(frozen=True, slots=True)
class Applied:
    """The exception or override that set the band, and why."""

    kind: Literal["exception", "override"]
    reason: str
    key: str | None = None

    def text(self) -> str:
        """The stored ``HealthSnapshot.reason``; ``parse_reason`` reads it back."""
        if self.kind == "exception":
            return f"exception {self.key}: {self.reason}"[:500]
        return f"override: {self.reason}"[:500]


@dataclass(frozen=True, slots=True)
class HealthResult:
    """An account's health on one day and every measure behind it.

    ``score`` is what users see (an override's score if it sets one); ``band`` is
    ``"insufficient"`` when too little data was present and nothing forced a band.
    """

    score: float | None
    band: str
    computed_score: float | None
    computed_band: str
    measures: tuple[MeasureResult, ...]
    applied: Applied | None = None

    @property
    def sufficient(self) -> bool:
        """Tell whether enough data was present to compute a score."""
        return self.computed_score is not None


def parse_reason(text: str | None) -> Applied | None:
    """Read back what ``Applied.text`` stored."""
    if not text:
        return None
    if text.startswith("override: "):
        return Applied("override", text[len("override: ") :])
    if text.startswith("exception ") and ": " in text:
        key, _sep, reason = text[len("exception ") :].partition(": ")
        return Applied("exception", reason, key)
    return Applied("override", text)


def round_score(value: float) -> float:
    """Round to one decimal, halves away from zero (62.25 -> 62.3)."""
    # Rounding to nine places first absorbs float noise such as 62.249999999.
    exact = Decimal(repr(round(value, 9)))
    return float(exact.quantize(_ONE_PLACE, rounding=ROUND_HALF_UP))


def points(measure: Measure, value: float) -> float:
    """Return the points (0..100) ``value`` earns under the measure's scoring."""
    scoring = measure.scoring
    if isinstance(scoring, LinearScoring):
        share = (value - scoring.worst) / (scoring.best - scoring.worst)
        return 100.0 * min(max(share, 0.0), 1.0)
    if isinstance(scoring, TierScoring):
        higher = measure.direction == "higher_is_better"
        earned = scoring.floor
        for tier in scoring.tiers:
            if (value >= tier.at) if higher else (value <= tier.at):
                earned = tier.points
        return earned
    return _band_points(scoring, value)


def _band_points(scoring: BandScoring, value: float) -> float:
    """Points of the range holding ``value``; beyond either end, that end's."""
    ranges = scoring.ranges
    for item in ranges:
        if item.max is None or value < item.max:
            if item.min is not None and value < item.min:
                return ranges[0].points
            return item.points
    return ranges[-1].points


def _status(measure: Measure, value: float | None, as_of: dt.date) -> Status:
    if measure.valid_from is not None and as_of < measure.valid_from:
        return "not_valid_yet"
    if measure.valid_to is not None and as_of > measure.valid_to:
        return "expired"
    if value is None:
        return "missing"
    return "scored"


def band_for(definition: ScorecardDefinition, score: float) -> str:
    """Return the band of ``score``: the last band whose minimum it reaches."""
    chosen = definition.bands[0].name
    for band in definition.bands:
        if score >= band.min:
            chosen = band.name
    return chosen


def _clean(value: float | None) -> float | None:
    """Treat NaN and infinities as missing: they are never a real measurement."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _holds(condition: Condition, value: float | None) -> bool:
    """Tell whether one exception condition holds for the metric's value."""
    if condition.op == "missing":
        return value is None
    if condition.op == "present":
        return value is not None
    if value is None or condition.value is None:
        return False
    target = condition.value
    return {
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
        "==": value == target,
        "!=": value != target,
    }[condition.op]


class Scorer:
    """A definition made ready to score many accounts: metric ids resolved once."""

    def __init__(self, definition: ScorecardDefinition) -> None:
        """Resolve the metric id of every measure and exception condition."""
        self.definition = definition
        self.metric_ids = tuple(definition.metrics())
        self._measures = [(m, m.metric.id) for m in definition.measures]
        by_key = {m.key: m.metric.id for m in definition.measures}
        self._exceptions = [
            (
                rule,
                [
                    (c, c.metric.id if c.metric else by_key[c.measure or ""])
                    for c in rule.when
                ],
            )
            for rule in definition.exceptions
        ]

    def first_exception(
        self, values: Mapping[str, float | None]
    ) -> ExceptionRule | None:
        """Return the first exception whose conditions all hold, if any."""
        for rule, conditions in self._exceptions:
            if all(_holds(c, _clean(values.get(m))) for c, m in conditions):
                return rule
        return None

    def score(
        self,
        values: Mapping[str, float | None],
        as_of: dt.date,
        override: ActiveOverride | None = None,
    ) -> HealthResult:
        """Score one account on ``as_of`` from its metric values (by metric id)."""
        definition = self.definition
        statuses: list[tuple[Measure, str, Status, float | None]] = []
        for measure, metric in self._measures:
            value = _clean(values.get(metric))
            statuses.append((measure, metric, _status(measure, value, as_of), value))
        valid = sum(m.weight for m, _i, s, _v in statuses if s in ("scored", "missing"))
        present = [m.weight for m, _i, s, _v in statuses if s == "scored"]
        present_weight = sum(present)
        minimum = definition.minimum
        enough = (
            bool(present)
            and len(present) >= minimum.measures
            and present_weight >= minimum.weight_share * valid
        )
        results = []
        total = 0.0
        for measure, metric, status, value in statuses:
            earned = None
            if value is not None and status == "scored":
                earned = points(measure, value)
            # Without enough data there is no total for a measure to be a share of.
            counted = earned is not None and enough
            share = measure.weight / present_weight if counted else 0.0
            part = earned * share if earned is not None and counted else 0.0
            total += part
            result = MeasureResult(
                measure.key, metric, status, value, earned, measure.weight, share,
                part,
            )  # fmt: skip
            results.append(result)
        computed = round_score(total) if enough else None
        computed_band = INSUFFICIENT
        if computed is not None:
            computed_band = band_for(definition, computed)
        measures = tuple(results)
        if override is not None and override.holds_on(as_of):
            shown = override.score if override.score is not None else computed
            return HealthResult(
                shown, override.band, computed, computed_band, measures,
                Applied("override", override.reason),
            )  # fmt: skip
        rule = self.first_exception(values)
        if rule is not None:
            return HealthResult(
                computed, rule.band, computed, computed_band, measures,
                Applied("exception", rule.reason, rule.key),
            )  # fmt: skip
        return HealthResult(computed, computed_band, computed, computed_band, measures)


def first_exception(
    definition: ScorecardDefinition, values: Mapping[str, float | None]
) -> ExceptionRule | None:
    """Return the first exception of ``definition`` whose conditions all hold."""
    return Scorer(definition).first_exception(values)


def score(
    definition: ScorecardDefinition,
    values: Mapping[str, float | None],
    as_of: dt.date,
    override: ActiveOverride | None = None,
) -> HealthResult:
    """Score one account on ``as_of`` from its metric values (by metric id).

    To score many accounts with one definition, build a ``Scorer`` once instead.
    """
    return Scorer(definition).score(values, as_of, override)
