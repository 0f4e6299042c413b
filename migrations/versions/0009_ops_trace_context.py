"""Jobs keep the trace context of the request that queued them (``render_jobs.trace_context``)

Revision ID: 0009_ops_trace_context
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_ops_trace_context"
down_revision = "0008_print_awaiting_proof"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trace_context", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.drop_column("trace_context")
