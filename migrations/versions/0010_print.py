"""Print: a proof the shopper (or the shop) rejected, and the comment that says why

Revision ID: 0010_print
Revises: 0009_p14cart
Create Date: 2026-12-03 12:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_print"
down_revision = "0010_conn"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("proof_rejected_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("proof_comment", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_column("proof_comment")
        batch_op.drop_column("proof_rejected_at")
