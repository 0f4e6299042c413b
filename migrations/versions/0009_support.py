"""The support console: staff TOTP, API tokens and session epochs; token refresh
attempts, server errors and support notes; an index for webhook deliveries per topic

Revision ID: 0009_support
Revises: 0008_print_awaiting_proof
Create Date: 2026-12-03 08:33:08.685842

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_support"
down_revision = "0009_connectors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_name", ["name"], unique=False)
        batch_op.create_index("ix_orders_external_id", ["external_id"], unique=False)
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_render_jobs_request_id", ["request_id"], unique=False)
        batch_op.create_index(
            "ix_render_jobs_brand_failed",
            ["brand_id", "finished_at"],
            unique=False,
            postgresql_where=sa.text("status = 'failed'"),
            sqlite_where=sa.text("status = 'failed'"),
        )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_events_brand_failed",
            ["brand_id", "received_at"],
            unique=False,
            postgresql_where=sa.text("status = 'failed'"),
            sqlite_where=sa.text("status = 'failed'"),
        )
    op.create_table(
        "server_errors",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_server_errors_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_errors")),
    )
    with op.batch_alter_table("server_errors", schema=None) as batch_op:
        batch_op.create_index("ix_server_errors_brand_at", ["brand_id", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_server_errors_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_server_errors_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "support_notes",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=320), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_support_notes_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_notes")),
    )
    with op.batch_alter_table("support_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_notes_brand_id"), ["brand_id"], unique=False)

    op.create_table(
        "token_refresh_attempts",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("install_id", sa.String(length=40), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("brand_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["brand_id"],
            ["brands.id"],
            name=op.f("fk_token_refresh_attempts_brand_id_brands"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["install_id"],
            ["shop_installs.id"],
            name=op.f("fk_token_refresh_attempts_install_id_shop_installs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_token_refresh_attempts")),
    )
    with op.batch_alter_table("token_refresh_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_token_refresh_attempts_brand_id"), ["brand_id"], unique=False
        )
        batch_op.create_index(
            "ix_token_refresh_attempts_install_at", ["install_id", "attempted_at"], unique=False
        )

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_enc", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("api_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("api_token_created_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_staff_users_api_token_hash"), ["api_token_hash"]
        )

    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_events_brand_topic_received",
            ["brand_id", "topic", "received_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_events_brand_failed")
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_render_jobs_brand_failed")
        batch_op.drop_index("ix_render_jobs_request_id")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_external_id")
        batch_op.drop_index("ix_orders_name")
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_events_brand_topic_received")

    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_users_api_token_hash"), type_="unique")
        batch_op.drop_column("api_token_created_at")
        batch_op.drop_column("api_token_hash")
        batch_op.drop_column("session_epoch")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret_enc")

    with op.batch_alter_table("token_refresh_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_token_refresh_attempts_install_at")
        batch_op.drop_index(batch_op.f("ix_token_refresh_attempts_brand_id"))

    op.drop_table("token_refresh_attempts")
    with op.batch_alter_table("support_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_notes_brand_id"))

    op.drop_table("support_notes")
    with op.batch_alter_table("server_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_server_errors_request_id"))
        batch_op.drop_index(batch_op.f("ix_server_errors_created_at"))
        batch_op.drop_index("ix_server_errors_brand_at")

    op.drop_table("server_errors")
