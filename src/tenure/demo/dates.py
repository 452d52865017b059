"""Calendar helpers for the demo generator."""

from __future__ import annotations

import calendar
import datetime as dt

ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by ``months`` months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    """Return the first day of every month from ``first``'s month to ``last``'s."""
    current = first.replace(day=1)
    result = []
    while current <= last:
        result.append(current)
        current = add_months(current, 1)
    return result


def term_months(start: dt.date, end_exclusive: dt.date) -> int:
    """Return the number of whole months from ``start`` to ``end_exclusive``."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    if add_months(start, months) > end_exclusive:
        months -= 1
    return max(months, 1)


def iso(day: dt.date | None) -> str:
    """Format a date as ``YYYY-MM-DD``; ``None`` becomes an empty string."""
    return "" if day is None else day.isoformat()
