"""Enterprise sign-in: SAML identity providers (per brand, and one for Luneo staff), SCIM
bearer tokens and the SCIM groups that give roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .accounts import Account
from .base import ID, BrandOwned, Timestamps, id_column, json_column


class SamlIdentityProvider(Timestamps, db.Model):
    """The identity provider of one brand (``realm="brand"``) or of Luneo's staff
    (``realm="staff"``, no brand): its metadata (fetched from ``metadata_url`` or pasted)
    and how its attributes map onto an account.

    ``require_sso`` refuses password sign-in to the brand's members except the
    ``break_glass_account_id`` (the owner unless set).
    """

    __tablename__ = "saml_identity_providers"
    __table_args__ = (UniqueConstraint("realm", "brand_id", name="uq_saml_idp_realm_brand"),)

    id: Mapped[str] = id_column("idp")
    realm: Mapped[str] = mapped_column(String(8), default="brand")  # brand | staff
    brand_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("brands.id", ondelete="CASCADE"), nullable=True, index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    metadata_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    metadata_xml: Mapped[str] = mapped_column(Text, default="")
    idp_entity_id: Mapped[str] = mapped_column(String(1024), default="")
    metadata_fetched_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # {"email": attr, "firstName": attr, "lastName": attr, "groups": attr}
    attribute_map: Mapped[dict[str, str]] = json_column({})
    # {"IdP group name": "admin" | "developer" | "viewer"}
    group_roles: Mapped[dict[str, str]] = json_column({})
    default_role: Mapped[str | None] = mapped_column(String(16), nullable=True)  # None: no JIT
    require_sso: Mapped[bool] = mapped_column(Boolean, default=False)
    break_glass_account_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The scheduled refresh of ``metadata_url``: the last failure (the stored metadata, the
    # last good one, stays in use).
    metadata_refresh_failed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    metadata_refresh_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class SamlSpKey(db.Model):
    """The service provider's own key pair for one realm (brand id or ``staff``): it signs
    our AuthnRequests and decrypts encrypted assertions; the certificate is published in
    the SP metadata. The private key is encrypted at rest with the app's keyring."""

    __tablename__ = "saml_sp_keys"

    realm_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    certificate_pem: Mapped[str] = mapped_column(Text)
    private_key_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScimToken(BrandOwned, db.Model):
    """A brand's SCIM bearer token; only its SHA-256 is kept (shown once at creation)."""

    __tablename__ = "scim_tokens"

    id: Mapped[str] = id_column("sct")
    name: Mapped[str] = mapped_column(String(120), default="")
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


scim_group_members = Table(
    "scim_group_members",
    db.metadata,
    Column("group_id", ID, ForeignKey("scim_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("account_id", ID, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
)


class ScimGroup(BrandOwned, Timestamps, db.Model):
    """A group pushed by the brand's identity provider; its members take the role that the
    brand's group mapping gives its ``display_name``."""

    __tablename__ = "scim_groups"
    __table_args__ = (UniqueConstraint("brand_id", "display_name", name="uq_scim_group_name"),)

    id: Mapped[str] = id_column("grp")
    display_name: Mapped[str] = mapped_column(String(255))
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[Account]] = relationship(secondary=scim_group_members, lazy="selectin")
