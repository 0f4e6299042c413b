"""Print: a design's preflight findings and its proof approval

Revision ID: 0007_print_proof
Revises: 0007_sec_webhook_identity
Create Date: 2026-12-03 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_print_proof"
down_revision = "0007_sec_webhook_identity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preflight", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("proof_approved_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("proof_approved_by", sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_column("proof_approved_by")
        batch_op.drop_column("proof_approved_at")
        batch_op.drop_column("preflight")
