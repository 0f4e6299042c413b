"""When a store last started refusing Luneo's key

``commerce_connections.key_refused_at``: set (once, by a conditional UPDATE) when the brand's
store or API first refuses Luneo's key, so the brand is emailed once per incident; cleared
when the key works again or a new one is set.

Revision ID: 0010_conn
Revises: 0009_p14cart
Create Date: 2026-12-03 12:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_conn"
down_revision = "0009_p14cart"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("commerce_connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_refused_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("commerce_connections", schema=None) as batch_op:
        batch_op.drop_column("key_refused_at")
