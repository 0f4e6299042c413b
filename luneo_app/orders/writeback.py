"""The write-back: Luneo's designs and production links onto the store's order, once.

The claim is one conditional UPDATE (``written_back_at IS NULL``) kept uncommitted while the
store is called: a concurrent packaging job waits on the row and then finds it claimed; a
failed call rolls the claim back so the retry writes again. A worker that dies mid-call
releases the claim with its connection, and the re-delivered job writes (the store's
write is idempotent), so the order is written back at least once and, when it works the
first time, exactly once.
"""

from __future__ import annotations

from sqlalchemy import select, update

from connectors.base import AttachedLine, DesignAttachment, FileLink

from ..commerce import platforms
from ..core.clock import utcnow
from ..designs.choices import design_choices
from ..extensions import db
from ..models import Brand, Design, Order, OrderItem, Product
from .files import file_entries, production_link

MAX_NOTE = 500


def attachment_for(order: Order, items: list[OrderItem]) -> DesignAttachment:
    """What to write onto the store order: lines, lasting file links, the zip and a note."""
    lines = []
    for item in sorted(items, key=lambda i: i.line_number):
        if not item.design_id or item.production_status != "ready":
            continue
        files = tuple(
            FileLink(name=e["name"], kind=e["kind"], url=production_link(order, e["key"]))
            for e in file_entries(item)
        )
        chosen = _chosen(item.design_id)
        lines.append(
            AttachedLine(
                line_item_id=item.line_item_id,
                line_number=item.line_number,
                design_id=item.design_id,
                files=files,
                chosen=tuple(
                    (str(c["label"]), str(c["valueLabel"])) for c in chosen.get("options", [])
                ),
                summary=chosen.get("summary", ""),
            )
        )
    archive = production_link(order, order.zip_key) if order.zip_key else None
    count = len(lines)
    note = f"{count} personalized item{'s' if count != 1 else ''}: production files ready"
    note += f" - {archive}" if archive else ""
    # the choices after the link, so a long note never cuts the link
    note += "".join(f". Line {line.line_number}: {line.summary}" for line in lines if line.summary)
    return DesignAttachment(
        luneo_order_id=order.id, lines=tuple(lines), archive_url=archive, note=note[:MAX_NOTE]
    )


def _chosen(design_id: str) -> dict:
    design = db.session.get(Design, design_id)
    if design is None:
        return {}
    return design_choices(design, db.session.get(Product, design.product_id))


def write_back(order_id: str) -> str:
    """Write the order's designs back to its store once; returns what happened (a note).

    How is the brand's platform's business (:mod:`luneo_app.commerce.platforms`). Raises
    the connector's errors (``ConnectorUnavailable`` ...) for the job to retry.
    """
    order = db.session.get(Order, order_id)
    brand = db.session.get(Brand, order.brand_id) if order is not None else None
    platform = platforms.for_brand(brand) if brand is not None else None
    if order is None or platform is None or order.platform != platform.order_platform:
        return "no store to write back to"
    if order.written_back_at is not None:
        return "already written back"
    items = db.session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)).all()
    attachment = attachment_for(order, list(items))

    def claim() -> bool:
        return bool(
            db.session.execute(
                update(Order)
                .where(Order.id == order_id, Order.written_back_at.is_(None))
                .values(written_back_at=utcnow())
            ).rowcount
        )

    return platform.write_back(brand, order_id, order.external_id, attachment, claim)
