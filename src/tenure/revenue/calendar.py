"""Date arithmetic for revenue: months, periods and their labels."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Iterator
from fractions import Fraction

INTERVALS = ("day", "week", "month", "quarter", "year")
ONE_DAY = dt.timedelta(days=1)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """Return the number of days of a month."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_DAYS[month - 1]


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months``, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    if day.day <= 28:
        return dt.date(year, month, day.day)
    return dt.date(year, month, min(day.day, days_in_month(year, month)))


def whole_months_between(start: dt.date, end: dt.date) -> int:
    """Return how many whole months fit from ``start`` up to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def months_between(start: dt.date, end: dt.date) -> Fraction:
    """Return the length of ``[start, end)`` in months, counting the rest in days."""
    whole = whole_months_between(start, end)
    anchor = add_months(start, whole)
    if anchor >= end:
        return Fraction(whole)
    following = add_months(start, whole + 1)
    return whole + Fraction((end - anchor).days, (following - anchor).days)


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def month_index(day: dt.date) -> int:
    """Return ``day``'s month as a count of months since year 0 (January = 0)."""
    return day.year * 12 + day.month - 1


@functools.cache
def month_first(index: int) -> dt.date:
    """Return the first day of the month numbered ``index`` by :func:`month_index`."""
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def period_start(day: dt.date, interval: str) -> dt.date:
    """Return the first day of the period of ``interval`` that contains ``day``."""
    if interval == "day":
        return day
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if interval == "year":
        return dt.date(day.year, 1, 1)
    choices = ", ".join(INTERVALS)
    raise ValueError(f"unknown interval '{interval}'; use one of {choices}")


def next_period(start: dt.date, interval: str) -> dt.date:
    """Return the first day of the period after the one starting on ``start``."""
    if interval == "day":
        return start + ONE_DAY
    if interval == "week":
        return start + dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}.get(interval)
    if months is None:
        raise ValueError(f"unknown interval '{interval}'")
    return add_months(start, months)


def periods(
    start: dt.date, end: dt.date, interval: str
) -> Iterator[tuple[dt.date, dt.date]]:
    """Yield ``(first_day, next_first_day)`` of each period touching the span."""
    current = period_start(start, interval)
    while current <= end:
        following = next_period(current, interval)
        yield current, following
        current = following
