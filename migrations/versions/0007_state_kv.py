"""Shared state without Redis: the database-backed key-value store

Revision ID: 0007_state_kv
Revises: 0007_perf_job_indexes
Create Date: 2026-12-03 05:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_state_kv"
down_revision = "0007_perf_job_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kv_entries",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kv_entries")),
    )
    with op.batch_alter_table("kv_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kv_entries_expires_at"), ["expires_at"], unique=False)


def downgrade():
    with op.batch_alter_table("kv_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kv_entries_expires_at"))
    op.drop_table("kv_entries")
