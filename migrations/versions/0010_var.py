"""Designs record the product variant they were made for

``designs.variant_id``: the variant (the shop's variant id) whose photo and print areas the
design uses, when the product's template gives variants their own (designs.variants).

Revision ID: 0010_var
Revises: 0009_p14cart
Create Date: 2026-12-03 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_var"
down_revision = "0010_ops"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant_id", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("designs", schema=None) as batch_op:
        batch_op.drop_column("variant_id")
