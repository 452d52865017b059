"""Small scorecard definitions the health tests build on."""

from __future__ import annotations

from typing import Any

from tenure.health.schemas import ScorecardDefinition


def label(en: str) -> dict[str, str]:
    """A bilingual label whose Chinese text is derived from the English."""
    return {"en": en, "zh-CN": f"{en}（中文）"}


def linear_measure(
    key: str, metric: dict[str, Any], weight: float = 1, **extra: Any
) -> dict[str, Any]:
    """A measure scoring 0 at 0 and 100 at 100, higher is better."""
    return {
        "key": key,
        "label": label(key),
        "metric": metric,
        "scoring": {"type": "linear", "worst": 0, "best": 100},
        "weight": weight,
        **extra,
    }


def attribute(name: str) -> dict[str, Any]:
    """The metric of a numeric custom attribute."""
    return {"source": "attribute", "field": name}


def definition(*measures: dict[str, Any], **fields: Any) -> ScorecardDefinition:
    """A validated definition of ``measures`` (three attribute measures by default)."""
    if not measures:
        measures = (
            linear_measure("a", attribute("a"), 1),
            linear_measure("b", attribute("b"), 1),
            linear_measure("c", attribute("c"), 2),
        )
    return ScorecardDefinition.model_validate({"measures": list(measures), **fields})
