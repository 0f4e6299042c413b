"""What shoppers made and what to produce: designs and the orders that carry them.

Every query filters on the brand; file links are signed storage URLs, and only keys under the
brand's own storage folder are ever signed.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ..core.errors import NotFound
from ..designs import drafts, lifecycle
from ..designs.service import describe
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Design, Order, OrderItem, Product, RenderJob
from ..orders.describe import describe_order
from .photos import THUMB_WIDTH, derivative

PAGE_SIZE = 24
DESIGN_STATUSES = lifecycle.ALL


def _storage():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.storage"]


def _thumb(key: str | None) -> str | None:
    photo = derivative(key, THUMB_WIDTH) if key else None
    return photo.url if photo else None


def _page_info(page: int, total: int) -> dict[str, Any]:
    pages = max(1, -(-total // PAGE_SIZE))
    return {"page": page, "pages": pages, "total": total, "pageSize": PAGE_SIZE}


MAX_SHOPPER_TEXT = 120


def shopper_text(design: Design) -> str:
    """What the shopper wrote, as a merchant recognises the design: its texts in stacking
    order (" · " between them), else its artwork prompt; empty for a photo-only design."""
    texts = [
        str(layer.get("text") or "").strip()
        for layer in design.layers or []
        if layer.get("type") == "text"
    ]
    shown = " · ".join(t for t in texts if t) or (design.prompt or "").strip()
    return shown if len(shown) <= MAX_SHOPPER_TEXT else shown[: MAX_SHOPPER_TEXT - 1] + "…"


def list_designs(brand_id: str, page: int, status: str | None) -> dict[str, Any]:
    """A page of the brand's designs, newest first, with thumbnails and product titles.

    Committed designs only (what the merchant calls a design), except ``status="draft"``
    (the shoppers' drafts) and ``status="failed"`` (every failure, drafts included).
    """
    where = [Design.brand_id == brand_id]
    if status == "draft":
        where.append(drafts.draft())
    elif status == "failed":
        where.append(Design.status == status)
    else:
        where.append(drafts.committed())
        if status:
            where.append(Design.status == status)
    total = db.session.scalar(select(func.count()).select_from(Design).where(*where)) or 0
    rows = db.session.execute(
        select(Design, Product.title)
        .join(Product, (Product.id == Design.product_id) & (Product.brand_id == brand_id))
        .where(*where)
        .order_by(Design.created_at.desc(), Design.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return {
        "designs": [
            {
                "designId": design.id,
                "shopperText": shopper_text(design),
                "hasPhoto": any(layer.get("type") == "image" for layer in design.layers or []),
                "saved": design.saved_at is not None,
                "status": design.status,
                "productId": design.product_id,
                "productTitle": title,
                "source": design.source,
                "createdAt": design.created_at.isoformat() if design.created_at else None,
                "thumbnailUrl": _thumb(design.preview_key),
                "finalized": design.finalized_at is not None,
                "committed": design.committed_at is not None,
            }
            for design, title in rows
        ],
        "pageInfo": _page_info(page, total),
        "status": status or "",
    }


def design_detail(brand_id: str, design_id: str) -> dict[str, Any]:
    """One design: preview, layers, timings, jobs, production files and its orders."""
    design = db.session.scalar(
        select(Design).where(Design.id == design_id, Design.brand_id == brand_id)
    )
    if design is None:
        raise NotFound("No such design in this shop.", code="design_not_found")
    product = db.session.scalar(
        select(Product).where(Product.id == design.product_id, Product.brand_id == brand_id)
    )
    jobs = db.session.scalars(
        select(RenderJob)
        .where(RenderJob.brand_id == brand_id, RenderJob.design_id == design.id)
        .order_by(RenderJob.enqueued_at)
    ).all()
    orders = db.session.execute(
        select(Order.id, Order.name)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .where(Order.brand_id == brand_id, OrderItem.design_id == design.id)
        .distinct()
    ).all()
    out = describe(design)
    out.update(
        productTitle=product.title if product else None,
        source=design.source,
        jobs=[
            {
                "kind": job.kind,
                "status": job.status,
                "attempts": job.attempts,
                "durationMs": job.duration_ms,
                "error": job.error,
            }
            for job in jobs
        ],
        orders=[{"orderId": oid, "name": name} for oid, name in orders],
        glbUrl=_signed(brand_id, design.glb_key),
        usdzUrl=_signed(brand_id, design.usdz_key),
    )
    return out


def _signed(brand_id: str, key: Any, filename: str | None = None) -> str | None:
    """A download URL for a key of this brand's folder (None for anything else)."""
    if not isinstance(key, str) or not key.startswith(brand_prefix(brand_id)):
        return None
    ttl = current_app.config["STORAGE_URL_TTL"]
    return _storage().url(key, ttl, filename=filename)


def list_orders(brand_id: str, page: int) -> dict[str, Any]:
    """A page of orders carrying Luneo designs, newest first, with their production files
    (the orders feature's own description, plus design thumbnails)."""
    total = (
        db.session.scalar(select(func.count()).select_from(Order).where(Order.brand_id == brand_id))
        or 0
    )
    orders = db.session.scalars(
        select(Order)
        .where(Order.brand_id == brand_id)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    described = [describe_order(order) for order in orders]
    design_ids = {i["designId"] for o in described for i in o["items"] if i["designId"]}
    rows = db.session.execute(
        select(Design.id, Design.preview_key, Design.preflight).where(
            Design.brand_id == brand_id, Design.id.in_(design_ids)
        )
    ).all()
    previews = {row.id: row.preview_key for row in rows}
    # the line's print checks (photos, text, AI artwork), errors first, as the design shows
    checks = {
        row.id: sorted(row.preflight or [], key=lambda f: f.get("severity") != "error")
        for row in rows
    }
    for order in described:
        order["name"] = order["name"] or order["externalOrderId"]
        for item in order["items"]:
            item["thumbnailUrl"] = _thumb(previews.get(item["designId"]))
            item["preflight"] = checks.get(item["designId"], [])
            for entry in item["files"]:
                area = entry.get("printArea") or "3D model"
                entry["label"] = f"{area} {entry['kind'].upper()}"
    return {"orders": described, "pageInfo": _page_info(page, total)}
