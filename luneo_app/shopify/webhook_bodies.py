"""What a webhook body must look like for its topic, and what it says about its shop and time.

Shopify's HMAC covers the body only: the topic, shop and time headers are not signed. So the
topic comes from the route (each topic has its own path in ``shopify.app.toml``), the body
must have the shape of that topic, and whatever the body says about its shop (``shop_domain``,
``shop_id``, ``myshopify_domain``) and its time (``updated_at``) is what Luneo believes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core.clock import as_utc
from ..core.errors import ValidationFailed

# Keys a topic's body must carry, and (for the privacy topics) the only keys it may carry.
_REQUIRED: Mapping[str, tuple[str, ...]] = {
    "customers/data_request": ("customer",),
    "customers/redact": ("customer",),
    "app/uninstalled": ("id",),
    "app_subscriptions/update": ("app_subscription",),
    "app_subscriptions/approaching_capped_amount": ("app_subscription",),
}
_ONLY: Mapping[str, frozenset[str]] = {
    "shop/redact": frozenset({"shop_id", "shop_domain"}),
    "customers/redact": frozenset({"shop_id", "shop_domain", "customer", "orders_to_redact"}),
    "customers/data_request": frozenset(
        {"shop_id", "shop_domain", "customer", "orders_requested", "data_request"}
    ),
}
_RESOURCE_PREFIXES = ("orders/", "products/")


@dataclass(frozen=True)
class SignedBody:
    """A webhook body that fits its topic, with what it says about its shop and time."""

    payload: dict[str, Any]
    sha256: str
    shop_domain: str | None  # the shop the signed body names, if it names one
    shop_id: str | None  # Shopify's numeric shop id, if the body names it
    occurred_at: datetime | None  # the body's own time of the change (``updated_at``)


def read_body(topic: str, body: bytes) -> SignedBody:
    """Parse a verified body and check that it fits ``topic``; raise 400 otherwise."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        payload = None
    if not isinstance(payload, dict):
        raise _refused({"body": "not a JSON object"})
    problems: dict[str, str] = {}
    required = _REQUIRED.get(topic, ("id",) if topic.startswith(_RESOURCE_PREFIXES) else ())
    for key in required:
        if payload.get(key) is None:
            problems[key] = f"required in a {topic} body"
    for key in ("customer", "app_subscription"):
        if key in required and key in payload and not isinstance(payload[key], dict):
            problems[key] = "must be an object"
    only = _ONLY.get(topic)
    if only is not None:
        for key in sorted(set(payload) - only):
            problems[key] = f"not part of a {topic} body"
        if topic == "shop/redact" and not (set(payload) & only):
            problems["shop_domain"] = "a shop/redact body names its shop"
    if problems:
        raise _refused(problems)
    domain_key = "myshopify_domain" if topic == "app/uninstalled" else "shop_domain"
    id_key = "id" if topic == "app/uninstalled" else "shop_id"
    return SignedBody(
        payload=payload,
        sha256=hashlib.sha256(body).hexdigest(),
        shop_domain=_text(payload.get(domain_key)),
        shop_id=_shop_id(payload.get(id_key)),
        occurred_at=_occurred_at(topic, payload),
    )


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (``Z`` allowed) as an aware UTC datetime; None when it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _occurred_at(topic: str, payload: dict[str, Any]) -> datetime | None:
    if topic == "app_subscriptions/update":
        return parse_time((payload.get("app_subscription") or {}).get("updated_at"))
    if topic.startswith(_RESOURCE_PREFIXES):
        return parse_time(payload.get("updated_at"))
    return None


def _text(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _shop_id(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).rsplit("/", 1)[-1]  # 548380009 or gid://shopify/Shop/548380009
    return text if text.isdigit() else None


def _refused(problems: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        "The webhook body does not fit its topic.",
        code="invalid_webhook_body",
        status=400,
        details=problems,
    )
