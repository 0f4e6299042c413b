"""The demo shop's checkout: the cart becomes a real ``orders/create`` (demo mode only).

The order body is what Shopify sends for such a cart (REST shape): an expanded personalized
line becomes its components (the product with the line's properties, the fee with
``_luneo_fee_for``), fee-unit lines stay as they are, prices are the undiscounted unit prices
in the shop's currency. It is signed like a Shopify webhook with the demo key
(``shopify.session.demo_webhook_secret``) and goes through ``shopify.webhooks.receive``, the
code every real ``orders/create`` goes through: recorded once, handled by the webhook job,
intake, the fee check and production. The key is accepted only in demo mode, for the demo
shop, so none of this can happen once Shopify credentials are set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

from flask import current_app

from ..core.clock import utcnow
from ..shopify.app_config import load_app_config
from ..shopify.session import demo_webhook_secret
from ..shopify.webhooks import receive
from . import cart

ORDERS_CREATE_PATH = "/webhooks/shopify/orders-create"


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _line(line_id: int, title: str, quantity: int, cents: int, properties: dict, currency: str,
          product_id: int | None) -> dict[str, Any]:  # fmt: skip
    money = {"amount": _money(cents), "currency_code": currency}
    return {
        "id": line_id,
        "admin_graphql_api_id": f"gid://shopify/LineItem/{line_id}",
        "title": title,
        "quantity": quantity,
        "price": _money(cents),
        "price_set": {"shop_money": money, "presentment_money": money},
        "total_discount": "0.00",
        "product_id": product_id,
        "properties": [{"name": k, "value": v} for k, v in properties.items()],
    }


def order_body(lines: list[dict[str, Any]], catalog: dict, currency: str) -> dict[str, Any]:
    """The ``orders/create`` body Shopify would send for the demo cart ``lines``."""
    order_id = 5_000_000_000 + secrets.randbelow(1_000_000_000)
    items = []
    for line in cart.expand(lines, catalog):
        base = order_id * 10 + len(items)
        props = dict(line.get("properties") or {})
        product_id = line["variant_id"]
        if "components" in line:  # the Cart Transform's expansion: product + exact fee
            design = props.get("_luneo_design_id", "")
            kept = {k: v for k, v in props.items() if not k.startswith("_luneo_fee")}
            product, fee = line["components"]
            items.append(_line(base, product["title"], line["quantity"], product["price"], kept,
                               currency, product_id))  # fmt: skip
            items.append(
                _line(
                    base + 1,
                    cart.FEE_TITLE,
                    line["quantity"],
                    fee["price"],
                    {"_luneo_design_id": design, "_luneo_fee_for": str(line["variant_id"])},
                    currency,
                    cart.FEE_VARIANT_ID,
                )  # fmt: skip
            )
        else:
            items.append(_line(base, line["product_title"], line["quantity"], line["price"],
                               props, currency, product_id))  # fmt: skip
    now = utcnow().isoformat()
    return {
        "id": order_id,
        "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "name": f"#D{order_id % 100000:05d}",
        "created_at": now,
        "updated_at": now,
        "cancelled_at": None,
        "closed_at": None,
        "currency": currency,
        "customer": None,
        "note_attributes": [{"name": "Demo checkout", "value": "yes"}],
        "line_items": items,
    }


def place_order(shop_domain: str, body: dict[str, Any]) -> bool:
    """Send ``body`` through the ``orders/create`` webhook path, signed with the demo key;
    returns False when it was a duplicate. Demo mode only (the caller checks)."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    digest = hmac.new(demo_webhook_secret().encode(), raw, hashlib.sha256).digest()
    headers = {
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": current_app.config["SHOPIFY_API_VERSION"],
        "X-Shopify-Triggered-At": utcnow().isoformat(),
    }
    route = load_app_config().route_for(ORDERS_CREATE_PATH)
    if route is None:  # pragma: no cover - shopify.app.toml declares it
        raise RuntimeError("orders/create is not declared in shopify.app.toml")
    url = current_app.config["APP_URL"] + ORDERS_CREATE_PATH
    return not receive(route, headers, raw, url).duplicate
