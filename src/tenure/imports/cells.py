"""Parse the cells of one imported row into typed values, collecting problems."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal
from functools import lru_cache

from tenure.imports.results import Problem
from tenure.money import MoneyError, check_currency, exponent, to_minor

log = logging.getLogger(__name__)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER = re.compile(r"[+-]?\d+")


@lru_cache(maxsize=100_000)
def parse_date(text: str) -> dt.date:
    """Parse ``YYYY-MM-DD`` strictly; raise ``ValueError`` with a reason otherwise."""
    if not _DATE.fullmatch(text):
        raise ValueError("is not a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a valid calendar date") from None


@lru_cache(maxsize=100_000)
def parse_decimal(text: str) -> Decimal:
    """Parse a plain decimal such as ``-1200.50``; no exponents or separators."""
    if not _DECIMAL.fullmatch(text):
        if "," in text and _DECIMAL.fullmatch(text.replace(",", "")):
            raise ValueError("is not a plain number: remove the thousands separators")
        raise ValueError("is not a plain decimal number such as 1200.50")
    return Decimal(text)


@lru_cache(maxsize=1_000)
def parse_currency(text: str) -> str:
    """Return an upper-case ISO 4217 code; raise ``ValueError`` otherwise."""
    try:
        return check_currency(text)
    except MoneyError:
        raise ValueError("is not a three-letter ISO 4217 currency code") from None


def places(value: Decimal) -> int:
    """Return how many decimals ``value`` needs (trailing zeros do not count)."""
    exp = value.normalize().as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


class Row:
    """One data row: its number as a spreadsheet shows it and its non-empty cells."""

    __slots__ = ("number", "problems", "source", "values")

    def __init__(
        self, source: str, number: int, values: dict[str, str], problems: list[Problem]
    ) -> None:
        """Wrap ``values`` (column -> non-empty text) of row ``number``."""
        self.source = source
        self.number = number
        self.values = values
        self.problems = problems

    def problem(self, column: str, reason: str, value: str | None = None) -> None:
        """Record a problem with ``column`` of this row."""
        text = self.values.get(column, "") if value is None else value
        self.problems.append(Problem(self.source, self.number, column, text, reason))

    def text(
        self, column: str, *, required: bool = False, max_length: int = 200
    ) -> str | None:
        """Return the cell text, or None when empty."""
        value = self.values.get(column)
        if value is None:
            if required:
                self.problem(column, "a value is required")
            return None
        if len(value) > max_length:
            self.problem(column, f"is longer than {max_length} characters")
            return None
        return value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        """Return the cell as a date, or None when empty or invalid."""
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def decimal(
        self,
        column: str,
        *,
        low: Decimal | None = None,
        high: Decimal | None = None,
        max_places: int | None = None,
        positive: bool = False,
        required: bool = False,
        percent: bool = False,
    ) -> Decimal | None:
        """Return the cell as a decimal within bounds (``percent``: may end in %)."""
        value = self.text(column, required=required)
        if value is None:
            return None
        if percent and value.endswith("%"):
            value = value[:-1].rstrip()
        try:
            number = parse_decimal(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None
        if positive and number <= 0:
            self.problem(column, "must be greater than 0")
        elif low is not None and number < low:
            self.problem(column, f"must be at least {low}")
        elif high is not None and number > high:
            self.problem(column, f"must be at most {high}")
        elif max_places is not None and places(number) > max_places:
            self.problem(column, f"has more than {max_places} decimals")
        else:
            return number
        return None

    def integer(self, column: str, *, default: int, low: int) -> int | None:
        """Return the cell as a whole number of at least ``low``, or ``default``."""
        value = self.text(column)
        if value is None:
            return default
        if not _INTEGER.fullmatch(value):
            self.problem(column, "is not a whole number")
            return None
        number = int(value)
        if number < low:
            self.problem(column, f"must be at least {low}")
            return None
        return number

    def currency(self, column: str, *, default: str | None = None) -> str | None:
        """Return the cell as an ISO 4217 code, ``default`` when empty, else None."""
        value = self.text(column, required=default is None)
        if value is None:
            return default
        try:
            return parse_currency(value)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None

    def money(
        self, column: str, currency: str | None, *, required: bool = False
    ) -> int | None:
        """Return a non-negative major-unit amount as minor units of ``currency``."""
        number = self.decimal(column, low=Decimal(0), required=required)
        if number is None or currency is None:
            return None
        try:
            return to_minor(number, currency)
        except MoneyError:
            self.problem(
                column,
                f"has more decimals than {currency} allows ({exponent(currency)})",
            )
            return None

    def choice(self, column: str, choices: tuple[str, ...], default: str) -> str | None:
        """Return the cell lower-cased if it is one of ``choices``, else None."""
        value = self.text(column)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in choices:
            self.problem(column, f"must be one of {', '.join(choices)}")
            return None
        return lowered

    def after(
        self, column: str, value: dt.date | None, start: dt.date | None, what: str
    ) -> None:
        """Record a problem when ``value`` is not strictly after ``start``."""
        if value is not None and start is not None and value <= start:
            self.problem(column, f"must be after {what}")
