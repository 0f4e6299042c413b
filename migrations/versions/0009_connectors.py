"""Commerce connections: a brand's REST API or WooCommerce store, keys encrypted

Revision ID: 0009_connectors
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 08:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_connectors"
down_revision = "0009_sso"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commerce_connections",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("store_url", sa.String(length=2048), nullable=True),
        sa.Column("credential_enc", sa.Text(), nullable=True),
        sa.Column("inbound_secret_enc", sa.Text(), nullable=True),
        sa.Column("outbound_url", sa.String(length=2048), nullable=True),
        sa.Column("outbound_secret_enc", sa.Text(), nullable=True),
        sa.Column("hook_token", sa.String(length=64), nullable=True),
        sa.Column("webhooks", sa.JSON(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_commerce_connections_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commerce_connections")),
        sa.UniqueConstraint("brand_id", name=op.f("uq_commerce_connections_brand_id")),
        sa.UniqueConstraint("hook_token", name=op.f("uq_commerce_connections_hook_token")),
    )
    op.create_index(
        op.f("ix_commerce_connections_brand_id"),
        "commerce_connections",
        ["brand_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_commerce_connections_brand_id"), table_name="commerce_connections")
    op.drop_table("commerce_connections")
