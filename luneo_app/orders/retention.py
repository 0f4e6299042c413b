"""Retention: production files are kept while an order is open, then for the brand's
retention period (``settings["retentionDays"]``, default ``ORDER_RETENTION_DAYS``) after it
closed or was cancelled.

Celery beat is not part of the default deployment: run ``flask luneo purge-expired`` from
cron (daily is enough), or schedule the ``luneo.orders.purge_expired`` task with beat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from ..billing import retention as billing_retention
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import Brand, Order, OrderItem
from .files import order_folder
from .production import claim_packaging

log = logging.getLogger("luneo.orders")

MIN_DAYS, MAX_DAYS = 1, 3650


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed."""

    orders: int
    files: int


def retention_days(brand: Brand) -> int:
    """The brand's retention period in days: billing decides (the plan's longest, the
    brand's setting within it)."""
    return max(MIN_DAYS, min(billing_retention.retention_days(brand), MAX_DAYS))


def purge_expired(now: datetime | None = None, limit: int = 1000) -> PurgeReport:
    """Remove the files of orders closed or cancelled longer ago than their retention.

    The order rows stay (the merchant's history); their file references are cleared and
    ``files_purged_at`` is set. Safe to run at any time and more than once.
    """
    now = now or utcnow()
    storage = current_app.extensions["luneo.storage"]
    candidates = db.session.execute(
        select(Order, Brand)
        .join(Brand, Brand.id == Order.brand_id)
        .where(
            Order.status.in_(("closed", "cancelled")),
            Order.closed_at.is_not(None),
            Order.closed_at < now - timedelta(days=MIN_DAYS),
            Order.files_purged_at.is_(None),
        )
        .order_by(Order.closed_at)
        .limit(limit)
    ).all()
    orders = files = 0
    for order, brand in candidates:
        if as_utc(order.closed_at) + timedelta(days=retention_days(brand)) > now:
            continue
        files += storage.delete_prefix(order_folder(order))
        db.session.execute(update(OrderItem).where(OrderItem.order_id == order.id).values(files={}))
        order.zip_key = None
        order.files_purged_at = now
        db.session.commit()
        orders += 1
        log.info("production files of order %s removed (retention)", order.id)
    db.session.rollback()
    return PurgeReport(orders=orders, files=files)


def resume_stuck_orders(limit: int = 500) -> int:
    """Queue packaging for orders whose last design finished without telling (a failed
    render has no hook); returns how many were queued."""
    order_ids = db.session.scalars(
        select(Order.id)
        .where(Order.status != "cancelled", Order.production_status == "pending")
        .order_by(Order.created_at)
        .limit(limit)
    ).all()
    db.session.rollback()
    return sum(1 for order_id in order_ids if claim_packaging(order_id))
