"""AI artwork cache and budget alerts

Revision ID: 0004_ai
Revises: 0003_designs
Create Date: 2026-11-21 06:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_ai"
down_revision = "0003_designs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ai_artworks",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("prompt_hash", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_ai_artworks_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_artworks")),
        sa.UniqueConstraint(
            "brand_id",
            "prompt_hash",
            "provider",
            name=op.f("uq_ai_artworks_brand_id_prompt_hash_provider"),
        ),
    )
    with op.batch_alter_table("ai_artworks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_artworks_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "budget_alerts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("threshold_percent", sa.Integer(), nullable=False),
        sa.Column("spent_cents", sa.Integer(), nullable=False),
        sa.Column("budget_cents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_budget_alerts_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_alerts")),
        sa.UniqueConstraint(
            "brand_id",
            "month",
            "threshold_percent",
            name=op.f("uq_budget_alerts_brand_id_month_threshold_percent"),
        ),
    )
    with op.batch_alter_table("budget_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_alerts_brand_id"), ["brand_id"], unique=False)


def downgrade():
    with op.batch_alter_table("budget_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_alerts_brand_id"))
    op.drop_table("budget_alerts")
    with op.batch_alter_table("ai_artworks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_artworks_brand_id"))
    op.drop_table("ai_artworks")
