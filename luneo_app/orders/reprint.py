"""Reprint: render again the production files of an order whose files retention removed.

After retention (``orders/retention.py``) an order keeps its rows, and each design keeps its
frozen snapshot (the spec the print files were made from) and the source uploads it names.
:func:`reprint` renders every design of the order again from that snapshot, then the usual
packaging copies the files under the order's stable names and zips them: the same pixels as
the first time, since the engine renders the same spec from the same sources.
"""

from __future__ import annotations

from sqlalchemy import select, update

from ..audit import record
from ..core import uow
from ..core.errors import Conflict, NotFound
from ..designs import lifecycle
from ..designs.tasks import queue_production
from ..extensions import db
from ..models import Design, Order, OrderItem, RenderJob, Upload
from .production import IN_FLIGHT, claim_packaging, locked_order


def reprint(order_id: str, brand_id: str, actor: str) -> Order:
    """Queue the re-render of an order's production files; returns the order.

    409 ``files_available`` when the files are still there, ``order_cancelled`` for a
    cancelled order, ``snapshot_missing`` when a design's snapshot or one of its uploads is
    gone (nothing is queued then). Commits, then the renders are published.
    """
    order = locked_order(order_id)
    if order is None or order.brand_id != brand_id:
        db.session.rollback()
        raise NotFound("No such order.")
    if order.status == "cancelled":
        db.session.rollback()
        raise Conflict("A cancelled order is not reprinted.", code="order_cancelled")
    if order.files_purged_at is None:
        db.session.rollback()
        raise Conflict(
            "This order's production files are still available; download them.",
            code="files_available",
        )
    items = db.session.scalars(
        select(OrderItem).where(OrderItem.order_id == order.id, OrderItem.design_id.is_not(None))
    ).all()
    designs = {
        d.id: d
        for d in db.session.scalars(
            select(Design).where(Design.id.in_({i.design_id for i in items})).with_for_update()
        )
    }
    missing = [i.design_id for i in items if not _reprintable(designs.get(i.design_id))]
    if missing:
        db.session.rollback()
        raise Conflict(
            "The designs of this order can no longer be rendered again.",
            code="snapshot_missing",
            details={"designs": sorted(set(filter(None, missing)))},
        )
    for design in designs.values():
        if design.production_keys or _rendering(design.id):
            continue  # still has its files (another order) or a render is coming
        queue_production(design)
    db.session.execute(
        update(OrderItem)
        .where(OrderItem.order_id == order.id, OrderItem.design_id.is_not(None))
        .values(production_status="pending", files={}, problem=None)
    )
    order.files_purged_at = None
    order.production_status = "pending"
    record(
        "order.reprint_requested",
        actor=actor,
        brand_id=order.brand_id,
        target_type="order",
        target_id=order.id,
        details={"designs": sorted(designs)},
    )
    uow.commit()
    claim_packaging(order.id)  # designs whose files were still there package at once
    db.session.refresh(order)
    return order


def _reprintable(design: Design | None) -> bool:
    """The design still holds what a render needs: its snapshot and every source upload."""
    if design is None or design.snapshot is None or design.status == lifecycle.S.FAILED:
        return False
    upload_ids = [
        layer["uploadId"]
        for layer in design.snapshot.get("layers") or []
        if isinstance(layer, dict) and layer.get("uploadId")
    ]
    if not upload_ids:
        return True
    found = db.session.scalar(
        select(db.func.count()).select_from(Upload).where(Upload.id.in_(upload_ids))
    )
    return found == len(set(upload_ids))


def _rendering(design_id: str) -> bool:
    return (
        db.session.scalar(
            select(RenderJob.id)
            .where(
                RenderJob.design_id == design_id,
                RenderJob.kind == "production",
                RenderJob.status.in_(IN_FLIGHT),
            )
            .limit(1)
        )
        is not None
    )
