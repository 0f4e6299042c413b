"""Realtime notices: the event log of status streams when there is no Redis

Revision ID: 0007_streams_notices
Revises: 0007_core_lifecycle
Create Date: 2026-12-03 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_streams_notices"
down_revision = "0007_core_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "realtime_notices",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.Column("design_id", sa.String(length=40), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_realtime_notices_brand_id_id", "realtime_notices", ["brand_id", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_realtime_notices_brand_id_id", table_name="realtime_notices")
    op.drop_table("realtime_notices")
