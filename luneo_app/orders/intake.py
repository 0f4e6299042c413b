"""Taking in an order: one ``orders`` row per store order, one ``order_items`` row per line.

:func:`sync_order` is what ``orders/create`` and ``orders/updated`` (and ``POST /v1/orders``)
run. It is idempotent and safe to run concurrently for the same order, whatever event id
each delivery carries: the order row is inserted with ``ON CONFLICT DO NOTHING`` on
(brand, platform, external id), lines on (order, line item id), then work continues under the
order's row lock; production is queued once per design (:mod:`.production`).

A line naming a design Luneo does not know, or a design of another shop, is recorded as an
order problem (shown in the admin); the other lines go on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import LineItem, OrderInfo

from ..billing import metering
from ..core.clock import as_utc, utcnow
from ..core.ids import new_id
from ..designs import lifecycle
from ..extensions import db
from ..jobs.scheduler import dispatch
from ..models import Brand, Design, Order, OrderItem
from .fees import check_fees
from .photo_quality import check_photos
from .problems import add_problem
from .production import claim_packaging, ensure_production, locked_order, stop_pending_production

log = logging.getLogger("luneo.orders")

_DESIGN_ID = re.compile(r"^des_[a-z2-7]{24}$")


@dataclass(frozen=True)
class Intake:
    """What :func:`sync_order` did, for the webhook log and the API."""

    order_id: str | None
    created: bool
    new_lines: int
    note: str


def _insert(model: Any, values: dict[str, Any], conflict: list[str] | None) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row was inserted."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values)
    statement = (
        statement.on_conflict_do_nothing(index_elements=conflict)
        if conflict
        else (statement.on_conflict_do_nothing())
    )
    return db.session.execute(statement.returning(model.id)).scalar() is not None


def insert_order(brand_id: str, platform: str, info: OrderInfo, **extra: Any) -> bool:
    """Insert the order row unless it exists (any unique constraint); True when inserted.

    ``extra`` sets more columns (``shipping``, ``idempotency_key``, ``request_hash``).
    The caller commits.
    """
    now = utcnow()
    values = {
        "id": new_id("ord"),
        "brand_id": brand_id,
        "platform": platform,
        "external_id": info.external_id,
        "name": info.name,
        "status": "open",
        "production_status": "pending",
        "customer_ref": info.customer_ref,
        "problems": [],
        "source_updated_at": info.updated_at,
        "created_at": now,
        "updated_at": now,
        **extra,
    }
    return _insert(Order, values, None)


def find_order(brand_id: str, platform: str, external_id: str) -> Order | None:
    """The brand's order for a store order id, if Luneo has it."""
    return db.session.scalar(
        select(Order).where(
            Order.brand_id == brand_id,
            Order.platform == platform,
            Order.external_id == external_id,
        )
    )


def sync_order(brand: Brand, platform: str, info: OrderInfo) -> Intake:
    """Create or update the order and its lines, then get their production going. Commits."""
    existing = find_order(brand.id, platform, info.external_id)
    if existing is None and not info.design_lines:
        return Intake(None, False, 0, "no Luneo designs in this order")
    created = False
    if existing is None:
        created = insert_order(brand.id, platform, info)
        db.session.commit()
        existing = find_order(brand.id, platform, info.external_id)
        if existing is None:  # pragma: no cover - the insert or a concurrent one made it
            raise RuntimeError("the order could not be inserted")
    order_id = existing.id

    order = locked_order(order_id)
    _apply_status(order, info)
    new_lines = _add_lines(order, brand.id, info.design_lines)
    if new_lines:
        check_fees(order, brand, info.line_items)
        check_photos(order, brand)  # a minDpi raised since the shopper's preview
    producible = db.session.scalars(
        select(OrderItem.design_id).where(
            OrderItem.order_id == order_id,
            OrderItem.design_id.is_not(None),
            OrderItem.production_status == "pending",
        )
    ).all()
    if order.status != "cancelled":
        if producible and order.production_status in ("ready", "failed", "problem"):
            # New lines after the order was packaged: package it again (and write it back).
            order.production_status = "pending"
            order.written_back_at = None
        elif not producible and order.production_status == "pending":
            has_lines = db.session.scalar(
                select(OrderItem.id).where(
                    OrderItem.order_id == order_id, OrderItem.production_status == "ready"
                )
            )
            order.production_status = "ready" if has_lines else "problem"
    status = order.status
    db.session.commit()

    if status == "cancelled":
        cancel_order(order_id)
        return Intake(order_id, created, new_lines, "order cancelled: pending production stopped")
    for design_id in sorted(set(producible)):
        ensure_production(design_id)
    claim_packaging(order_id)
    note = f"{'created' if created else 'updated'}: {new_lines} new line(s)"
    return Intake(order_id, created, new_lines, note)


def _apply_status(order: Order, info: OrderInfo) -> None:
    """Take the store's name and status unless this change is older than one already seen."""
    seen = as_utc(order.source_updated_at)
    incoming: datetime | None = info.updated_at
    if seen is not None and incoming is not None and incoming < seen:
        return
    order.source_updated_at = incoming or order.source_updated_at
    order.name = info.name or order.name
    order.customer_ref = info.customer_ref or order.customer_ref
    if order.status == "cancelled":
        return  # cancelled is final
    if info.status in ("cancelled", "closed") and order.status != info.status:
        order.status = info.status
        order.closed_at = order.closed_at or utcnow()
    elif info.status == "open" and order.status == "closed":
        order.status, order.closed_at = "open", None  # reopened in the store


def _add_lines(order: Order, brand_id: str, lines: tuple[LineItem, ...]) -> int:
    """Insert lines not seen before; foreign or unknown designs become order problems."""
    known = set(
        db.session.scalars(select(OrderItem.line_item_id).where(OrderItem.order_id == order.id))
    )
    added = 0
    for line in lines:
        if line.external_id in known:
            continue
        design_ref = line.design_id or ""
        design = None
        if _DESIGN_ID.match(design_ref):
            design = db.session.scalar(
                select(Design).where(Design.id == design_ref, Design.brand_id == brand_id)
            )
        values: dict[str, Any] = {
            "id": new_id("itm"),
            "brand_id": brand_id,
            "order_id": order.id,
            "line_item_id": line.external_id[:128],
            "line_number": line.line_number,
            "quantity": line.quantity,
            "title": line.title[:255],
            "files": {},
            "created_at": utcnow(),
            "updated_at": utcnow(),
        }
        problem: tuple[str, str] | None = None
        if design is None:
            # Unknown and other shops' designs read the same: nothing leaks across shops.
            problem = (
                "unknown_design",
                f"Line {line.line_number}: design {design_ref[:64]!r} "
                "is not a design of this shop; nothing will be produced for it.",
            )
            values.update(design_id=None, production_status="problem", problem=problem[1])
        elif design.status == lifecycle.S.FAILED:
            problem = ("design_failed", f"Line {line.line_number}: the design failed to render.")
            values.update(design_id=design.id, production_status="failed", problem=problem[1])
        else:
            values.update(design_id=design.id, production_status="pending", problem=None)
        if not _insert(OrderItem, values, ["order_id", "line_item_id"]):
            continue
        added += 1
        if values["production_status"] == "pending":
            # Billable once per design, however many orders or lines name it. Never a gate:
            # a paid order is produced whatever the plan says.
            metering.record(
                brand_id, "designs", f"design:{values['design_id']}", details={"order": order.id}
            )
        if problem is not None:
            log.warning("order %s: %s", order.id, problem[0], extra={"line": line.line_number})
            add_problem(
                order,
                problem[0],
                problem[1],
                lineItemId=line.external_id[:128],
                lineNumber=line.line_number,
                designId=design_ref[:64] or None,
            )
    return added


def cancel_order(order_id: str) -> int:
    """Mark the order cancelled and stop production nobody needs; returns renders stopped.

    Files already made are kept until the retention period ends. Commits.
    """
    order = locked_order(order_id)
    if order is None:
        db.session.rollback()
        return 0
    if order.status != "cancelled":
        order.status = "cancelled"
        order.closed_at = order.closed_at or utcnow()
    if order.production_status != "ready":
        order.production_status = "cancelled"
    items = db.session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)).all()
    for item in items:
        if item.production_status == "pending":
            item.production_status = "cancelled"
    stopped = stop_pending_production(order)
    db.session.commit()
    if stopped:
        try:
            dispatch("production")  # the freed slots go to other waiting renders now
        except Exception:  # noqa: BLE001 - the next finished render dispatches anyway
            log.exception("dispatch after cancelling order %s failed", order_id)
    return stopped
