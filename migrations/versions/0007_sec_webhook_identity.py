"""Webhook identity: Shopify's shop id on installs, a body hash on webhook deliveries

Revision ID: 0007_sec_webhook_identity
Revises: 0007_brand_accounts
Create Date: 2026-12-03 06:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007_sec_webhook_identity"
down_revision = "0007_brand_accounts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("shop_installs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shop_id", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_shop_installs_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_events_platform_shop_domain_topic_body_sha256"),
            ["platform", "shop_domain", "topic", "body_sha256"],
        )


def downgrade():
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_webhook_events_platform_shop_domain_topic_body_sha256"), type_="unique"
        )
        batch_op.drop_column("body_sha256")

    with op.batch_alter_table("shop_installs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shop_installs_shop_id"))
        batch_op.drop_column("shop_id")
