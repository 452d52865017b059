"""Table of FX rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base


class FxRate(Base):
    """From ``rate_date`` on, one unit of ``base`` is worth ``rate`` of ``quote``."""

    __tablename__ = "fx_rate"
    __table_args__ = (UniqueConstraint("rate_date", "base", "quote"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rate_date: Mapped[dt.date]
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 12))
