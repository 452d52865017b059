"""Scoring one account: points, renormalised weights, minimum data, bands, order."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.health.measures import Measure
from tenure.health.scoring import (
    ActiveOverride,
    Applied,
    band_for,
    first_exception,
    parse_reason,
    points,
    round_score,
    score,
)

from .definitions import attribute, definition, label, linear_measure

DAY = dt.date(2026, 6, 15)
A, B, C = "attribute:a", "attribute:b", "attribute:c"


def measure(scoring: dict[str, object], direction: str = "higher_is_better") -> Measure:
    """A measure of attribute x with ``scoring``."""
    return Measure.model_validate(
        {
            "key": "x",
            "label": label("x"),
            "metric": attribute("x"),
            "scoring": scoring,
            "direction": direction,
            "weight": 1,
        }
    )


def test_all_measures_present_weighs_by_weight() -> None:
    result = score(definition(), {A: 100, B: 50, C: 20}, DAY)
    # (100*1 + 50*1 + 20*2) / 4
    assert result.score == 47.5
    assert result.band == "yellow"
    assert [m.status for m in result.measures] == ["scored"] * 3
    assert [m.effective_weight for m in result.measures] == [0.25, 0.25, 0.5]
    assert [m.contribution for m in result.measures] == [25.0, 12.5, 10.0]
    assert result.applied is None
    assert result.sufficient


def test_missing_measure_drops_and_weights_renormalise() -> None:
    result = score(definition(), {A: 100, B: None, C: 40}, DAY)
    # (100*1 + 40*2) / 3
    assert result.score == 60.0
    missing = result.measures[1]
    assert (missing.status, missing.value, missing.points) == ("missing", None, None)
    assert (missing.effective_weight, missing.contribution) == (0.0, 0.0)
    assert result.measures[0].effective_weight == pytest.approx(1 / 3)
    assert result.measures[2].effective_weight == pytest.approx(2 / 3)


def test_absent_key_counts_as_missing() -> None:
    result = score(definition(), {A: 100, C: 40}, DAY)
    assert result.score == 60.0
    assert result.measures[1].status == "missing"


def test_not_a_number_counts_as_missing() -> None:
    result = score(definition(), {A: 100, B: float("nan"), C: float("inf")}, DAY)
    assert [m.status for m in result.measures] == ["scored", "missing", "missing"]


def test_too_few_measures_is_insufficient_not_a_number() -> None:
    result = score(definition(), {A: None, B: None, C: 80}, DAY)
    assert result.score is None
    assert result.computed_score is None
    assert result.band == "insufficient"
    assert not result.sufficient
    # The one present value is still explained, without a share of any total.
    present = result.measures[2]
    assert (present.status, present.points, present.contribution) == (
        "scored",
        80.0,
        0.0,
    )


def test_too_little_weight_is_insufficient() -> None:
    # a and b present: 2 measures but 2 of 4 weight is below a 60% minimum.
    strict = definition(minimum={"weight_share": 0.6, "measures": 2})
    assert score(strict, {A: 50, B: 50}, DAY).band == "insufficient"
    assert score(strict, {A: 50, C: 50}, DAY).score == 50.0


def test_weight_share_exactly_at_minimum_is_enough() -> None:
    result = score(definition(), {A: 10, B: 30}, DAY)
    assert result.score == 20.0


def test_single_measure_minimum() -> None:
    lenient = definition(minimum={"weight_share": 0, "measures": 1})
    assert score(lenient, {B: 64}, DAY).score == 64.0
    assert score(lenient, {}, DAY).band == "insufficient"


def test_validity_window_excludes_measure_before_and_after() -> None:
    timed = definition(
        linear_measure("a", attribute("a")),
        linear_measure("b", attribute("b")),
        linear_measure(
            "c", attribute("c"), valid_from="2026-06-01", valid_to="2026-06-30"
        ),
    )
    values = {A: 20, B: 40, C: 90}
    inside = score(timed, values, dt.date(2026, 6, 30))
    assert inside.score == 50.0
    before = score(timed, values, dt.date(2026, 5, 31))
    assert before.score == 30.0
    assert before.measures[2].status == "not_valid_yet"
    assert before.measures[2].points is None
    after = score(timed, values, dt.date(2026, 7, 1))
    assert after.measures[2].status == "expired"
    assert after.score == 30.0


def test_invalid_measures_do_not_count_towards_minimum_weight() -> None:
    timed = definition(
        linear_measure("a", attribute("a")),
        linear_measure("b", attribute("b")),
        linear_measure("c", attribute("c"), weight=10, valid_to="2026-01-01"),
    )
    # c has expired: a and b are all the valid weight there is.
    assert score(timed, {A: 10, B: 20}, DAY).score == 15.0


def test_linear_higher_is_better_clamps() -> None:
    m = measure({"type": "linear", "worst": 10, "best": 30})
    assert [points(m, v) for v in (0, 10, 15, 30, 99)] == [0, 0, 25, 100, 100]


def test_linear_lower_is_better() -> None:
    m = measure({"type": "linear", "worst": 30, "best": 10}, "lower_is_better")
    assert [points(m, v) for v in (40, 30, 25, 10, 0)] == [0, 0, 25, 100, 100]


def test_tiers_higher_is_better() -> None:
    m = measure(
        {
            "type": "tiers",
            "tiers": [{"at": 1, "points": 20}, {"at": 5, "points": 60}],
            "floor": 5,
        }
    )
    assert [points(m, v) for v in (0, 1, 4.9, 5, 50)] == [5, 20, 20, 60, 60]


def test_tiers_lower_is_better() -> None:
    m = measure(
        {
            "type": "tiers",
            "tiers": [{"at": 10, "points": 30}, {"at": 2, "points": 100}],
        },
        "lower_is_better",
    )
    assert [points(m, v) for v in (11, 10, 3, 2, 0)] == [0, 30, 30, 100, 100]


def test_bands_scoring_by_range_and_beyond_the_ends() -> None:
    m = measure(
        {
            "type": "bands",
            "ranges": [
                {"min": 0, "max": 10, "points": 10},
                {"min": 10, "max": 20, "points": 50},
                {"min": 20, "max": 30, "points": 90},
            ],
        }
    )
    assert [points(m, v) for v in (-5, 0, 9.99, 10, 29, 30, 100)] == [
        10,
        10,
        10,
        50,
        90,
        90,
        90,
    ]


def test_bands_with_open_ends() -> None:
    m = measure(
        {
            "type": "bands",
            "ranges": [{"max": 0, "points": 0}, {"min": 0, "points": 100}],
        }
    )
    assert (points(m, -1e9), points(m, 0), points(m, 1e9)) == (0, 100, 100)


def test_band_thresholds_are_inclusive_at_the_lower_edge() -> None:
    d = definition()
    assert [band_for(d, s) for s in (0, 39.9, 40, 69.9, 70, 100)] == [
        "red",
        "red",
        "yellow",
        "yellow",
        "green",
        "green",
    ]


def test_configured_bands() -> None:
    d = definition(
        bands=[
            {"name": "at_risk", "label": label("At risk"), "min": 0},
            {"name": "healthy", "label": label("Healthy"), "min": 55},
        ]
    )
    assert score(d, {A: 50, B: 50, C: 50}, DAY).band == "at_risk"
    assert score(d, {A: 60, B: 60, C: 55}, DAY).band == "healthy"


def test_score_rounds_half_up_to_one_decimal() -> None:
    assert round_score(62.25) == 62.3
    assert round_score(62.249) == 62.2
    assert round_score(0.05) == 0.1
    # 1/3 + 1/3 + 1/3 of 100.0 style float noise does not leak.
    assert round_score(99.99999999999) == 100.0
    result = score(definition(), {A: 33.3, B: 33.3, C: 33.4}, DAY)
    assert result.score == 33.4


def exceptional(*rules: dict[str, object]):  # type: ignore[no-untyped-def]
    """The default test definition with ``rules`` as its exceptions."""
    return definition(exceptions=list(rules))


LOW_A = {
    "key": "low_a",
    "when": [{"measure": "a", "op": "<", "value": 10}],
    "band": "red",
    "reason": "a is very low",
}
HIGH_B = {
    "key": "high_b",
    "when": [{"measure": "b", "op": ">=", "value": 90}],
    "band": "green",
    "reason": "b is excellent",
}


def test_exception_forces_band_and_keeps_computed_score() -> None:
    result = score(exceptional(LOW_A), {A: 5, B: 100, C: 100}, DAY)
    assert result.band == "red"
    # (5 + 100 + 2 * 100) / 4 = 76.25, rounded half up.
    assert result.score == result.computed_score == 76.3
    assert result.computed_band == "green"
    assert result.applied == Applied("exception", "a is very low", "low_a")


def test_first_matching_exception_wins() -> None:
    values = {A: 5, B: 95, C: 50}
    assert score(exceptional(LOW_A, HIGH_B), values, DAY).band == "red"
    assert score(exceptional(HIGH_B, LOW_A), values, DAY).band == "green"


def test_exception_needs_every_condition() -> None:
    both = {
        "key": "both",
        "when": [
            {"measure": "a", "op": "<", "value": 10},
            {"measure": "b", "op": "<", "value": 10},
        ],
        "band": "red",
        "reason": "a and b are low",
    }
    d = exceptional(both)
    assert score(d, {A: 5, B: 50, C: 50}, DAY).applied is None
    assert score(d, {A: 5, B: 5, C: 50}, DAY).band == "red"


def test_exception_comparisons_are_false_on_missing_values() -> None:
    d = exceptional(LOW_A)
    assert first_exception(d, {B: 1, C: 1}) is None


@pytest.mark.parametrize(
    ("op", "value", "matches"),
    [
        ("<", 5, False),
        ("<=", 5, True),
        (">", 5, False),
        (">=", 5, True),
        ("==", 5, True),
        ("!=", 5, False),
        ("!=", 6, True),
    ],
)
def test_exception_operators(op: str, value: float, matches: bool) -> None:
    rule = {
        "key": "r",
        "when": [{"measure": "a", "op": op, "value": value}],
        "band": "red",
        "reason": "r",
    }
    assert (first_exception(exceptional(rule), {A: 5}) is not None) is matches


def test_exception_on_missing_data_and_on_an_unscored_metric() -> None:
    no_renewal = {
        "key": "no_sentiment",
        "when": [
            {"metric": {"source": "sentiment", "window_days": 30}, "op": "missing"},
            {"measure": "a", "op": "present"},
        ],
        "band": "yellow",
        "reason": "nobody has asked the customer lately",
    }
    d = exceptional(no_renewal)
    assert "sentiment:30" in d.metrics()
    forced = score(d, {A: 90, B: 90, C: 90}, DAY)
    assert forced.band == "yellow"
    assert score(d, {A: 90, B: 90, C: 90, "sentiment:30": 4}, DAY).band == "green"


def test_exception_applies_even_with_insufficient_data() -> None:
    result = score(exceptional(LOW_A), {A: 1}, DAY)
    assert (result.band, result.score, result.computed_band) == (
        "red",
        None,
        "insufficient",
    )


def override(**fields: object) -> ActiveOverride:
    """An override to yellow holding through June 2026."""
    values: dict[str, object] = {
        "band": "yellow",
        "reason": "exec sponsor left",
        "starts_on": dt.date(2026, 6, 1),
        "expires_on": dt.date(2026, 7, 1),
    }
    values.update(fields)
    return ActiveOverride(**values)  # type: ignore[arg-type]


def test_override_beats_computed_band_and_exceptions() -> None:
    result = score(exceptional(LOW_A), {A: 5, B: 100, C: 100}, DAY, override())
    assert result.band == "yellow"
    # (5 + 100 + 2 * 100) / 4 = 76.25, rounded half up.
    assert result.score == result.computed_score == 76.3
    assert result.computed_band == "green"
    assert result.applied == Applied("override", "exec sponsor left")


def test_override_with_score_shows_that_score() -> None:
    result = score(definition(), {A: 100, B: 100, C: 100}, DAY, override(score=35.0))
    assert (result.score, result.computed_score, result.band) == (35.0, 100.0, "yellow")


def test_override_holds_from_start_to_the_day_before_expiry() -> None:
    values = {A: 100, B: 100, C: 100}
    d = definition()
    assert score(d, values, dt.date(2026, 5, 31), override()).band == "green"
    assert score(d, values, dt.date(2026, 6, 1), override()).band == "yellow"
    assert score(d, values, dt.date(2026, 6, 30), override()).band == "yellow"
    expired = score(d, values, dt.date(2026, 7, 1), override())
    assert expired.band == "green"
    assert expired.applied is None


def test_override_on_insufficient_data() -> None:
    result = score(definition(), {}, DAY, override())
    assert (result.band, result.score, result.computed_band) == (
        "yellow",
        None,
        "insufficient",
    )


def test_stored_reason_reads_back() -> None:
    for applied in (
        Applied("exception", "a is very low: really", "low_a"),
        Applied("override", "exec sponsor left"),
    ):
        assert parse_reason(applied.text()) == applied
    assert parse_reason(None) is None


def test_stored_measure_form() -> None:
    result = score(definition(), {A: 100, B: None, C: 40}, DAY)
    assert result.measures[0].as_dict() == {
        "key": "a",
        "metric": "attribute:a",
        "status": "scored",
        "value": 100.0,
        "points": 100.0,
        "weight": 1.0,
        "effective_weight": 0.333333,
        "contribution": 33.3333,
    }
