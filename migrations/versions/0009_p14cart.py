"""Committed designs and drafts, saved designs, the shop's Cart Transform

``designs.committed_at``: set when the shopper commits the design (add to cart, i.e.
finalize) or an order names it; a design without it is a draft (previews while editing),
which expires and is not counted as a design. ``designs.saved_at``: the shopper saved the
draft to come back to it (it does not expire while saved). ``shop_installs.cart_transform_id``:
Luneo's Cart Transform made at install.

Revision ID: 0009_p14cart
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_p14cart"
down_revision = "0009_p14output"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_designs_brand_id_committed_at"), ["brand_id", "committed_at"]
        )
    # Designs finalized before this revision were committed then.
    op.execute("UPDATE designs SET committed_at = finalized_at WHERE finalized_at IS NOT NULL")
    with op.batch_alter_table("shop_installs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cart_transform_id", sa.String(length=128), nullable=True))


def downgrade():
    with op.batch_alter_table("shop_installs", schema=None) as batch_op:
        batch_op.drop_column("cart_transform_id")
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_designs_brand_id_committed_at"))
        batch_op.drop_column("saved_at")
        batch_op.drop_column("committed_at")
