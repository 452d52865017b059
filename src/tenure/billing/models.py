"""Tables for products, plans, subscriptions and contracts.

Money is always an integer amount of minor units plus an ISO 4217 currency code.
Subscription end dates are exclusive (the first day without service); contract end
dates are inclusive, as written on a contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tenure.db.base import Base, TimestampMixin

INTERVALS = ("week", "month", "quarter", "year")
LINE_KINDS = ("recurring", "one_time")


class Product(Base, TimestampMixin):
    """Something the company sells."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Plan(Base, TimestampMixin):
    """A price point of a product, billed every ``interval``."""

    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="SET NULL")
    )
    interval: Mapped[str] = mapped_column(String(10), default="month")
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))


class Subscription(Base, TimestampMixin):
    """A recurring subscription of an account, billed every interval until it ends."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL")
    )
    currency: Mapped[str] = mapped_column(String(3))
    interval: Mapped[str] = mapped_column(String(10), default="month")
    interval_count: Mapped[int] = mapped_column(default=1)
    start_date: Mapped[dt.date]
    # First day without service; None while the subscription runs on.
    end_date: Mapped[dt.date | None]
    trial_end_date: Mapped[dt.date | None]
    # The day the customer asked to cancel (used by the "at request" churn policy).
    canceled_at: Mapped[dt.date | None]
    past_due_since: Mapped[dt.date | None]

    items: Mapped[list[SubscriptionItem]] = relationship(
        back_populates="subscription",
        cascade="all, delete-orphan",
        order_by="SubscriptionItem.id",
    )
    pauses: Mapped[list[SubscriptionPause]] = relationship(
        cascade="all, delete-orphan", order_by="SubscriptionPause.start_date"
    )


class SubscriptionItem(Base):
    """One priced line of a subscription, optionally for part of its life."""

    __tablename__ = "subscription_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL")
    )
    # Price of one unit per billing interval, in minor units of the currency.
    unit_amount_minor: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(default=1)
    start_date: Mapped[dt.date | None]
    end_date: Mapped[dt.date | None]
    discount_percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    discount_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    # First day without the discount; None means the discount never expires.
    discount_end_date: Mapped[dt.date | None]

    subscription: Mapped[Subscription] = relationship(back_populates="items")


class SubscriptionPause(Base):
    """A period during which a subscription is paused and earns no MRR."""

    __tablename__ = "subscription_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]


class Contract(Base, TimestampMixin):
    """A fixed-term contract; both dates are inclusive, as written on the contract."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    signed_date: Mapped[dt.date | None]
    renews_contract_id: Mapped[int | None] = mapped_column(
        ForeignKey("contract.id", ondelete="SET NULL"), index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan.id", ondelete="SET NULL")
    )
    # Expected renewal value for the renewal forecast; capped at the due amount.
    forecast_renewal_minor: Mapped[int | None] = mapped_column(BigInteger)

    lines: Mapped[list[ContractLine]] = relationship(
        cascade="all, delete-orphan", order_by="ContractLine.id"
    )


class ContractLine(Base):
    """A part of a contract's value: recurring (becomes MRR) or one-time (never)."""

    __tablename__ = "contract_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contract.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="recurring")
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(300))
