"""Billing: each brand's billing account, every billable event once, plan alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import BrandOwned, Timestamps, id_column, json_column


class BillingAccount(BrandOwned, Timestamps, db.Model):
    """How a brand pays: a Shopify app subscription (merchants) or a Stripe customer and
    subscription (API brands). One per brand; ``Brand.plan`` is the plan in force."""

    __tablename__ = "billing_accounts"
    __table_args__ = (UniqueConstraint("brand_id"),)

    id: Mapped[str] = id_column("bac")
    provider: Mapped[str] = mapped_column(String(16))  # shopify | stripe
    customer_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    subscription_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    # Shopify: the usage line item's id (appUsageRecordCreate needs it).
    usage_item_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # none | pending | active | trialing | past_due | cancelled | declined | expired
    status: Mapped[str] = mapped_column(String(16), default="none")
    pending_plan: Mapped[str | None] = mapped_column(String(32), nullable=True)
    pending_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    capped_amount_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    current_period_end: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    payment_failed_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    grace_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The provider's newest change applied (stale webhooks are ignored).
    source_updated_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    details: Mapped[dict[str, Any]] = json_column({})


class BillableEvent(BrandOwned, db.Model):
    """One billable event, recorded once: the unique (brand, idempotency key) makes a retry
    or a duplicate webhook the same row. ``report_status`` follows its charge at the
    provider: ``included`` (within the plan, nothing to charge), ``pending``, ``reported``,
    ``held`` (would pass the Shopify capped amount), ``unbilled`` (no billing account)."""

    __tablename__ = "billable_events"
    __table_args__ = (
        UniqueConstraint("brand_id", "idempotency_key"),
        Index("ix_billable_brand_period_kind", "brand_id", "period", "kind"),
        Index("ix_billable_report_status", "report_status"),
    )

    id: Mapped[str] = id_column("bev")
    kind: Mapped[str] = mapped_column(String(16))  # designs | aiImages | bakes3d
    idempotency_key: Mapped[str] = mapped_column(String(128))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    overage: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_price_cents: Mapped[int] = mapped_column(Integer, default=0)
    report_status: Mapped[str] = mapped_column(String(16), default="included")
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any]] = json_column({})


class PlanAlert(BrandOwned, db.Model):
    """A brand's use of one allowance crossed 75 % or 100 % of its plan (once a month each)."""

    __tablename__ = "plan_alerts"
    __table_args__ = (UniqueConstraint("brand_id", "period", "metric", "threshold_percent"),)

    id: Mapped[str] = id_column("pal")
    period: Mapped[str] = mapped_column(String(7))
    metric: Mapped[str] = mapped_column(String(16))
    threshold_percent: Mapped[int] = mapped_column(Integer)
    used: Mapped[int] = mapped_column(Integer)
    included: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
