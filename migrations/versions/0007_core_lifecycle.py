"""Design lifecycle: status CHECK constraint, design_events, job outbox columns

Revision ID: 0007_core_lifecycle
Revises: 0007_state_kv
Create Date: 2026-12-03 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_core_lifecycle"
down_revision = "0007_state_kv"
branch_labels = None
depends_on = None

# Frozen copy of designs/lifecycle.py's states at this revision (a later state widens it in
# its own migration; tests/designs/test_lifecycle.py checks the two agree).
STATUSES = (
    "generating",
    "queued",
    "rendering",
    "preview_ready",
    "finalized",
    "production_rendering",
    "production_ready",
    "failed",
)


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f("ck_designs_status"),
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")",
        )
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_render_jobs_status_lease", ["status", "lease_until"])
    op.create_table(
        "design_events",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.Column("design_id", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_design_events_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["design_id"],
            ["designs.id"],
            name=op.f("fk_design_events_design_id_designs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_events")),
    )
    with op.batch_alter_table("design_events", schema=None) as batch_op:
        batch_op.create_index("ix_design_events_design", ["design_id", "created_at"])
        batch_op.create_index(batch_op.f("ix_design_events_brand_id"), ["brand_id"])


def downgrade():
    with op.batch_alter_table("design_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_design_events_brand_id"))
        batch_op.drop_index("ix_design_events_design")
    op.drop_table("design_events")
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_render_jobs_status_lease")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("published_at")
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_designs_status"), type_="check")
