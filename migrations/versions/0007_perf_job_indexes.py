"""Indexes so the job queue costs the same whatever the history: in-flight jobs by queue,
and the latest finished previews

Revision ID: 0007_perf_job_indexes
Revises: 0006_orders
Create Date: 2026-12-03 06:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_perf_job_indexes"
down_revision = "0006_orders"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_render_jobs_queue_status", ["queue", "status", "enqueued_at"], unique=False
        )
        batch_op.create_index(
            "ix_render_jobs_kind_status_finished", ["kind", "status", "finished_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_render_jobs_kind_status_finished")
        batch_op.drop_index("ix_render_jobs_queue_status")
