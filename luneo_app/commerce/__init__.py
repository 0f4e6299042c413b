"""Commerce platforms: which one a brand sells on, its connection and secrets, and the
binding that feature code calls for it (:mod:`.platforms`).

Shopify shops are set up by the Shopify app (``luneo_app/shopify``); a brand's own REST API
(:mod:`.connections`) and WooCommerce stores (:mod:`.woo_auth`, :mod:`.woo_webhooks`) are
connected from the brand console.
"""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    """Route the REST connector's write-back and test events to the brand's order endpoint
    through the outbound webhooks."""
    from ..outbound.endpoints import register_target
    from .platforms import TEST_EVENT, WRITE_BACK_EVENT, write_back_target

    register_target(WRITE_BACK_EVENT, write_back_target)
    register_target(TEST_EVENT, write_back_target)
