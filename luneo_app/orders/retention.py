"""Retention: production files are kept while an order is open, then for the brand's
retention period (``settings["retentionDays"]``, default ``ORDER_RETENTION_DAYS``) after it
closed or was cancelled. The order's designs then lose their rendered print files too (when
no other order still holds files of them) but keep the minimal snapshot a reprint needs: the
design row with its frozen spec (``snapshot``) and the source uploads it names, so
``orders/reprint.py`` renders identical files again.

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
from ..designs import lifecycle
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand, Design, Order, OrderItem
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
        files += _drop_design_renders(order, storage)
        db.session.execute(update(OrderItem).where(OrderItem.order_id == order.id).values(files={}))
        order.zip_key = None
        order.files_purged_at = now
        db.session.commit()
        orders += 1
        log.info("production files of order %s removed (retention)", order.id)
    db.session.rollback()
    return PurgeReport(orders=orders, files=files)


def _drop_design_renders(order: Order, storage: object) -> int:
    """Remove the print files of the order's designs that no other order with files still
    needs; their snapshot and uploads stay for a reprint. Returns how many files went."""
    other = (
        select(OrderItem.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.design_id == Design.id,
            Order.id != order.id,
            Order.files_purged_at.is_(None),
        )
    )
    designs = db.session.scalars(
        select(Design).where(
            Design.id.in_(select(OrderItem.design_id).where(OrderItem.order_id == order.id)),
            ~other.exists(),
        )
    ).all()
    removed = 0
    for design in designs:
        if not design.production_keys:
            continue
        prefix = f"{brand_prefix(design.brand_id)}designs/{design.id}/production/"
        removed += storage.delete_prefix(prefix)  # type: ignore[attr-defined]
        lifecycle.production_files_removed(design)
    return removed


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
