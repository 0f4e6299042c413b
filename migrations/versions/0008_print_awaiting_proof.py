"""Designs may wait for their proof's approval: the status CHECK constraint gains
``awaiting_proof``

Revision ID: 0008_print_awaiting_proof
Revises: 0007_print_proof
Create Date: 2026-12-03 07:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_print_awaiting_proof"
down_revision = "0007_print_proof"
branch_labels = None
depends_on = None

# Frozen copy of designs/lifecycle.py's states at this revision
# (tests/designs/test_lifecycle.py checks the latest such list agrees with the lifecycle).
STATUSES = (
    "generating",
    "queued",
    "rendering",
    "preview_ready",
    "finalized",
    "awaiting_proof",
    "production_rendering",
    "production_ready",
    "failed",
)
BEFORE = tuple(s for s in STATUSES if s != "awaiting_proof")


def _check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_designs_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_designs_status"), _check(STATUSES))


def downgrade():
    # designs waiting for a proof go back to plain "finalized" (production not started)
    op.execute("UPDATE designs SET status = 'finalized' WHERE status = 'awaiting_proof'")
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_designs_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_designs_status"), _check(BEFORE))
