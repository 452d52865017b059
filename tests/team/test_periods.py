"""The team page's periods: this month, last month, this quarter, a year, custom."""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.team.periods import preset_span
from tenure.team.reads import TeamError

D = dt.date
TODAY = D(2026, 5, 20)


@pytest.mark.parametrize(
    ("preset", "span"),
    [
        ("this_month", (D(2026, 5, 1), TODAY)),
        ("last_month", (D(2026, 4, 1), D(2026, 4, 30))),
        ("this_quarter", (D(2026, 4, 1), TODAY)),
        ("last_12_months", (D(2025, 6, 1), TODAY)),
    ],
)
def test_a_preset_runs_to_today_or_to_its_last_day(
    preset: str, span: tuple[dt.date, dt.date]
) -> None:
    assert preset_span(preset, TODAY) == span


def test_a_custom_period_needs_both_days_in_order() -> None:
    assert preset_span("custom", TODAY, D(2025, 1, 1), D(2025, 3, 31)) == (
        D(2025, 1, 1), D(2025, 3, 31),
    )  # fmt: skip
    with pytest.raises(TeamError, match="both a start and an end"):
        preset_span("custom", TODAY, D(2025, 1, 1))
    with pytest.raises(TeamError, match="before start"):
        preset_span("custom", TODAY, D(2025, 3, 1), D(2025, 1, 1))


def test_an_unknown_period_is_named() -> None:
    with pytest.raises(TeamError, match="period 'fortnight'"):
        preset_span("fortnight", TODAY)
