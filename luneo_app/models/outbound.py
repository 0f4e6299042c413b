"""Outbound webhooks: every event Luneo sends to a brand's endpoint and how delivery went."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, Timestamps, id_column, json_column


class OutboundDelivery(BrandOwned, Timestamps, db.Model):
    """One event for a brand's webhook URL: its exact body, attempts and outcome.

    ``event_id`` is what the receiver deduplicates on; it and ``body`` never change across
    retries (only the signature's timestamp does). ``dedup_key`` makes emitting the same
    domain event twice (``order.production_ready:ord_...``) a no-op. ``history`` keeps the
    last attempts for the delivery log.
    """

    __tablename__ = "outbound_deliveries"
    __table_args__ = (
        UniqueConstraint("brand_id", "dedup_key"),
        Index("ix_outbound_deliveries_due", "status", "next_attempt_at"),
        Index("ix_outbound_deliveries_brand_created", "brand_id", "created_at"),
    )

    id: Mapped[str] = id_column("obd")
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str | None] = mapped_column(String(191), nullable=True)
    url: Mapped[str] = mapped_column(String(2048))
    body: Mapped[str] = mapped_column(Text)
    # pending | sending | retrying | succeeded | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    history: Mapped[list[dict[str, Any]]] = json_column([])
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
