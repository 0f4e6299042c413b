"""Uploads say who stated the consent to use the photo (``consent_by``: the shopper in the
widget, or the brand's server attesting for its shopper)

Revision ID: 0009_p14output
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_p14output"
down_revision = "0009_support"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_by", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("consent_by")
