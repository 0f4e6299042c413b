"""The write-back: Luneo's designs and production links onto the store's order, once.

The claim is one conditional UPDATE (``written_back_at IS NULL``) kept uncommitted while the
store is called: a concurrent packaging job waits on the row and then finds it claimed; a
failed call rolls the claim back so the retry writes again. A worker that dies mid-call
releases the claim with its connection, and the re-delivered job writes (the store's
write is idempotent), so the order is written back at least once and, when it works the
first time, exactly once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from connectors.base import (
    AttachedLine,
    ConnectorAuthError,
    DesignAttachment,
    FileLink,
    StoreAccess,
)

from ..core.clock import utcnow
from ..designs.choices import design_choices
from ..extensions import db
from ..models import Design, Order, OrderItem, Product, ShopInstall
from ..shopify.client import EXTENSION as SHOPIFY_ADMIN
from ..shopify.tokens import access_token_for, refresh_after_rejection
from .files import file_entries, production_link

log = logging.getLogger("luneo.orders")

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

    Raises the connector's errors (``ConnectorUnavailable`` ...) for the job to retry.
    """
    from flask import current_app

    order = db.session.get(Order, order_id)
    if order is None or order.platform != "shopify":
        return "no store to write back to"
    if order.written_back_at is not None:
        return "already written back"
    install = db.session.scalar(select(ShopInstall).where(ShopInstall.brand_id == order.brand_id))
    admin = current_app.extensions.get(SHOPIFY_ADMIN)
    if install is None or install.uninstalled_at is not None or install.token_kind == "demo":
        return "write-back skipped: the shop is not installed"
    if admin is None:
        return "write-back skipped: Shopify is not configured"
    items = db.session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)).all()
    attachment = attachment_for(order, list(items))
    external_id, shop = order.external_id, install.shop_domain
    db.session.commit()  # end the read; tokens use their own session
    token = access_token_for(shop)
    for _ in range(2):
        claimed = db.session.execute(
            update(Order)
            .where(Order.id == order_id, Order.written_back_at.is_(None))
            .values(written_back_at=utcnow())
        ).rowcount
        if not claimed:
            db.session.rollback()
            return "already written back"
        try:
            admin.attach_designs(StoreAccess(shop, token), external_id, attachment)
        except ConnectorAuthError:
            db.session.rollback()
            token = refresh_after_rejection(shop, token)
            continue
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
        log.info(
            "order %s written back to %s", order_id, shop, extra={"lines": len(attachment.lines)}
        )
        return "written back"
    raise ConnectorAuthError("Shopify refused the shop's fresh token", code="unauthorized")
