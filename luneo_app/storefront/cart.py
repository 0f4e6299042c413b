"""A small fake of Shopify's Ajax Cart API for the demo storefront.

It speaks the real wire format the SDK uses on a shop (``POST cart/add.js`` with
``{items: [{id, quantity, properties}]}``, ``POST cart/change.js`` with ``{id | line, quantity,
properties}``, ``GET cart.js``), so the shopper flow can be tried locally. Errors carry
Shopify's ``{status, message, description}`` fields (what the SDK reads on a real shop) beside
Luneo's uniform ``error`` envelope. The cart lives in the app's
key-value store under a random cookie, one day.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app

CART_TTL = 24 * 3600
MAX_LINES = 20
MAX_PROPERTIES = 20
PRODUCT_PRICE_CENTS = 2400
FEE_VARIANT_ID = 4_900_000_001
FEE_PRICE_CENTS = 100
FEE_TITLE = "Personalization add-on"


class CartError(Exception):
    """A cart request Shopify would refuse (422), with its description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


@dataclass(frozen=True)
class Variant:
    """A sellable variant of the demo store."""

    id: int
    product_title: str
    price: int
    image: str | None = None


def variant_id_for(product_id: str) -> int:
    """A stable, Shopify-like numeric variant id for a demo product."""
    digest = hashlib.sha256(product_id.encode()).digest()
    return 4_400_000_000 + int.from_bytes(digest[:4], "big") % 100_000_000


def _key(token: str) -> str:
    return f"luneo:demo-cart:{token}"


def new_token() -> str:
    return secrets.token_urlsafe(18)


def load(token: str | None) -> list[dict[str, Any]]:
    """The cart's lines (empty for a new or expired cart)."""
    if not token:
        return []
    raw = current_app.extensions["luneo.kv"].get(_key(token))
    return json.loads(raw) if raw else []


def save(token: str, lines: list[dict[str, Any]]) -> None:
    kv = current_app.extensions["luneo.kv"]
    kv.delete(_key(token))
    kv.set_if_absent(_key(token), json.dumps(lines), CART_TTL)


def _properties(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or len(raw) > MAX_PROPERTIES:
        raise CartError(f"properties must be an object of at most {MAX_PROPERTIES} entries")
    out = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not 0 < len(key) <= 100:
            raise CartError("property names must be 1-100 characters")
        if not isinstance(value, (str, int, float)) or len(str(value)) > 1000:
            raise CartError(f"property {key!r} must be text of at most 1000 characters")
        out[key] = str(value)
    return out


def parse_items(payload: Any) -> list[tuple[int, int, dict[str, str]]]:
    """``(variant id, quantity, properties)`` from an add.js body (items list or one item)."""
    if not isinstance(payload, dict):
        raise CartError("send a JSON object")
    items = payload.get("items", [payload])
    if not isinstance(items, list) or not 0 < len(items) <= 10:
        raise CartError("items must be a list of 1-10 items")
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise CartError("each item must be an object")
        try:
            variant = int(item.get("id"))
            quantity = int(item.get("quantity", 1))
        except (TypeError, ValueError):
            raise CartError("id and quantity must be numbers") from None
        if not 0 < quantity <= 999:
            raise CartError("quantity must be between 1 and 999")
        parsed.append((variant, quantity, _properties(item.get("properties"))))
    return parsed


def add(
    lines: list[dict[str, Any]], items: list[tuple[int, int, dict[str, str]]], catalog: dict
) -> list[dict[str, Any]]:
    """Add items to ``lines`` (same variant and properties merge, as Shopify does)."""
    added = []
    for variant_id, quantity, properties in items:
        variant: Variant | None = catalog.get(variant_id)
        if variant is None:
            raise CartError(f"Cannot find variant {variant_id}")
        key = line_key(variant_id, properties)
        line = next((ln for ln in lines if ln["key"] == key), None)
        if line is None:
            if len(lines) >= MAX_LINES:
                raise CartError("The demo cart is full")
            line = {
                "key": key,
                "id": variant_id,
                "variant_id": variant_id,
                "quantity": 0,
                "title": variant.product_title,
                "product_title": variant.product_title,
                "price": variant.price,
                "properties": properties,
                "image": variant.image,
            }
            lines.append(line)
        line["quantity"] += quantity
        line["line_price"] = line["final_line_price"] = line["price"] * line["quantity"]
        added.append(line)
    return added


def line_key(variant_id: int, properties: dict[str, str]) -> str:
    """A line's key: its variant and properties (a change of properties makes a new key)."""
    digest = hashlib.sha256(json.dumps(properties, sort_keys=True).encode()).hexdigest()[:16]
    return f"{variant_id}:{digest}"


@dataclass(frozen=True)
class LineChange:
    """A parsed ``change.js`` body: which line (key or 1-based index), and what to set."""

    key: str | None
    line: int | None
    quantity: int | None
    properties: dict[str, str] | None


def parse_change(payload: Any) -> LineChange:
    """``{id: line key, quantity?, properties?}`` or ``{line: n, ...}``, as Shopify takes it."""
    if not isinstance(payload, dict):
        raise CartError("send a JSON object")
    key = payload.get("id")
    line = payload.get("line")
    if (key is None) == (line is None):
        raise CartError("name the line to change with id (its key) or line (its position)")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 100):
        raise CartError("id must be a cart line key")
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        raise CartError("line must be a position from 1")
    quantity = payload.get("quantity")
    if quantity is not None:
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= 999:
            raise CartError("quantity must be between 0 and 999")
    properties = payload.get("properties")
    return LineChange(key, line, quantity, None if properties is None else _properties(properties))


def change(lines: list[dict[str, Any]], asked: LineChange) -> list[dict[str, Any]]:
    """Change one line in place as ``cart/change.js`` does: new properties replace the old
    ones (the line keeps its place and gets a new key), quantity 0 removes it."""
    if asked.line is not None:
        index = asked.line - 1 if asked.line <= len(lines) else -1
    else:
        index = next((i for i, ln in enumerate(lines) if ln["key"] == asked.key), -1)
    if index < 0:
        raise CartError("Cannot find the cart line to change")
    line = lines[index]
    if asked.quantity == 0:
        del lines[index]
        return lines
    if asked.properties is not None:
        line["properties"] = asked.properties
        line["key"] = line_key(line["id"], asked.properties)
    if asked.quantity is not None:
        line["quantity"] = asked.quantity
    line["line_price"] = line["final_line_price"] = line["price"] * line["quantity"]
    twin = next((ln for ln in lines if ln is not line and ln["key"] == line["key"]), None)
    if twin is not None:  # now identical to another line: Shopify shows them as one
        twin["quantity"] += line["quantity"]
        twin["line_price"] = twin["final_line_price"] = twin["price"] * twin["quantity"]
        lines.remove(line)
    return lines


def _fee_cents(properties: dict[str, str], catalog: dict) -> int:
    """The fee the Cart Transform adds to a line (``extensions/luneo-fee-transform``'s rule:
    a design, a fee in cents, the fee product's variant), else 0."""
    fee = properties.get("_luneo_fee_cents", "")
    variant = properties.get("_luneo_fee_variant", "")
    if not properties.get("_luneo_design_id") or not fee.isdigit() or len(fee) > 7:
        return 0
    if not variant.isdigit() or int(variant) not in catalog or int(variant) != FEE_VARIANT_ID:
        return 0
    cents = int(fee)
    return cents if 0 < cents <= 1_000_000 else 0


def expand(lines: list[dict[str, Any]], catalog: dict) -> list[dict[str, Any]]:
    """The lines as Shopify shows them once the shop's Cart Transform ran: a personalized
    line keeps its quantity and gains the fee component at the exact price (one line)."""
    shown = []
    for line in lines:
        fee = _fee_cents(line.get("properties") or {}, catalog)
        if not fee:
            shown.append(line)
            continue
        unit = int(line["original_price"] if "original_price" in line else line["price"])
        price = unit + fee
        shown.append(
            {
                **line,
                "original_price": unit,
                "price": price,
                "line_price": price * line["quantity"],
                "final_line_price": price * line["quantity"],
                "components": [
                    {"title": line["product_title"], "price": unit, "quantity": 1},
                    {"title": FEE_TITLE, "price": fee, "quantity": 1},
                ],
            }
        )
    return shown


def summary(token: str, lines: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    """``cart.js``'s answer."""
    return {
        "token": token,
        "items": lines,
        "item_count": sum(ln["quantity"] for ln in lines),
        "total_price": sum(ln["line_price"] for ln in lines),
        "currency": currency,
    }
