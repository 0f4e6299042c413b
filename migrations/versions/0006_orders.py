"""Orders: retention times on orders, and the outbound webhook delivery log

Revision ID: 0006_orders
Revises: 0004_ai
Create Date: 2026-11-21 08:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0006_orders"
down_revision = "0004_ai"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("files_purged_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "outbound_deliveries",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=191), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_outbound_deliveries_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_deliveries")),
        sa.UniqueConstraint(
            "brand_id", "dedup_key", name=op.f("uq_outbound_deliveries_brand_id_dedup_key")
        ),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbound_deliveries_event_id")),
    )
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbound_deliveries_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_outbound_deliveries_brand_created", ["brand_id", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_deliveries_brand_created")
        batch_op.drop_index("ix_outbound_deliveries_due")
        batch_op.drop_index(batch_op.f("ix_outbound_deliveries_brand_id"))
    op.drop_table("outbound_deliveries")

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("files_purged_at")
        batch_op.drop_column("closed_at")
