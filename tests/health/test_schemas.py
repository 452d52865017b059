"""Scorecard definitions: what validates, and messages that name measure and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from tenure.health.defaults import DEFAULT_DEFINITION, default_spec
from tenure.health.errors import error_lines
from tenure.health.measures import Metric
from tenure.health.schemas import ScorecardDefinition, ScorecardExport, Segment

from .definitions import attribute, label, linear_measure


def errors_of(data: dict[str, Any]) -> str:
    """The readable validation errors of a definition, joined by '; '."""
    with pytest.raises(ValidationError) as caught:
        ScorecardDefinition.model_validate(data)
    return "; ".join(error_lines(caught.value, data))


def base() -> dict[str, Any]:
    """A valid definition as plain data, to be broken by each test."""
    return copy.deepcopy(DEFAULT_DEFINITION)


def test_default_definition_is_valid_and_bilingual() -> None:
    spec = default_spec()
    assert spec.is_default
    keys = [m.key for m in spec.definition.measures]
    assert keys == [
        "active_users_trend",
        "days_active",
        "renewal_proximity",
        "mrr_trend",
        "sentiment",
    ]
    for measure in spec.definition.measures:
        dumped = measure.label.model_dump(by_alias=True)
        assert set(dumped) == {"en", "zh-CN"}
    assert spec.definition.band_names() == ["red", "yellow", "green"]


@pytest.mark.parametrize(
    ("metric", "metric_id"),
    [
        (
            {
                "source": "usage",
                "field": "active_users",
                "aggregate": "avg",
                "window_days": 30,
            },
            "usage:avg:30:active_users",
        ),
        (
            {
                "source": "usage",
                "field": "event:report.run",
                "aggregate": "sum",
                "window_days": 7,
            },
            "usage:sum:7:event:report.run",
        ),
        ({"source": "renewal_days"}, "renewal_days"),
        ({"source": "mrr_change", "window_days": 90}, "mrr_change:90"),
        ({"source": "open_risk_tasks"}, "open_risk_tasks"),
        ({"source": "sentiment", "window_days": 60}, "sentiment:60"),
        ({"source": "attribute", "field": "employees"}, "attribute:employees"),
    ],
)
def test_metric_ids(metric: dict[str, Any], metric_id: str) -> None:
    assert Metric.model_validate(metric).id == metric_id


@pytest.mark.parametrize(
    ("metric", "message"),
    [
        ({"source": "usage", "field": "events"}, "source 'usage' needs 'aggregate'"),
        (
            {"source": "renewal_days", "window_days": 3},
            "source 'renewal_days' takes no 'window_days'",
        ),
        (
            {
                "source": "usage",
                "field": "logins",
                "aggregate": "sum",
                "window_days": 7,
            },
            "usage field 'logins' is unknown",
        ),
        (
            {
                "source": "usage",
                "field": "days_active",
                "aggregate": "max",
                "window_days": 7,
            },
            "aggregate 'max' does not apply to days_active",
        ),
        (
            {
                "source": "usage",
                "field": "event:bad'name",
                "aggregate": "sum",
                "window_days": 7,
            },
            "event name 'bad'name' may hold only",
        ),
        ({"source": "mrr_change", "window_days": 0}, "greater than or equal to 1"),
        ({"source": "attribute"}, "source 'attribute' needs 'field'"),
        ({"source": "weather"}, "Input should be 'usage'"),
    ],
)
def test_bad_metric_names_measure_and_field(
    metric: dict[str, Any], message: str
) -> None:
    data = base()
    data["measures"][1]["metric"] = metric
    text = errors_of(data)
    assert "measures['days_active'].metric" in text
    assert message in text


def test_weight_must_be_positive() -> None:
    data = base()
    data["measures"][3]["weight"] = 0
    assert "measures['mrr_trend'].weight: Input should be greater than 0" in errors_of(
        data
    )


def test_points_must_be_within_0_and_100() -> None:
    data = base()
    data["measures"][1]["scoring"]["tiers"][2]["points"] = 101
    text = errors_of(data)
    assert "measures['days_active'].scoring.tiers[2].points" in text
    assert "less than or equal to 100" in text


def test_label_needs_both_languages() -> None:
    data = base()
    del data["measures"][0]["label"]["zh-CN"]
    assert "measures['active_users_trend'].label.zh-CN: Field required" in errors_of(
        data
    )


def test_unknown_field_is_rejected() -> None:
    data = base()
    data["measures"][0]["wieght"] = 3
    assert "measures['active_users_trend'].wieght: Extra inputs" in errors_of(data)


def test_linear_direction_must_agree_with_worst_and_best() -> None:
    data = base()
    data["measures"][0]["direction"] = "lower_is_better"
    assert (
        "measure 'active_users_trend': scoring.best must be below scoring.worst "
        "for lower_is_better"
    ) in errors_of(data)


def test_tiers_must_run_from_worst_to_best() -> None:
    data = base()
    data["measures"][1]["scoring"]["tiers"][1]["at"] = 0.5
    assert "measure 'days_active': tiers[1].at must be ascending" in errors_of(data)
    data = base()
    data["measures"][1]["scoring"]["tiers"][3]["points"] = 10
    assert "tiers[3].points must not be below tiers[2].points" in errors_of(data)


def test_band_ranges_must_be_contiguous() -> None:
    data = base()
    data["measures"][2]["scoring"]["ranges"][2]["min"] = 31
    text = errors_of(data)
    assert "measures['renewal_proximity'].scoring" in text
    assert "ranges[2].min must equal ranges[1].max" in text


def test_validity_period_must_not_be_reversed() -> None:
    data = base()
    data["measures"][4]["valid_from"] = "2026-05-01"
    data["measures"][4]["valid_to"] = "2026-04-30"
    assert "measure 'sentiment': valid_from 2026-05-01 is after" in errors_of(data)


def test_measure_keys_are_unique() -> None:
    data = base()
    data["measures"][1]["key"] = "active_users_trend"
    assert "measure key 'active_users_trend' is used more than once" in errors_of(data)


def test_minimum_cannot_ask_for_more_measures_than_exist() -> None:
    data = {
        "measures": [linear_measure("a", attribute("a"))],
        "minimum": {"measures": 2},
    }
    assert "minimum.measures is 2 but the scorecard has only 1" in errors_of(data)


def test_bands_must_start_at_zero_and_rise() -> None:
    data = base()
    data["bands"] = [
        {"name": "red", "label": label("Red"), "min": 10},
        {"name": "green", "label": label("Green"), "min": 70},
    ]
    assert "bands[0] ('red') must start at min 0" in errors_of(data)
    data["bands"][0]["min"] = 0
    data["bands"][1]["min"] = 0
    assert "bands[1] ('green'): min must be above bands[0].min" in errors_of(data)


def test_insufficient_is_a_reserved_band_name() -> None:
    data = base()
    data["bands"] = [{"name": "insufficient", "label": label("x"), "min": 0}]
    assert "band name 'insufficient' is reserved" in errors_of(data)


def test_exception_must_name_a_known_band_and_measure() -> None:
    data = base()
    data["exceptions"][0]["band"] = "purple"
    assert "exception 'very_unhappy': band 'purple' is not one of" in errors_of(data)
    data = base()
    data["exceptions"][1]["when"][0]["measure"] = "nps"
    assert (
        "exception 'mrr_halved': when[0].measure 'nps' is not a measure"
        in errors_of(data)
    )


def test_condition_needs_exactly_one_subject_and_a_fitting_value() -> None:
    data = base()
    data["exceptions"][0]["when"][0]["metric"] = {"source": "renewal_days"}
    assert "give exactly one of 'measure' and 'metric'" in errors_of(data)
    data = base()
    data["exceptions"][0]["when"][0] = {"measure": "sentiment", "op": "<"}
    assert "op '<' needs a 'value'" in errors_of(data)
    data["exceptions"][0]["when"][0] = {
        "measure": "sentiment",
        "op": "missing",
        "value": 1,
    }
    assert "op 'missing' takes no 'value'" in errors_of(data)


def test_metrics_lists_measures_and_exception_metrics_once() -> None:
    data = base()
    data["exceptions"].append(
        {
            "key": "overdue",
            "when": [{"metric": {"source": "renewal_days"}, "op": "<", "value": 0}],
            "band": "red",
            "reason": "renewal overdue",
        }
    )
    metrics = ScorecardDefinition.model_validate(data).metrics()
    assert sorted(metrics) == [
        "mrr_change:90",
        "renewal_days",
        "sentiment:90",
        "usage:change:30:active_users",
        "usage:sum:30:days_active",
    ]


def test_segment_accepts_one_value_or_a_list() -> None:
    segment = Segment.model_validate(
        {"industry": "Retail", "tier": ["Key", "Strategic"], "custom": {"seats": 5}}
    )
    assert segment.industry == ["Retail"]
    assert segment.tier == ["Key", "Strategic"]
    assert segment.custom == {"seats": [5]}
    assert Segment().is_empty()
    assert not segment.is_empty()


def test_segment_mrr_range_must_not_be_empty() -> None:
    with pytest.raises(ValidationError, match="mrr_min must be below mrr_max"):
        Segment.model_validate({"mrr_min": "500", "mrr_max": "100"})


def test_export_document_names_the_scorecard_in_errors() -> None:
    data = {
        "format": "tenure.scorecards",
        "version": 1,
        "scorecards": [
            {"name": "Enterprise", "definition": {"measures": []}},
        ],
    }
    with pytest.raises(ValidationError) as caught:
        ScorecardExport.model_validate(data)
    assert error_lines(caught.value, data) == [
        "scorecards['Enterprise'].definition.measures: List should have at least 1 "
        "item after validation, not 0"
    ]


def test_export_document_version_is_checked() -> None:
    with pytest.raises(ValidationError, match="version"):
        ScorecardExport.model_validate({"version": 2, "scorecards": []})
