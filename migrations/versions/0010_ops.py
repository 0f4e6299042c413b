"""Rotation overlap windows

``api_keys.expires_at``: a rotated key keeps working until then (the overlap window the
brand chose), then is refused. ``brands.webhook_secret_old_enc`` and
``brands.webhook_secret_old_until``: the previous webhook signing secret (encrypted) still
signs outbound webhooks, beside the new one, until then.

Revision ID: 0010_ops
Revises: 0009_p14cart
Create Date: 2026-12-03 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_ops"
down_revision = "0010_print"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_secret_old_enc", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("webhook_secret_old_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("brands", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret_old_until")
        batch_op.drop_column("webhook_secret_old_enc")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
