"""People who sign in to the brand console (API brands), and their refresh tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import ID, BrandOwned, Timestamps, id_column, json_column


class Account(BrandOwned, Timestamps, db.Model):
    """A team member of an API brand: an email, a password, a role.

    One account belongs to one brand (an email signs in to one brand). ``status`` is
    ``invited`` until the invitation is accepted, then ``active``; ``deactivated`` when the
    brand's identity provider turned it off (SCIM); ``session_epoch`` grows
    when every session and token of the account must end (password reset, removal).
    """

    __tablename__ = "accounts"

    id: Mapped[str] = id_column("acc")
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(16))  # owner | admin | developer | viewer
    status: Mapped[str] = mapped_column(String(16), default="active")
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    totp_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recovery_codes: Mapped[list[str]] = json_column([])  # SHA-256 of each unused code
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    invited_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Set by the brand's identity provider (SCIM ``externalId``; SAML just-in-time accounts).
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    family_name: Mapped[str] = mapped_column(String(255), default="")
    given_name: Mapped[str] = mapped_column(String(255), default="")
    provisioned_by: Mapped[str | None] = mapped_column(String(8), nullable=True)  # scim | saml
    # The SCIM enterprise extension as the IdP sent it (employeeNumber, department, manager...).
    scim_enterprise: Mapped[dict[str, Any] | None] = json_column(None, nullable=True)

    refresh_tokens: Mapped[list[RefreshToken]] = relationship(
        back_populates="account", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def verified(self) -> bool:
        return self.email_verified_at is not None


class RefreshToken(BrandOwned, db.Model):
    """One refresh token of a sign-in ``family``; only a SHA-256 of it is stored.

    Each refresh uses the token up and issues the next one of the family; presenting a used
    or revoked token again revokes the whole family (someone copied it).
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[str] = id_column("rft")
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    family_id: Mapped[str] = mapped_column(String(40), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    auth_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    account: Mapped[Account] = relationship(back_populates="refresh_tokens")
