"""A design's price add-on, computed by the server from the product's template.

The widget shows the same figure while the shopper works (``widget/app/design.js``,
``addOnCents``); the server's figure is the one that counts: ``GET /v1/designs/{id}``
returns it and ``POST /v1/orders`` flags an order whose stated price disagrees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DesignPrice:
    """What personalization adds to the product's own price, in the brand's currency."""

    add_on_cents: int
    currency: str

    def as_dict(self) -> dict[str, Any]:
        return {"addOnCents": self.add_on_cents, "currency": self.currency}


def _used(option: dict[str, Any], options: dict[str, Any]) -> bool:
    if option.get("id") not in options:
        return False
    value = options[option["id"]]
    if isinstance(value, str):
        return bool(value.strip())
    return True


def _visible(option: dict[str, Any], options: dict[str, Any]) -> bool:
    cond = option.get("showWhen")
    if not isinstance(cond, dict) or not cond.get("option"):
        return True
    return options.get(cond["option"]) == cond.get("equals")


def add_on_cents(template: dict[str, Any], options: dict[str, Any]) -> int:
    """Used, visible options' own price plus the chosen values' prices."""
    cents = 0
    for option in template.get("options") or []:
        if not isinstance(option, dict) or not _visible(option, options):
            continue
        if not _used(option, options):
            continue
        cents += int(option.get("priceCents") or 0)
        for entry in option.get("values") or []:
            if isinstance(entry, dict) and entry.get("value") == options[option["id"]]:
                cents += int(entry.get("priceCents") or 0)
                break
    return cents


def design_price(template: dict[str, Any], options: dict[str, Any], currency: str) -> DesignPrice:
    """The server's price add-on of a design with ``options`` on a product with ``template``."""
    return DesignPrice(add_on_cents(template or {}, options or {}), currency or "USD")
