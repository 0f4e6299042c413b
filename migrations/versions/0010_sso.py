"""Enterprise sign-in, continued: who created each API key (revoked with its creator by
SCIM), the SCIM enterprise extension of a member, the SP key pair of each SAML realm
(private key encrypted at rest), and the state of the scheduled IdP metadata refresh

Revision ID: 0010_sso
Revises: 0009_p14cart
Create Date: 2026-12-03 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010_sso"
down_revision = "0010_var"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("api_keys", sa.Column("created_by", sa.String(40), nullable=True))
    op.create_index("ix_api_keys_created_by", "api_keys", ["created_by"])
    op.add_column("accounts", sa.Column("scim_enterprise", sa.JSON(), nullable=True))
    op.add_column(
        "saml_identity_providers",
        sa.Column("metadata_refresh_failed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "saml_identity_providers",
        sa.Column("metadata_refresh_error", sa.String(500), nullable=True),
    )
    op.create_table(
        "saml_sp_keys",
        sa.Column("realm_key", sa.String(40), primary_key=True),
        sa.Column("certificate_pem", sa.Text(), nullable=False),
        sa.Column("private_key_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("saml_sp_keys")
    op.drop_column("saml_identity_providers", "metadata_refresh_error")
    op.drop_column("saml_identity_providers", "metadata_refresh_failed_at")
    op.drop_column("accounts", "scim_enterprise")
    op.drop_index("ix_api_keys_created_by", table_name="api_keys")
    op.drop_column("api_keys", "created_by")
