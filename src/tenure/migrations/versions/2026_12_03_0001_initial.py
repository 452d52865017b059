"""Initial schema: every table of the system of record.

Revision ID: 0001
Revises:
Create Date: 2026-12-03 19:13:14.685195+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "fx_rate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rate_date", sa.Date(), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(precision=24, scale=12), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fx_rate")),
        sa.UniqueConstraint(
            "rate_date", "base", "quote", name=op.f("uq_fx_rate_rate_date")
        ),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("external_id", name=op.f("uq_product_external_id")),
    )
    op.create_table(
        "revenue_fact_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporting_currency", sa.String(length=3), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revenue_fact_state")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name", name=op.f("uq_team_name")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("interval", sa.String(length=10), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_plan_product_id_product"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("external_id", name=op.f("uq_plan_external_id")),
    )
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("locale", sa.String(length=10), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_staff_user_team_id_team"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_user_email")),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_user_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("size", sa.String(length=50), nullable=True),
        sa.Column("tier", sa.String(length=50), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("custom_attributes", sa.JSON(), nullable=False),
        sa.Column("source_created_at", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_user.id"],
            name=op.f("fk_account_owner_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("external_id", name=op.f("uq_account_external_id")),
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_industry"), ["industry"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_account_owner_id"), ["owner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_tier"), ["tier"], unique=False)

    op.create_table(
        "account_month_snapshot",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("month_from", sa.Date(), nullable=False),
        sa.Column("month_to", sa.Date(), nullable=True),
        sa.Column("mrr_minor", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("pending_renewal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_month_snapshot_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "month_from", name=op.f("pk_account_month_snapshot")
        ),
    )
    with op.batch_alter_table("account_month_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            "ix_account_month_snapshot_span", ["month_from", "month_to"], unique=False
        )

    op.create_table(
        "account_owner_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_owner_history_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["staff_user.id"],
            name=op.f("fk_account_owner_history_owner_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_owner_history")),
    )
    with op.batch_alter_table("account_owner_history", schema=None) as batch_op:
        batch_op.create_index(
            "ix_owner_history_account_start", ["account_id", "start_date"], unique=False
        )

    op.create_table(
        "account_revenue",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("mrr_minor", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("first_revenue_date", sa.Date(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_account_revenue_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_account_revenue_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_revenue")),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_contact_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contact_external_id")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("signed_date", sa.Date(), nullable=True),
        sa.Column("renews_contract_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("forecast_renewal_minor", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_contract_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_contract_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["renews_contract_id"],
            ["contract.id"],
            name=op.f("fk_contract_renews_contract_id_contract"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contract_external_id")),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_renews_contract_id"),
            ["renews_contract_id"],
            unique=False,
        )

    op.create_table(
        "mrr_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("mrr_after_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_mrr_movement_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mrr_movement")),
    )
    with op.batch_alter_table("mrr_movement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mrr_movement_account_date", ["account_id", "date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mrr_movement_date"), ["date"], unique=False
        )

    op.create_table(
        "renewal_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("source_external_id", sa.String(length=200), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("due_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("renewal_external_id", sa.String(length=200), nullable=True),
        sa.Column("renewed_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("forecast_amount_minor", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_renewal_term_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewal_term")),
    )
    with op.batch_alter_table("renewal_term", schema=None) as batch_op:
        batch_op.create_index("ix_renewal_term_account", ["account_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_renewal_term_due_date"), ["due_date"], unique=False
        )

    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("interval", sa.String(length=10), nullable=False),
        sa.Column("interval_count", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("trial_end_date", sa.Date(), nullable=True),
        sa.Column("canceled_at", sa.Date(), nullable=True),
        sa.Column("past_due_since", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_subscription_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_subscription_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
        sa.UniqueConstraint("external_id", name=op.f("uq_subscription_external_id")),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "contract_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contract.id"],
            name=op.f("fk_contract_line_contract_id_contract"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_line")),
    )
    with op.batch_alter_table("contract_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_line_contract_id"), ["contract_id"], unique=False
        )

    op.create_table(
        "subscription_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("unit_amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("discount_percent", sa.Numeric(precision=7, scale=4), nullable=True),
        sa.Column("discount_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("discount_end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_subscription_item_plan_id_plan"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_item_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_item")),
    )
    with op.batch_alter_table("subscription_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_item_subscription_id"),
            ["subscription_id"],
            unique=False,
        )

    op.create_table(
        "subscription_pause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_pause_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_pause")),
    )
    with op.batch_alter_table("subscription_pause", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subscription_pause_subscription_id"),
            ["subscription_id"],
            unique=False,
        )

    # team and staff_user refer to each other: the team's manager can only be
    # constrained once staff_user exists (SQLite rebuilds the table to add it).
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_team_manager_id_staff_user"),
            "staff_user",
            ["manager_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Revert this revision."""
    # The cycle between team and staff_user is cut before either table goes.
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_team_manager_id_staff_user"), type_="foreignkey"
        )

    with op.batch_alter_table("subscription_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_pause_subscription_id"))

    op.drop_table("subscription_pause")
    with op.batch_alter_table("subscription_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_item_subscription_id"))

    op.drop_table("subscription_item")
    with op.batch_alter_table("contract_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_line_contract_id"))

    op.drop_table("contract_line")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_account_id"))

    op.drop_table("subscription")
    with op.batch_alter_table("renewal_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_renewal_term_due_date"))
        batch_op.drop_index("ix_renewal_term_account")

    op.drop_table("renewal_term")
    with op.batch_alter_table("mrr_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mrr_movement_date"))
        batch_op.drop_index("ix_mrr_movement_account_date")

    op.drop_table("mrr_movement")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_renews_contract_id"))
        batch_op.drop_index(batch_op.f("ix_contract_account_id"))

    op.drop_table("contract")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_account_id"))

    op.drop_table("contact")
    op.drop_table("account_revenue")
    with op.batch_alter_table("account_owner_history", schema=None) as batch_op:
        batch_op.drop_index("ix_owner_history_account_start")

    op.drop_table("account_owner_history")
    with op.batch_alter_table("account_month_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_account_month_snapshot_span")

    op.drop_table("account_month_snapshot")
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tier"))
        batch_op.drop_index(batch_op.f("ix_account_region"))
        batch_op.drop_index(batch_op.f("ix_account_owner_id"))
        batch_op.drop_index(batch_op.f("ix_account_industry"))

    op.drop_table("account")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_user_team_id"))

    op.drop_table("staff_user")
    op.drop_table("plan")
    op.drop_table("team")
    op.drop_table("setting")
    op.drop_table("revenue_fact_state")
    op.drop_table("product")
    op.drop_table("fx_rate")
