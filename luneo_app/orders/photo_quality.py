"""Is every photo of an order still sharp enough for the merchant's minimum? Checked when an
order's lines are taken in.

The shopper's photo was graded at upload, at design creation and at finalize (add to cart),
against the option's ``minDpi`` then (``designs.quality``). A merchant may raise ``minDpi``
later; an order whose photo now falls under it becomes a ``photo_resolution_too_low`` order
problem (shown in the admin and sent to the brand as ``order.problem``) with the dpi the photo
reaches and the floor, instead of a blurry print nobody was told about. Production still goes
on, as for an unpaid fee: the shopper has paid, and the merchant decides (ask the shopper for
a larger photo, or ship it as it is).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from ..core.errors import ValidationFailed
from ..designs.service import check_print_quality
from ..extensions import db
from ..models import Brand, Design, Order, OrderItem, Product
from ..outbound.events import order_problem
from .problems import add_problem

log = logging.getLogger("luneo.orders.photo_quality")

CODE = "photo_resolution_too_low"


def check_photos(order: Order, brand: Brand) -> int:
    """Record a problem (and queue ``order.problem``) per line whose photo prints below its
    option's current ``minDpi``; returns how many are new. Adds to the caller's unit of
    work."""
    items = db.session.scalars(
        select(OrderItem)
        .where(OrderItem.order_id == order.id, OrderItem.design_id.is_not(None))
        .order_by(OrderItem.line_number)
    ).all()
    new = 0
    for item in items:
        design = db.session.scalar(
            select(Design).where(Design.id == item.design_id, Design.brand_id == brand.id)
        )
        product = db.session.get(Product, design.product_id) if design is not None else None
        if design is None or product is None:
            continue
        try:
            check_print_quality(design, product)
        except ValidationFailed as exc:
            if exc.code != CODE:
                continue  # other refusals (a spec the engine rejects) fail at render
            found = exc.details or {}
            message = (
                f"Line {item.line_number}: the shopper's photo prints at "
                f"{found.get('effectiveDpi')} dpi; this product now needs at least "
                f"{found.get('minDpi')} dpi (raised after the shopper's preview). Ask the "
                "shopper for a larger photo, or produce it as it is."
            )
            details = {
                "lineItemId": item.line_item_id,
                "lineNumber": item.line_number,
                "designId": design.id,
                "effectiveDpi": found.get("effectiveDpi"),
                "minDpi": found.get("minDpi"),
            }
            if not add_problem(order, CODE, message, **details):
                continue
            new += 1
            log.warning("order %s: %s", order.id, CODE, extra={"line": item.line_number})
            order_problem(brand, order, CODE, message, details)
    return new
