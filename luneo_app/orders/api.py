"""Orders of API brands: ``POST /v1/orders`` with an ``Idempotency-Key``, close and cancel.

The key is stored on the order with a hash of the request body: the same key with the same
body answers with the same order (nothing new is made); the same key with another body is a
409. Two requests racing with one key meet at the unique (brand, key) constraint.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from connectors.base import DESIGN_PROPERTY, LineItem, OrderInfo

from ..core.clock import utcnow
from ..core.errors import Conflict, LuneoError, NotFound, ValidationFailed
from ..designs.service import price_of
from ..extensions import db
from ..models import Brand, Design, Order, Product
from .intake import cancel_order, find_order, insert_order, sync_order
from .problems import add_problem

PLATFORM = "api"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class ApiOrder:
    """The order an API call made, or the earlier one it repeats (``replayed``)."""

    order: Order
    replayed: bool


def check_idempotency_key(value: str | None) -> str:
    """The ``Idempotency-Key`` header, required: 1-255 visible ASCII characters."""
    if not value:
        raise LuneoError(
            "Send an Idempotency-Key header (a unique value per order, e.g. a UUID).",
            code="idempotency_key_required",
            status=400,
        )
    if not _KEY.match(value):
        raise LuneoError(
            "The Idempotency-Key must be 1-255 visible ASCII characters.",
            code="invalid_idempotency_key",
            status=400,
        )
    return value


def request_hash(body: dict[str, Any]) -> str:
    """A hash of the validated body that ignores key order and spacing."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _by_key(brand_id: str, key: str) -> Order | None:
    return db.session.scalar(
        select(Order).where(Order.brand_id == brand_id, Order.idempotency_key == key)
    )


def _replay(order: Order, digest: str) -> ApiOrder:
    if order.request_hash != digest:
        raise Conflict(
            "This Idempotency-Key was used with a different request body.",
            code="idempotency_key_reused",
            details={"orderId": order.id},
        )
    return ApiOrder(order, replayed=True)


def _designs(brand_id: str, design_ids: list[str]) -> dict[str, Design]:
    rows = db.session.scalars(
        select(Design).where(Design.brand_id == brand_id, Design.id.in_(set(design_ids)))
    ).all()
    found = {row.id: row for row in rows}
    unknown = {
        f"designIds[{i}]": "unknown design" for i, d in enumerate(design_ids) if d not in found
    }
    if unknown:
        raise ValidationFailed(
            "Some designs are not designs of this brand.", code="unknown_design", details=unknown
        )
    failed = {
        f"designIds[{i}]": "this design failed to render"
        for i, d in enumerate(design_ids)
        if found[d].status == "failed"
    }
    if failed:
        raise ValidationFailed(
            "Some designs failed to render.", code="design_failed", details=failed
        )
    return found


def create_api_order(brand: Brand, body: dict[str, Any], key: str) -> ApiOrder:
    """Create the order and queue its production, or repeat the answer for the same key."""
    digest = request_hash(body)
    prior = _by_key(brand.id, key)
    if prior is not None:
        return _replay(prior, digest)
    design_ids = list(body.get("designIds") or [body["designId"]])
    designs = _designs(brand.id, design_ids)
    stated = _stated_prices(body.get("statedPrices") or [], design_ids)
    titles = dict(
        db.session.execute(
            select(Product.id, Product.title).where(
                Product.id.in_({d.product_id for d in designs.values()})
            )
        ).all()
    )
    external_id = body["externalOrderId"]
    info = OrderInfo(
        external_id=external_id,
        name=body.get("orderName") or external_id,
        status="open",
        line_items=tuple(
            LineItem(
                external_id=str(number),
                line_number=number,
                title=titles.get(designs[design_id].product_id, ""),
                quantity=1,
                properties=((DESIGN_PROPERTY, design_id),),
            )
            for number, design_id in enumerate(design_ids, start=1)
        ),
    )
    inserted = insert_order(
        brand.id,
        PLATFORM,
        info,
        shipping=body.get("shipping"),
        idempotency_key=key,
        request_hash=digest,
    )
    db.session.commit()
    if not inserted:
        prior = _by_key(brand.id, key)
        if prior is not None:  # a concurrent request with the same key won
            return _replay(prior, digest)
        existing = find_order(brand.id, PLATFORM, external_id)
        raise Conflict(
            "An order with this externalOrderId exists already (sent with another key).",
            code="order_exists",
            details={"orderId": existing.id if existing else None},
        )
    intake = sync_order(brand, PLATFORM, info)
    order = db.session.get(Order, intake.order_id)
    _flag_price_mismatches(order, designs, design_ids, stated)
    return ApiOrder(order, replayed=False)


def _stated_prices(entries: list[dict[str, Any]], design_ids: list[str]) -> dict[str, dict]:
    """The stated prices by design; 422 for a design that is not in the order."""
    stray = {
        f"statedPrices[{i}].designId": "not one of this order's designs"
        for i, entry in enumerate(entries)
        if entry["designId"] not in design_ids
    }
    if stray:
        raise ValidationFailed(
            "Stated prices must name designs of this order.", code="invalid_prices", details=stray
        )
    return {entry["designId"]: entry for entry in entries}


def _flag_price_mismatches(
    order: Order, designs: dict[str, Design], design_ids: list[str], stated: dict[str, dict]
) -> None:
    """Record a ``price_mismatch`` problem for each design charged another price. Commits.

    The order goes on (the shopper has paid); the brand sees the problem on the order.
    """
    flagged = False
    for design_id, entry in stated.items():
        price = price_of(designs[design_id])
        currency = entry.get("currency") or price.currency
        if entry["addOnCents"] == price.add_on_cents and currency == price.currency:
            continue
        flagged |= add_problem(
            order,
            "price_mismatch",
            f"The cart charged {entry['addOnCents']} {currency} for personalization; "
            f"Luneo's price of this design is {price.add_on_cents} {price.currency}.",
            designId=design_id,
            lineItemId=str(design_ids.index(design_id) + 1),  # the line's id, as in the order
            lineNumber=design_ids.index(design_id) + 1,
            statedAddOnCents=entry["addOnCents"],
            addOnCents=price.add_on_cents,
        )
    if flagged:
        db.session.commit()


def get_api_order(brand_id: str, order_id: str) -> Order:
    """An order of this brand; 404 for unknown ids and other brands' orders alike."""
    order = db.session.scalar(select(Order).where(Order.id == order_id, Order.brand_id == brand_id))
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order


def close_api_order(brand_id: str, order_id: str) -> Order:
    """The order is done (shipped): its files now follow the retention period. Commits."""
    order = get_api_order(brand_id, order_id)
    if order.status == "open":
        order.status = "closed"
        order.closed_at = utcnow()
        db.session.commit()
    return order


def cancel_api_order(brand_id: str, order_id: str) -> Order:
    """Cancel the order and stop its production that has not started. Commits."""
    order = get_api_order(brand_id, order_id)
    cancel_order(order.id)
    db.session.refresh(order)
    return order
