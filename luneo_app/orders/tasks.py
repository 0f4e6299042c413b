"""Order jobs: packaging (files under stable names, the zip, the write-back, the event) and
the periodic retention purge.
"""

from __future__ import annotations

import logging

from celery import shared_task
from sqlalchemy import select

from ..core import uow
from ..extensions import db
from ..jobs import tracked_task
from ..models import Brand, Design, Order, OrderItem, RenderJob
from ..outbound.events import order_production_ready
from ..realtime import publish
from .files import build_zip, copy_line_files
from .problems import add_problem
from .production import claim_packaging, locked_order
from .writeback import write_back

log = logging.getLogger("luneo.orders")


@tracked_task("luneo.orders.package", time_limit=300, soft_time_limit=280)
def package_order(job: RenderJob, order_id: str) -> None:
    """Copy every finished line's files under stable names, zip them, write the order back
    to its store and send ``order.production_ready``. Safe to run again."""
    order = db.session.get(Order, order_id)
    if order is None or order.brand_id != job.brand_id:
        return
    if order.status == "cancelled":
        order.production_status = "cancelled"
        db.session.commit()
        return
    items = db.session.scalars(
        select(OrderItem)
        .where(OrderItem.order_id == order_id, OrderItem.design_id.is_not(None))
        .order_by(OrderItem.line_number)
    ).all()
    failed = []
    for item in items:
        if item.production_status != "pending":
            continue
        design = db.session.get(Design, item.design_id)
        if design is None or design.status == "failed":
            item.production_status = "failed"
            item.problem = "The design could not be rendered for production."
            failed.append(item)
        elif design.status == "production_ready" and design.production_keys:
            item.files = copy_line_files(order, item, design)
            item.production_status = "ready"
    db.session.commit()
    # Under the order's lock: a line added meanwhile (orders/updated) is either seen here or
    # finds the order no longer packaging and queues the next packaging itself.
    order = locked_order(order_id)
    for item in failed:
        add_problem(
            order,
            "design_failed",
            f"Line {item.line_number}: the design could not be rendered for production.",
            lineItemId=item.line_item_id,
            lineNumber=item.line_number,
            designId=item.design_id,
        )
    items = db.session.scalars(
        select(OrderItem)
        .where(OrderItem.order_id == order_id, OrderItem.design_id.is_not(None))
        .order_by(OrderItem.line_number)
    ).all()
    if any(item.production_status == "pending" for item in items):
        order.production_status = "pending"
        db.session.commit()
        claim_packaging(order_id)  # queues again at once if those designs are done too
        return
    ready = [item for item in items if item.production_status == "ready"]
    if not ready:
        order.production_status = "failed"
        db.session.commit()
        return
    order.zip_key = build_zip(order, ready)
    order.production_status = "ready"
    db.session.commit()
    publish(order.brand_id, "order.production_ready", {"orderId": order.id})
    note = write_back(order_id)
    log.info("order %s packaged: %s", order_id, note)
    brand = db.session.get(Brand, order.brand_id)
    if brand is not None:
        from .describe import describe_order

        order_production_ready(brand, describe_order(order, lasting_links=True))
        uow.commit()


def _packaging_failed(job: RenderJob, exc: BaseException) -> None:
    """After the last attempt: say what failed on the order, for the merchant."""
    order_id = (job.payload or {}).get("args", [None])[0]
    order = db.session.get(Order, order_id) if order_id else None
    if order is None:
        return
    if order.production_status == "packaging":
        order.production_status = "failed"
        add_problem(order, "packaging_failed", f"Packaging the production files failed: {exc}")
    else:
        add_problem(order, "write_back_failed", f"Writing the designs to the store failed: {exc}")
    db.session.commit()


package_order.job_function.on_failure = _packaging_failed


@shared_task(name="luneo.orders.purge_expired", ignore_result=True)
def purge_expired_task() -> dict:
    """Periodic (beat or cron): remove expired production files, resume stuck orders (designs
    without an order, drafts included: ``luneo.designs.purge_expired``)."""
    from .retention import purge_expired, resume_stuck_orders

    return {"purged": purge_expired().orders, "resumed": resume_stuck_orders()}
