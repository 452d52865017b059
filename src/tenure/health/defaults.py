"""The scorecard Tenure starts with when none exists: usage, renewal, MRR, sentiment."""

from __future__ import annotations

import logging
from typing import Any

from tenure.health.schemas import ScorecardSpec

log = logging.getLogger(__name__)

DEFAULT_NAME = "Default"


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh-CN": zh}


DEFAULT_DEFINITION: dict[str, Any] = {
    "measures": [
        {
            "key": "active_users_trend",
            "label": _label("Active users trend", "活跃用户趋势"),
            "metric": {
                "source": "usage",
                "field": "active_users",
                "aggregate": "change",
                "window_days": 30,
            },
            # Down by half or more: 0 points; level or growing by 10%: full points.
            "scoring": {"type": "linear", "worst": -0.5, "best": 0.1},
            "weight": 25,
        },
        {
            "key": "days_active",
            "label": _label("Days active (last 30)", "活跃天数（近 30 天）"),
            "metric": {
                "source": "usage",
                "field": "days_active",
                "aggregate": "sum",
                "window_days": 30,
            },
            "scoring": {
                "type": "tiers",
                "tiers": [
                    {"at": 1, "points": 20},
                    {"at": 5, "points": 50},
                    {"at": 10, "points": 75},
                    {"at": 18, "points": 100},
                ],
            },
            "weight": 25,
        },
        {
            "key": "renewal_proximity",
            "label": _label("Renewal proximity", "续约临近度"),
            "metric": {"source": "renewal_days"},
            "scoring": {
                "type": "bands",
                "ranges": [
                    {"max": 0, "points": 10},
                    {"min": 0, "max": 30, "points": 40},
                    {"min": 30, "max": 90, "points": 70},
                    {"min": 90, "points": 100},
                ],
            },
            "weight": 15,
        },
        {
            "key": "mrr_trend",
            "label": _label("MRR trend (90 days)", "MRR 趋势（90 天）"),
            "metric": {"source": "mrr_change", "window_days": 90},
            "scoring": {
                "type": "bands",
                "ranges": [
                    {"max": -0.2, "points": 0},
                    {"min": -0.2, "max": -0.01, "points": 40},
                    {"min": -0.01, "max": 0.01, "points": 75},
                    {"min": 0.01, "points": 100},
                ],
            },
            "weight": 20,
        },
        {
            "key": "sentiment",
            "label": _label("CSM sentiment", "客户成功经理评估"),
            "metric": {"source": "sentiment", "window_days": 90},
            "scoring": {"type": "linear", "worst": 1, "best": 5},
            "weight": 15,
        },
    ],
    "minimum": {"weight_share": 0.5, "measures": 2},
    "exceptions": [
        {
            "key": "very_unhappy",
            "when": [{"measure": "sentiment", "op": "<=", "value": 1}],
            "band": "red",
            "reason": "The CSM reports the customer very unhappy",
        },
        {
            "key": "mrr_halved",
            "when": [{"measure": "mrr_trend", "op": "<=", "value": -0.5}],
            "band": "red",
            "reason": "MRR fell by half or more in 90 days",
        },
    ],
}


def default_spec() -> ScorecardSpec:
    """The default scorecard: every account no segment claims."""
    return ScorecardSpec.model_validate(
        {
            "name": DEFAULT_NAME,
            "priority": 1000,
            "is_default": True,
            "definition": DEFAULT_DEFINITION,
        }
    )
