"""Orders that carry designs, their line items, and inbound webhook events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import ID, BrandOwned, Timestamps, id_column, json_column


class Order(BrandOwned, Timestamps, db.Model):
    """A store order (Shopify or API brand) that carries at least one Luneo design."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("brand_id", "platform", "external_id"),
        UniqueConstraint("brand_id", "idempotency_key"),
        # support search finds orders by name or platform id across brands
        Index("ix_orders_name", "name"),
        Index("ix_orders_external_id", "external_id"),
    )

    id: Mapped[str] = id_column("ord")
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cancelled | closed
    production_status: Mapped[str] = mapped_column(String(24), default="pending")
    customer_ref: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    shipping: Mapped[dict[str, Any] | None] = json_column(None, nullable=True)
    problems: Mapped[list[dict[str, Any]]] = json_column([])
    zip_key: Mapped[str | None] = mapped_column(String(512), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    written_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    source_updated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    # When the order stopped being open (closed or cancelled): the retention clock starts.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # When the retention policy removed the order's production files.
    files_purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OrderItem(BrandOwned, Timestamps, db.Model):
    """A line of an order and the design it carries, with its production files."""

    __tablename__ = "order_items"
    __table_args__ = (UniqueConstraint("order_id", "line_item_id"),)

    id: Mapped[str] = id_column("itm")
    order_id: Mapped[str] = mapped_column(
        ID, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    design_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("designs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    line_item_id: Mapped[str] = mapped_column(String(128))
    line_number: Mapped[int] = mapped_column(Integer, default=1)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(255), default="")
    production_status: Mapped[str] = mapped_column(String(24), default="pending")
    files: Mapped[dict[str, Any]] = json_column({})
    problem: Mapped[str | None] = mapped_column(Text, nullable=True)


class WebhookEvent(db.Model):
    """An inbound webhook delivery; the unique (platform, event id) makes handling idempotent.

    ``brand_id`` is nullable: a delivery can name a shop Luneo no longer (or never) knew.
    """

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("platform", "event_id"),
        # A captured body replayed under a new webhook id is the same delivery.
        UniqueConstraint("platform", "shop_domain", "topic", "body_sha256"),
        # the support console counts a brand's deliveries per topic over 24 h and 7 days
        Index("ix_webhook_events_brand_topic_received", "brand_id", "topic", "received_at"),
        # the "webhooks failing" health badge: a brand's failed deliveries, without its others
        Index(
            "ix_webhook_events_brand_failed",
            "brand_id",
            "received_at",
            postgresql_where=text("status = 'failed'"),
            sqlite_where=text("status = 'failed'"),
        ),
    )

    id: Mapped[str] = id_column("whe")
    brand_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("brands.id", ondelete="CASCADE"), nullable=True, index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(64))
    shop_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    resource_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    triggered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="received")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The raw body until the delivery is handled, then cleared (it may carry personal data).
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    # SHA-256 of the signed body: kept after the payload is cleared, for deduplication.
    body_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What handling did, for people reading the log: "no handler", "stale", "unknown shop".
    note: Mapped[str | None] = mapped_column(String(255), nullable=True)
