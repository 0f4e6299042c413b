"""billing accounts, billable events, plan alerts

Revision ID: 0009_billing
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 08:33:01.373947

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_billing"
down_revision = "0009_ops_trace_context"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "billable_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overage", sa.Boolean(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("report_status", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_billable_events_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billable_events")),
        sa.UniqueConstraint(
            "brand_id", "idempotency_key", name=op.f("uq_billable_events_brand_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("billable_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_billable_brand_period_kind", ["brand_id", "period", "kind"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_billable_events_brand_id"), ["brand_id"], unique=False)
        batch_op.create_index("ix_billable_report_status", ["report_status"], unique=False)

    op.create_table(
        "billing_accounts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("subscription_id", sa.String(length=255), nullable=True),
        sa.Column("usage_item_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pending_plan", sa.String(length=32), nullable=True),
        sa.Column("pending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("capped_amount_cents", sa.Integer(), nullable=True),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("grace_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_billing_accounts_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_accounts")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_billing_accounts_brand_id")),
    )
    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_billing_accounts_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_accounts_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_billing_accounts_subscription_id"), ["subscription_id"], unique=False
        )

    op.create_table(
        "plan_alerts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("threshold_percent", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("included", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_plan_alerts_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_alerts")),
        sa.UniqueConstraint(
            "brand_id",
            "period",
            "metric",
            "threshold_percent",
            name=op.f("uq_plan_alerts_brand_id_period_metric_threshold_percent"),
        ),
    )
    with op.batch_alter_table("plan_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_alerts_brand_id"), ["brand_id"], unique=False)


def downgrade():
    with op.batch_alter_table("plan_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_alerts_brand_id"))

    op.drop_table("plan_alerts")
    with op.batch_alter_table("billing_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_billing_accounts_subscription_id"))
        batch_op.drop_index(batch_op.f("ix_billing_accounts_customer_id"))
        batch_op.drop_index(batch_op.f("ix_billing_accounts_brand_id"))

    op.drop_table("billing_accounts")
    with op.batch_alter_table("billable_events", schema=None) as batch_op:
        batch_op.drop_index("ix_billable_report_status")
        batch_op.drop_index(batch_op.f("ix_billable_events_brand_id"))
        batch_op.drop_index("ix_billable_brand_period_kind")

    op.drop_table("billable_events")
