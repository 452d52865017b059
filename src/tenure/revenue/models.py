"""Facts the revenue engine stores so that reports never recompute history.

Every amount is in minor units of the reporting currency that was configured when the
facts were computed (``revenue_fact_state.reporting_currency``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.db.base import Base, utcnow

MOVEMENT_KINDS = ("new", "expansion", "reactivation", "contraction", "churn", "fx")


class MrrMovement(Base):
    """A change of one customer's MRR on one day; churn and contraction are negative."""

    __tablename__ = "mrr_movement"
    __table_args__ = (Index("ix_mrr_movement_account_date", "account_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    date: Mapped[dt.date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    mrr_after_minor: Mapped[int] = mapped_column(BigInteger)


class AccountMonthSnapshot(Base):
    """A customer's month-end MRR for a span of months in which it did not change.

    Month-end snapshots are stored run-length encoded: the row for ``month_from``
    holds for every month up to ``month_to`` inclusive (``None``: until further
    notice). Months without MRR in which the account was not a customer have no row.
    """

    __tablename__ = "account_month_snapshot"
    __table_args__ = (
        Index("ix_account_month_snapshot_span", "month_from", "month_to"),
    )

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    month_from: Mapped[dt.date] = mapped_column(primary_key=True)
    month_to: Mapped[dt.date | None]
    mrr_minor: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool]
    pending_renewal: Mapped[bool] = mapped_column(default=False)


class AccountRevenue(Base):
    """A customer's revenue summary: today's MRR, cohort, main plan and currency."""

    __tablename__ = "account_revenue"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    mrr_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    active: Mapped[bool] = mapped_column(default=False)
    first_revenue_date: Mapped[dt.date | None]
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL")
    )
    currency: Mapped[str | None] = mapped_column(String(3))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RenewalTerm(Base):
    """A contract or subscription term that falls due, and what became of it."""

    __tablename__ = "renewal_term"
    __table_args__ = (Index("ix_renewal_term_account", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    source: Mapped[str] = mapped_column(String(12))
    source_external_id: Mapped[str] = mapped_column(String(200))
    term_start: Mapped[dt.date]
    due_date: Mapped[dt.date] = mapped_column(index=True)
    due_amount_minor: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(12))
    renewal_external_id: Mapped[str | None] = mapped_column(String(200))
    renewed_amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    forecast_amount_minor: Mapped[int | None] = mapped_column(BigInteger)


class RevenueFactState(Base):
    """When the facts were last rebuilt, and with which reporting currency."""

    __tablename__ = "revenue_fact_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    reporting_currency: Mapped[str] = mapped_column(String(3))
    as_of: Mapped[dt.date]
    rebuilt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
