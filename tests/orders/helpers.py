"""Set-up shared by the orders tests: a Shopify shop with a mug, designs, order bodies."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import Brand, Design, Order, OrderItem, Product, RenderJob
from render import samples
from tests.designs.helpers import MUG_TEMPLATE
from tests.support.factories import make_product

_PHOTO: bytes | None = None


def photo() -> bytes:
    global _PHOTO
    if _PHOTO is None:
        _PHOTO = samples.demo_product_photo("mug", size=600)
    return _PHOTO


def mug(app, brand: Brand, external_id: str = "632910392", area_mm: int | None = None) -> Product:  # type: ignore[no-untyped-def]
    """A personalizable mug of the brand; ``area_mm`` makes its print area that big (slow)."""
    template = copy.deepcopy(MUG_TEMPLATE)
    if area_mm:
        template["printAreas"][0].update(widthMm=area_mm, heightMm=area_mm)
    product = make_product(brand, template=template, external_id=external_id, title="Mug")
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, photo(), "image/png")
    product.image_key = key
    db.session.commit()
    return product


def make_design(product: Product, text: str = "Jessica", font: str = "dancing-script") -> Design:
    """A shopper's design with its preview made (what a cart line carries)."""
    layers = [
        {
            "type": "text",
            "printArea": "front",
            "text": text,
            "font": font,
            "autoFit": True,
            "color": "#1f2a44",
        }
    ]
    design = Design(
        brand_id=product.brand_id,
        product_id=product.id,
        source="storefront",
        layers=layers,
        options={},
        content_hash=hashlib.sha256(json.dumps(layers).encode()).hexdigest(),
        status="preview_ready",
    )
    db.session.add(design)
    db.session.commit()
    return design


def order_body(
    order_id: int, lines: list[dict[str, Any]], name: str | None = None, **fields: Any
) -> dict[str, Any]:
    """An ``orders/create`` body as Shopify sends it (REST shape).

    ``lines``: ``{"design": "des_..."}`` for a personalized line, ``{"fee_for": ...}`` adds
    the add-on fee property, ``{}`` is a plain line.
    """
    line_items = []
    for index, line in enumerate(lines):
        properties = []
        if line.get("design"):
            properties.append({"name": "_luneo_design_id", "value": line["design"]})
        if line.get("fee_for"):
            properties.append({"name": "_luneo_fee_for", "value": line["fee_for"]})
        properties.append({"name": "Engraving", "value": "visible to the merchant"})
        priced = {}
        if "price" in line:  # undiscounted unit price: shop money and the shopper's currency
            priced = {
                "price": line["price"],
                "price_set": {
                    "shop_money": {"amount": line["price"], "currency_code": "USD"},
                    "presentment_money": {
                        "amount": line.get("presentment", line["price"]),
                        "currency_code": line.get("presentment_currency", "USD"),
                    },
                },
                "total_discount": line.get("discount", "0.00"),
            }
        line_items.append(
            {
                **priced,
                "id": order_id * 10 + index,
                "admin_graphql_api_id": f"gid://shopify/LineItem/{order_id * 10 + index}",
                "title": line.get("title", "Personalized Mug"),
                "quantity": line.get("quantity", 1),
                "product_id": 632910392,
                "properties": properties,
            }
        )
    body = {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": name or f"#{1000 + order_id % 1000}",
        "updated_at": datetime.now(UTC).isoformat(),
        "cancelled_at": None,
        "closed_at": None,
        "customer": {"id": 115310627314723954, "email": "jane@example.com"},
        "note_attributes": [{"name": "gift-wrap", "value": "yes"}],
        "line_items": line_items,
    }
    body.update(fields)
    return body


def new_webhook_id() -> str:
    return str(uuid.uuid4())


def fresh() -> None:
    """Forget what the session holds: read what other sessions committed."""
    db.session.remove()


def jobs(kind: str) -> list[RenderJob]:
    return db.session.query(RenderJob).filter_by(kind=kind).all()


def only_order() -> Order:
    """The one order, read fresh (the work ran in other sessions)."""
    db.session.expire_all()
    return db.session.query(Order).one()


def items_of(order: Order) -> list[OrderItem]:
    return (
        db.session.query(OrderItem)
        .filter_by(order_id=order.id)
        .order_by(OrderItem.line_number)
        .all()
    )


def connect_endpoint(app, brand: Brand, url: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Give the brand a webhook endpoint with a known secret (stored encrypted)."""
    brand.webhook_url = url
    brand.webhook_secret_enc = app.extensions["luneo.keyring"].encrypt(secret)
    db.session.commit()
