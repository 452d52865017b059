"""The periods the team page offers: this month, last month, this quarter, ..."""

from __future__ import annotations

import datetime as dt
import logging

from tenure.revenue.calendar import add_months, month_start, period_start
from tenure.team.reads import TeamError

log = logging.getLogger(__name__)

PRESETS = ("this_month", "last_month", "this_quarter", "last_12_months", "custom")
ONE_DAY = dt.timedelta(days=1)


def preset_span(
    preset: str,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """The first and last day of ``preset`` as of ``today`` ("custom": start..end).

    A current period runs to today.
    """
    if preset == "this_month":
        return month_start(today), today
    if preset == "last_month":
        first = add_months(month_start(today), -1)
        return first, month_start(today) - ONE_DAY
    if preset == "this_quarter":
        return period_start(today, "quarter"), today
    if preset == "last_12_months":
        return add_months(month_start(today), -11), today
    if preset != "custom":
        raise TeamError(f"period '{preset}' is not one of {', '.join(PRESETS)}")
    if start is None or end is None:
        raise TeamError("a custom period needs both a start and an end")
    if end < start:
        raise TeamError(f"end {end} is before start {start}")
    return start, end
