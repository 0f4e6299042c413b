"""Tenants and the people and keys that act for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, Timestamps, id_column, json_column


class Brand(Timestamps, db.Model):
    """A tenant: a Shopify shop or an API brand."""

    __tablename__ = "brands"

    id: Mapped[str] = id_column("brd")
    kind: Mapped[str] = mapped_column(String(16))  # shopify | api
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    plan: Mapped[str] = mapped_column(String(32), default="free")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    settings: Mapped[dict[str, Any]] = json_column({})
    monthly_ai_budget_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    webhook_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    # After a rotation the previous secret still signs (beside the new one) until then.
    webhook_secret_old_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    webhook_secret_old_until: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # When the owner asked for every datum of the brand to be erased: the erasure runs at
    # this time unless cancelled before (``DELETE /v1/brands/{id}/data``).
    erasure_due_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, index=True
    )


class ShopInstall(BrandOwned, Timestamps, db.Model):
    """A Shopify shop's install: its encrypted tokens, scopes and webhook health."""

    __tablename__ = "shop_installs"

    id: Mapped[str] = id_column("ins")
    shop_domain: Mapped[str] = mapped_column(String(255), unique=True)
    # Shopify's numeric shop id (from the ``shop`` query at install and token exchange): the
    # privacy webhooks name the shop by it inside the signed body.
    shop_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    access_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    token_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)  # expiring | legacy
    scopes: Mapped[str] = mapped_column(Text, default="")
    # Luneo's Cart Transform on the shop (gid), made at install: the personalization fee is
    # then carried at its exact price. None: fee-product units (the storefront's fallback).
    cart_transform_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    api_version: Mapped[str] = mapped_column(String(16), default="")
    storefront_domains: Mapped[list[str]] = json_column([])
    installed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    uninstalled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_webhook_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    webhook_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class User(BrandOwned, Timestamps, db.Model):
    """A merchant's staff member seen through Shopify session tokens (or a brand login)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("brand_id", "external_id"),)

    id: Mapped[str] = id_column("usr")
    external_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StaffUser(Timestamps, db.Model):
    """Luneo support staff (the support console). Not tenant-owned."""

    __tablename__ = "staff_users"

    id: Mapped[str] = id_column("stf")
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), default="support")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # TOTP secret, encrypted with the app keyring; set once enrolment is confirmed.
    totp_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Grows to end every console session of the user (password change, deactivation).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    # SHA-256 of the user's API token for scripts (the cost report), if one was made.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    api_token_created_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ApiKey(BrandOwned, Timestamps, db.Model):
    """An API key of a brand: only its prefix and a hash of the secret are stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = id_column("key")
    name: Mapped[str] = mapped_column(String(255), default="")
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = json_column([])
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # A rotated key keeps working until then (the overlap window), then is refused.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The member who made it (None from the command line): their keys end with them (SCIM).
    created_by: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
