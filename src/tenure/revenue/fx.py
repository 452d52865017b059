"""Conversion into the reporting currency at the rate in force on a date."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal

from tenure.money import exponent


class MissingRateError(LookupError):
    """No rate is known that converts a currency into the reporting currency."""


class FxTable:
    """Rates from every known currency into one reporting currency, by date.

    A rate applies from its date until the next one. Before the first known rate the
    first one applies, so that history older than the rate feed still converts.
    """

    def __init__(
        self,
        reporting_currency: str,
        rates: Iterable[tuple[dt.date, str, str, Decimal]] = (),
    ) -> None:
        self.reporting_currency = reporting_currency
        direct: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
        pairs: dict[tuple[str, str], dict[dt.date, Decimal]] = defaultdict(dict)
        for day, base, quote, rate in rates:
            pairs[(base, quote)][day] = Decimal(rate)
            if quote == reporting_currency:
                direct[base][day] = Decimal(rate)
        for (base, quote), series in pairs.items():
            if base == reporting_currency and quote not in direct:
                direct[quote] = {day: 1 / rate for day, rate in series.items()}
        self._add_crossed(direct, pairs)
        self._days = {cur: sorted(series) for cur, series in direct.items()}
        self._rates = {
            cur: [series[day] for day in days]
            for cur, days in self._days.items()
            for series in (direct[cur],)
        }
        # Rates looked up before, by currency and day: the table never changes.
        self._found: dict[tuple[str, dt.date], Decimal] = {}

    def _add_crossed(
        self,
        direct: dict[str, dict[dt.date, Decimal]],
        pairs: dict[tuple[str, str], dict[dt.date, Decimal]],
    ) -> None:
        """Reach currencies quoted only against another one through that one."""
        for (base, pivot), series in list(pairs.items()):
            if base in direct or base == self.reporting_currency or pivot not in direct:
                continue
            pivot_days = sorted(direct[pivot])
            crossed: dict[dt.date, Decimal] = {}
            for day in sorted(set(series) | set(pivot_days)):
                own = _at(sorted(series), [series[d] for d in sorted(series)], day)
                via = _at(pivot_days, [direct[pivot][d] for d in pivot_days], day)
                crossed[day] = own * via
            direct[base] = crossed

    def currencies(self) -> set[str]:
        """Return the currencies this table can convert."""
        return set(self._days) | {self.reporting_currency}

    def rate(self, currency: str, day: dt.date) -> Decimal:
        """Return the rate from ``currency`` into the reporting currency on ``day``."""
        if currency == self.reporting_currency:
            return Decimal(1)
        found = self._found.get((currency, day))
        if found is not None:
            return found
        days = self._days.get(currency)
        if not days:
            raise MissingRateError(
                f"no FX rate converts {currency} into {self.reporting_currency}; "
                f"import fx-rates with base {currency} and quote "
                f"{self.reporting_currency}"
            )
        found = self._found[(currency, day)] = _at(days, self._rates[currency], day)
        return found

    def change_days(self, currency: str) -> list[dt.date]:
        """Return the days on which the rate of ``currency`` changes."""
        return self._days.get(currency, [])

    def convert(self, minor: int, currency: str, day: dt.date) -> int:
        """Convert minor units of ``currency`` into reporting minor units on ``day``."""
        if currency == self.reporting_currency:
            return minor
        shift = exponent(self.reporting_currency) - exponent(currency)
        value = Decimal(minor) * self.rate(currency, day)
        value = value.scaleb(shift)
        return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def _at(days: list[dt.date], values: list[Decimal], day: dt.date) -> Decimal:
    index = bisect.bisect_right(days, day) - 1
    return values[max(index, 0)]
