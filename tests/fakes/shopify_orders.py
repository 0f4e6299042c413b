"""Orders and products of the fake Shopify (``tests/fakes/shopify.py``), over Admin GraphQL.

Answers the queries and the mutation Luneo's connector sends (``connectors/
shopify_commerce.py``), in Shopify's shapes:

* ``LuneoOrderRead``: ``order(id:)`` with line items and custom attributes;
* ``LuneoProductRead``: ``product(id:)`` with its media images;
* ``LuneoOrderWriteBack``: ``metafieldsSet`` + ``orderUpdate(customAttributes)`` with
  Shopify's ``userErrors`` for an unknown order, a bad namespace or an invalid JSON value.

Tests seed orders from the same REST body they send as the ``orders/create`` webhook
(:meth:`FakeOrders.add`), and read back what Luneo wrote (:attr:`FakeOrders.write_backs`,
:meth:`FakeOrders.metafield`, :meth:`FakeOrders.attributes`).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any


def _gid(kind: str, value: Any) -> str:
    text = str(value)
    return text if text.startswith("gid://") else f"gid://shopify/{kind}/{text}"


class FakeOrders:
    """The orders, products and metafields of every shop of the fake."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._orders: dict[tuple[str, str], dict[str, Any]] = {}
        self._products: dict[tuple[str, str], dict[str, Any]] = {}
        self._metafields: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.write_backs: list[tuple[str, dict[str, Any]]] = []
        self.write_delay = 0.0

    def reset(self) -> None:
        """Forget every order, product, metafield and write-back."""
        with self._lock:
            self._orders.clear()
            self._products.clear()
            self._metafields.clear()
            self.write_backs.clear()
        self.write_delay = 0.0

    def handlers(self) -> list[tuple[str, Any]]:
        """(marker, handler) pairs for the fake's GraphQL dispatch."""
        return [
            ("LuneoOrderRead", self._order_query),
            ("LuneoProductRead", self._product_query),
            ("LuneoOrderWriteBack", self._write_back),
        ]

    # --- seeding and reading back ---------------------------------------------------------
    def add(self, shop: str, payload: dict[str, Any]) -> None:
        """Store an order given as its REST/webhook body."""
        node = {
            "id": _gid("Order", payload["id"]),
            "legacyResourceId": str(payload["id"]),
            "name": payload.get("name"),
            "cancelledAt": payload.get("cancelled_at"),
            "closedAt": payload.get("closed_at"),
            "updatedAt": payload.get("updated_at"),
            "customer": {"id": _gid("Customer", payload["customer"]["id"])}
            if payload.get("customer")
            else None,
            "customAttributes": [
                {"key": a["name"], "value": a["value"]} for a in payload.get("note_attributes", [])
            ],
            "lineItems": {
                "nodes": [
                    {
                        "id": _gid("LineItem", line["id"]),
                        "name": line.get("title"),
                        "quantity": line.get("quantity", 1),
                        "customAttributes": [
                            {"key": p["name"], "value": p["value"]}
                            for p in line.get("properties", [])
                        ],
                        "product": {"id": _gid("Product", line["product_id"])}
                        if line.get("product_id")
                        else None,
                        # Shopify always has it; bodies written without prices leave it out,
                        # so the read-back says what the webhook said.
                        "originalUnitPriceSet": {
                            "shopMoney": {
                                "amount": str(
                                    ((line.get("price_set") or {}).get("shop_money") or {}).get(
                                        "amount", line.get("price")
                                    )
                                ),
                                "currencyCode": payload.get("currency", "USD"),
                            }
                        }
                        if "price" in line or "price_set" in line
                        else None,
                    }
                    for line in payload.get("line_items", [])
                ]
            },
        }
        with self._lock:
            self._orders[(shop, node["id"])] = node

    def add_product(self, shop: str, product_id: str, title: str, images: list[str]) -> None:
        """Store a product with image URLs."""
        node = {
            "id": _gid("Product", product_id),
            "legacyResourceId": str(product_id),
            "title": title,
            "handle": title.lower().replace(" ", "-"),
            "media": {
                "nodes": [
                    {"image": {"url": url, "altText": title, "width": 800, "height": 800}}
                    for url in images
                ]
            },
        }
        with self._lock:
            self._products[(shop, node["id"])] = node

    def metafield(self, shop: str, order_id: Any, namespace: str, key: str) -> dict | None:
        """A metafield Luneo set on an order (``{"type", "value"}``), or None."""
        with self._lock:
            return self._metafields.get((shop, _gid("Order", order_id), namespace, key))

    def attributes(self, shop: str, order_id: Any) -> list[dict[str, str]]:
        """The order's custom (note) attributes as they are now."""
        with self._lock:
            return list(self._orders[(shop, _gid("Order", order_id))]["customAttributes"])

    # --- GraphQL ------------------------------------------------------------------------
    def _order_query(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        with self._lock:
            node = self._orders.get((shop, str(variables.get("id"))))
            node = json.loads(json.dumps(node)) if node else None
        return {"data": {"order": node}}

    def _product_query(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        with self._lock:
            node = self._products.get((shop, str(variables.get("id"))))
        return {"data": {"product": node}}

    def _write_back(self, shop: str, variables: dict, _body: dict) -> dict[str, Any]:
        if self.write_delay:
            time.sleep(self.write_delay)
        meta_errors: list[dict[str, Any]] = []
        order_errors: list[dict[str, Any]] = []
        written = []
        with self._lock:
            self.write_backs.append((shop, variables))
            for index, field in enumerate(variables.get("metafields") or []):
                where = ["metafields", str(index)]
                if (shop, field.get("ownerId")) not in self._orders:
                    meta_errors.append({"field": where + ["ownerId"], "message": "Owner not found"})
                elif len(str(field.get("namespace") or "")) < 3:
                    meta_errors.append({"field": where + ["namespace"], "message": "too short"})
                elif field.get("type") == "json" and not _is_json(field.get("value")):
                    meta_errors.append({"field": where + ["value"], "message": "Invalid JSON"})
                else:
                    key = (shop, field["ownerId"], field["namespace"], field["key"])
                    self._metafields[key] = {"type": field["type"], "value": field["value"]}
                    written.append({"id": f"gid://shopify/Metafield/{len(self._metafields)}"})
            order_input = variables.get("order") or {}
            order = self._orders.get((shop, order_input.get("id")))
            if order is None:
                order_errors.append({"field": ["id"], "message": "Order does not exist"})
            elif "customAttributes" in order_input:
                order["customAttributes"] = [
                    {"key": a["key"], "value": a["value"]} for a in order_input["customAttributes"]
                ]
        return {
            "data": {
                "metafieldsSet": {"metafields": written, "userErrors": meta_errors},
                "orderUpdate": {
                    "order": {"id": order_input.get("id")} if order else None,
                    "userErrors": order_errors,
                },
            }
        }


def _is_json(value: Any) -> bool:
    try:
        json.loads(value)
    except (TypeError, ValueError):
        return False
    return True
