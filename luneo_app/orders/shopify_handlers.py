"""Shopify's ``orders/*`` webhooks: link designs to the order, or stop its production.

Registered with :func:`luneo_app.shopify.webhooks.on_topic`; the webhook layer has already
checked the HMAC, recorded the delivery once per webhook id and skipped deliveries older
than one already handled for the same order. Several deliveries of one order, even with
different webhook ids and at the same moment, are safe: see :mod:`.intake`.
"""

from __future__ import annotations

from connectors.base import ConnectorRequestError
from connectors.shopify_commerce import order_from_webhook

from ..shopify.webhooks import WebhookDelivery, on_topic
from .intake import sync_order

PLATFORM = "shopify"


@on_topic("orders/create", "orders/updated", "orders/cancelled")
def order_changed(delivery: WebhookDelivery) -> str | None:
    """Create or update the order's Luneo lines; a cancelled order stops its production.

    Every ``orders/*`` body is the whole order, so the three topics share one path.
    """
    if delivery.brand is None:
        return "unknown shop"
    try:
        info = order_from_webhook(delivery.payload)
    except ConnectorRequestError as exc:
        return f"ignored: {exc}"
    return sync_order(delivery.brand, PLATFORM, info).note
