"""A brand's connection to its own commerce platform (generic REST or WooCommerce).

Shopify shops keep their :class:`~.tenancy.ShopInstall`; every other platform a brand sells
on is one row here. Credentials and secrets are encrypted with the app's keyring.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, Timestamps, id_column, json_column


class CommerceConnection(BrandOwned, Timestamps, db.Model):
    """One brand's store on a platform other than Shopify.

    ``store_url`` is the REST API base URL, or the WooCommerce site URL. ``credential_enc``
    holds the brand's API key (REST) or ``{"key", "secret"}`` JSON (WooCommerce consumer
    key). ``inbound_secret_enc`` signs what the store sends Luneo (REST order events,
    WooCommerce webhooks); ``outbound_url`` / ``outbound_secret_enc`` are where and how
    Luneo's write-back events go (REST). ``status`` is ``pending`` (authorisation asked),
    ``connected``, or ``failing`` (the store refused the key or disabled a webhook).
    """

    __tablename__ = "commerce_connections"
    __table_args__ = (UniqueConstraint("brand_id"),)

    id: Mapped[str] = id_column("con")
    platform: Mapped[str] = mapped_column(String(16))  # rest | woocommerce
    status: Mapped[str] = mapped_column(String(16), default="pending")
    store_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    credential_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    inbound_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    outbound_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    outbound_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The delivery-URL token of WooCommerce webhooks (``/woocommerce/webhooks/<token>/...``).
    hook_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    # WooCommerce: {topic: {"id": webhook id, "status": "active" | "disabled" ...}}
    webhooks: Mapped[dict[str, Any]] = json_column({})
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_event_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # When the store first refused Luneo's key in the current incident (the brand is emailed
    # then, once); None while the key works.
    key_refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
