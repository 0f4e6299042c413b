"""Production work of orders: once per design, packaged once per order, stopped on cancel.

* :func:`ensure_production` finalizes a design and queues its production render unless it is
  ready or already in flight; the check and the enqueue run under the design's row lock
  (PostgreSQL), so concurrent handlers queue one render.
* :func:`claim_packaging` moves an order from ``pending`` to ``packaging`` with one
  conditional UPDATE when every producible line's design is done: whoever wins queues the
  one packaging job.
* :func:`on_design_changed` receives the design lifecycle's ``changed`` signal: a design
  whose files are ready (or that failed) may complete the orders waiting on it.
* :func:`stop_pending_production` cancels renders nobody needs any more.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from ..core import uow
from ..designs import lifecycle, proof
from ..designs.service import finalize_design
from ..designs.tasks import queue_production
from ..extensions import db
from ..jobs import enqueue
from ..models import Design, Order, OrderItem, RenderJob

log = logging.getLogger("luneo.orders")

IN_FLIGHT = ("waiting", "queued", "running", "retrying")
PENDING = ("waiting", "queued", "retrying")  # not started yet: safe to cancel
OPEN_ITEM = ("pending",)


def locked_order(order_id: str) -> Order | None:
    """The order, re-read under its row lock (PostgreSQL; SQLite serializes writers)."""
    query = select(Order).where(Order.id == order_id).with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def _locked_design(design_id: str) -> Design | None:
    query = select(Design).where(Design.id == design_id).with_for_update()
    return db.session.scalar(query.execution_options(populate_existing=True))


def design_done(design: Design | None) -> bool:
    """True when the design will not change any more: files ready, or failed."""
    if design is None:
        return True
    return design.status == lifecycle.S.FAILED or (
        design.status == lifecycle.S.PRODUCTION_READY and bool(design.production_keys)
    )


def ensure_production(design_id: str) -> None:
    """Finalize the design and make sure exactly one production render is done or coming."""
    design = _locked_design(design_id)
    if design is None or design.status == lifecycle.S.FAILED:
        db.session.commit()
        return
    if design.finalized_at is None:
        # The shopper has paid: the order is produced as previewed (quality was checked at
        # upload, design and the storefront's finalize), never stranded by a later change.
        finalize_design(design, enqueue_production=False, check_quality=False)  # commits
        design = _locked_design(design_id)
        if design is None:
            db.session.commit()
            return
    if design_done(design) or proof.waiting(design):  # approval queues production
        db.session.commit()
        return
    in_flight = db.session.scalar(
        select(RenderJob.id)
        .where(
            RenderJob.design_id == design_id,
            RenderJob.kind == "production",
            RenderJob.status.in_(IN_FLIGHT),
        )
        .limit(1)
    )
    if in_flight is not None:
        db.session.commit()
        return
    # The job row commits while the design row is still locked, then it is published.
    queue_production(design)
    uow.commit()


def claim_packaging(order_id: str) -> bool:
    """Queue the order's packaging job if every producible line is done and nobody has.

    Returns True when this call queued it.
    """
    from .tasks import package_order

    order = locked_order(order_id)
    if order is None or order.status == "cancelled" or order.production_status != "pending":
        db.session.rollback()
        return False
    items = db.session.scalars(
        select(OrderItem).where(OrderItem.order_id == order_id, OrderItem.design_id.is_not(None))
    ).all()
    waiting = [i for i in items if i.production_status in OPEN_ITEM]
    if not waiting or not all(design_done(db.session.get(Design, i.design_id)) for i in waiting):
        db.session.rollback()
        return False
    claimed = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.production_status == "pending")
        .values(production_status="packaging")
    ).rowcount
    if not claimed:  # only without row locks (SQLite): another caller was first
        db.session.rollback()
        return False
    # The claim and the job row commit together.
    enqueue(package_order, kind="package", brand_id=order.brand_id, args=(order_id,))
    uow.commit()
    return True


def on_design_changed(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle receiver: a design whose files are ready, or that failed, may complete
    orders."""
    if change.new in lifecycle.TERMINAL and change.old != change.new:
        design_production_ready(design.id)


def design_production_ready(design_id: str) -> None:
    """Package the open orders this design completes. Never raises: the design is done."""
    try:
        order_ids = db.session.scalars(
            select(OrderItem.order_id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(
                OrderItem.design_id == design_id,
                OrderItem.production_status.in_(OPEN_ITEM),
                Order.status != "cancelled",
            )
            .distinct()
        ).all()
        db.session.commit()
        for order_id in order_ids:
            claim_packaging(order_id)
    except Exception:  # noqa: BLE001 - the sweep (purge-expired) packages what was missed
        db.session.rollback()
        log.exception("orders hook failed for design %s", design_id)


def on_design_retried(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle ``changing`` receiver: support retried a failed design, so the order lines
    that failed with it wait for it again (in the retry's own transaction): each line is
    pending again, its ``design_failed`` problem is dropped, and an order already packaged
    without it is packaged and written back again once the design is done."""
    if change.old != lifecycle.S.FAILED or change.event != "retried":
        return
    items = db.session.scalars(
        select(OrderItem)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.design_id == design.id,
            OrderItem.production_status == "failed",
            Order.status != "cancelled",
        )
    ).all()
    for item in items:
        item.production_status, item.problem = "pending", None
        order = db.session.get(Order, item.order_id)
        if order is None:
            continue
        order.problems = [
            p
            for p in order.problems or []
            if not (p.get("code") == "design_failed" and p.get("lineItemId") == item.line_item_id)
        ]
        if order.production_status in ("ready", "failed", "problem"):
            order.production_status = "pending"
            order.written_back_at = None


def on_design_back_in_line(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle ``changed`` receiver: a retried design (or its artwork made after a retry)
    that open orders wait for gets its production going, as order intake does."""
    if change.event not in ("retried", "artwork_made") or change.new == lifecycle.S.GENERATING:
        return
    waiting = db.session.scalar(
        select(OrderItem.id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.design_id == design.id,
            OrderItem.production_status.in_(OPEN_ITEM),
            Order.status != "cancelled",
        )
        .limit(1)
    )
    if waiting is not None:
        ensure_production(design.id)


def stop_pending_production(order: Order) -> int:
    """Cancel production renders of the order's designs that no other open order needs.

    Renders already running finish (their files are kept); returns how many were cancelled.
    The caller commits.
    """
    design_ids = db.session.scalars(
        select(OrderItem.design_id).where(
            OrderItem.order_id == order.id, OrderItem.design_id.is_not(None)
        )
    ).all()
    if not design_ids:
        return 0
    needed = db.session.scalars(
        select(OrderItem.design_id)
        .join(Order, Order.id == OrderItem.order_id)
        .where(
            OrderItem.design_id.in_(design_ids),
            OrderItem.order_id != order.id,
            Order.status != "cancelled",
        )
    ).all()
    idle = sorted(set(design_ids) - set(needed))
    if not idle:
        return 0
    return db.session.execute(
        update(RenderJob)
        .where(
            RenderJob.design_id.in_(idle),
            RenderJob.kind == "production",
            RenderJob.status.in_(PENDING),
        )
        .values(status="cancelled", error="the order was cancelled")
    ).rowcount
