"""Revenue policies: the choices on which vendors disagree, as one typed value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Policy:
    """How subscriptions and contracts become MRR; defaults follow METRICS.md."""

    reporting_currency: str = "USD"
    discount_mode: str = "deduct"
    churn_recognition: str = "period_end"
    contract_grace_days: int = 30
    past_due_churn_days: int = 0
    reactivation_window_days: int = 0
    renewal_min_interval_months: int = 12

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Policy:
        """Build a policy from a ``key -> value`` mapping of settings."""
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in values.items() if key in names})
