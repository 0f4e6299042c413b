"""Usage and cost records, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import ID, BrandOwned, id_column, json_column


class UsageRecord(BrandOwned, db.Model):
    """One billable event (an AI image, a moderation call ...) with its cost in cents."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_brand_month", "brand_id", "month"),)

    id: Mapped[str] = id_column("use")
    kind: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    design_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    units: Mapped[int] = mapped_column(Integer, default=1)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    details: Mapped[dict[str, Any]] = json_column({})


class AuditEvent(db.Model):
    """What was done, by whom, to what. ``brand_id`` is null for platform-level events
    (for example the record that a shop's data was erased, which must outlive the shop)."""

    __tablename__ = "audit_events"

    id: Mapped[str] = id_column("aud")
    brand_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("brands.id", ondelete="SET NULL"), nullable=True, index=True
    )
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    target_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    details: Mapped[dict[str, Any]] = json_column({})
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
