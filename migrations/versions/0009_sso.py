"""Enterprise sign-in: SAML identity providers, SCIM tokens and groups, accounts' identity
provider fields

Revision ID: 0009_sso
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 08:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_sso"
down_revision = "0009_billing"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saml_identity_providers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("realm", sa.String(8), nullable=False),
        sa.Column(
            "brand_id", sa.String(40), sa.ForeignKey("brands.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("metadata_url", sa.String(2048), nullable=True),
        sa.Column("metadata_xml", sa.Text(), nullable=False),
        sa.Column("idp_entity_id", sa.String(1024), nullable=False),
        sa.Column("metadata_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attribute_map", sa.JSON(), nullable=False),
        sa.Column("group_roles", sa.JSON(), nullable=False),
        sa.Column("default_role", sa.String(16), nullable=True),
        sa.Column("require_sso", sa.Boolean(), nullable=False),
        sa.Column("break_glass_account_id", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("realm", "brand_id", name="uq_saml_idp_realm_brand"),
    )
    op.create_index(
        "ix_saml_identity_providers_brand_id", "saml_identity_providers", ["brand_id"]
    )
    op.create_table(
        "scim_tokens",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "brand_id", sa.String(40), sa.ForeignKey("brands.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_scim_tokens_brand_id", "scim_tokens", ["brand_id"])
    op.create_table(
        "scim_groups",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column(
            "brand_id", sa.String(40), sa.ForeignKey("brands.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("brand_id", "display_name", name="uq_scim_group_name"),
    )
    op.create_index("ix_scim_groups_brand_id", "scim_groups", ["brand_id"])
    op.create_index("ix_scim_groups_external_id", "scim_groups", ["external_id"])
    op.create_table(
        "scim_group_members",
        sa.Column(
            "group_id",
            sa.String(40),
            sa.ForeignKey("scim_groups.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "account_id",
            sa.String(40),
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_id", sa.String(255), nullable=True))
        batch_op.add_column(
            sa.Column("family_name", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("given_name", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("provisioned_by", sa.String(8), nullable=True))
        batch_op.create_index("ix_accounts_external_id", ["external_id"])


def downgrade():
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_external_id")
        batch_op.drop_column("provisioned_by")
        batch_op.drop_column("given_name")
        batch_op.drop_column("family_name")
        batch_op.drop_column("external_id")
    op.drop_table("scim_group_members")
    op.drop_table("scim_groups")
    op.drop_table("scim_tokens")
    op.drop_table("saml_identity_providers")
