"""An order as the API, the admin and the ``order.production_ready`` event show it."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from ..core.clock import as_utc
from ..designs import lifecycle
from ..designs.choices import design_choices
from ..extensions import db
from ..models import Design, Order, OrderItem, Product
from .files import file_entries, production_link


def _iso(value: Any) -> str | None:
    return as_utc(value).isoformat() if value else None


def _chosen(design: Design | None) -> dict[str, Any] | None:
    if design is None:
        return None
    product = (
        None
        if (design.snapshot or {}).get("template")
        else db.session.get(Product, design.product_id)
    )
    return design_choices(design, product)


def describe_order(order: Order, *, lasting_links: bool = False) -> dict[str, Any]:
    """The order, its lines and their files with download URLs.

    URLs are short-lived signed links, or with ``lasting_links`` the order's lasting
    production links (for events a receiver may act on later).
    """
    storage = current_app.extensions["luneo.storage"]
    ttl = current_app.config["STORAGE_URL_TTL"]

    def url(key: str) -> str:
        if lasting_links:
            return production_link(order, key)
        return storage.url(key, ttl, filename=key.rsplit("/", 1)[-1])

    rows = db.session.execute(
        select(OrderItem, Design)
        .outerjoin(Design, Design.id == OrderItem.design_id)
        .where(OrderItem.order_id == order.id)
        .order_by(OrderItem.line_number, OrderItem.line_item_id)
    ).all()
    items = []
    for item, design in rows:
        status = item.production_status
        if status == "pending" and design is not None and design.status == lifecycle.S.FAILED:
            status = "failed"  # the render failed after the order was taken in
        items.append(
            {
                "lineItemId": item.line_item_id,
                "lineNumber": item.line_number,
                "designId": item.design_id,
                "title": item.title,
                "quantity": item.quantity,
                "productionStatus": status,
                "problem": item.problem,
                # what the shopper chose: options, text, font, finish and process, photo crop
                "chosen": _chosen(design),
                "files": [
                    {
                        "name": entry["name"],
                        "kind": entry["kind"],
                        "printArea": entry["printArea"],
                        "url": url(entry["key"]),
                        "widthPx": entry["widthPx"],
                        "heightPx": entry["heightPx"],
                        "dpi": entry["dpi"],
                    }
                    for entry in file_entries(item)
                ],
            }
        )
    return {
        "orderId": order.id,
        "externalOrderId": order.external_id,
        "name": order.name,
        "platform": order.platform,
        "status": order.status,
        "productionStatus": order.production_status,
        "zipUrl": url(order.zip_key) if order.zip_key else None,
        "filesPurged": order.files_purged_at is not None,
        "writtenBackAt": _iso(order.written_back_at),
        "problems": order.problems or [],
        "shipping": order.shipping,
        "createdAt": _iso(order.created_at),
        "closedAt": _iso(order.closed_at),
        "items": items,
    }
