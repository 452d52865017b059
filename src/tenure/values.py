"""Plain values shared by every output: how decimals and dates appear in JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any


def json_default(value: Any) -> Any:
    """Encode a value ``json`` cannot: decimals as numbers, dates as YYYY-MM-DD."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return (
            int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
        )
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot render {type(value).__name__} as JSON")
