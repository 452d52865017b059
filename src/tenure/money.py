"""Money helpers: integer minor units and ISO 4217 currency exponents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# Currencies whose minor unit is not the cent; every other code has two decimals.
_EXPONENTS = {
    "BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0,
    "JOD": 3, "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0,
    "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0, "UYW": 4, "VND": 0, "VUV": 0, "XAF": 0,
    "XOF": 0, "XPF": 0,
}  # fmt: skip


class MoneyError(ValueError):
    """An amount or currency code that cannot be represented exactly."""


def exponent(currency: str) -> int:
    """Return the number of decimals of ``currency``'s minor unit."""
    return _EXPONENTS.get(currency, 2)


def check_currency(code: str) -> str:
    """Return ``code`` upper-cased if it looks like an ISO 4217 code, else raise."""
    upper = code.strip().upper()
    if len(upper) != 3 or not upper.isalpha() or not upper.isascii():
        raise MoneyError(f"'{code}' is not a three-letter ISO 4217 currency code")
    return upper


def to_minor(text: str | Decimal | int, currency: str) -> int:
    """Convert a major-unit amount such as ``"1200.50"`` into integer minor units."""
    try:
        value = Decimal(text) if not isinstance(text, Decimal) else text
    except (InvalidOperation, ValueError):
        raise MoneyError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise MoneyError(f"'{text}' is not a finite number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(
            f"'{text}' has more decimals than {currency} allows ({exponent(currency)})"
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """Convert integer minor units into an exact major-unit decimal."""
    return Decimal(minor).scaleb(-exponent(currency))


def format_major(minor: int, currency: str) -> str:
    """Format minor units as a plain decimal string with the currency's decimals."""
    places = exponent(currency)
    return f"{to_major(minor, currency):.{places}f}"
