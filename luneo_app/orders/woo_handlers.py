"""WooCommerce's ``order.created`` / ``order.updated`` webhooks: link designs to the order.

Registered with :func:`luneo_app.commerce.woo_webhooks.on_topic`; the webhook layer has
already checked the signature and recorded the body once. Line item meta
``_luneo_design_id`` is read exactly as Shopify's line properties (:mod:`.intake`).
"""

from __future__ import annotations

from connectors.base import ConnectorRequestError
from connectors.woocommerce import order_from_body

from ..commerce.woo_webhooks import WooDelivery, on_topic
from .intake import sync_order

PLATFORM = "woocommerce"


@on_topic("order.created", "order.updated")
def order_changed(delivery: WooDelivery) -> str | None:
    """Create or update the order's Luneo lines; a cancelled order stops its production."""
    try:
        info = order_from_body(delivery.payload)
    except ConnectorRequestError as exc:
        return f"ignored: {exc}"
    return sync_order(delivery.brand, PLATFORM, info).note
