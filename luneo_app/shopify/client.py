"""The app's Shopify Admin client (``connectors.shopify.ShopifyAdmin``), built from settings."""

from __future__ import annotations

from flask import Flask, current_app

from connectors.shopify import ShopifyAdmin

from ..core.errors import LuneoError

EXTENSION = "luneo.shopify.admin"


class ShopifyNotConfigured(LuneoError):
    """The app runs without Shopify credentials (demo mode)."""

    status = 503
    code = "shopify_not_configured"


def make_admin(app: Flask) -> ShopifyAdmin | None:
    """A client when ``SHOPIFY_API_KEY`` and ``SHOPIFY_API_SECRET`` are set, else None."""
    cfg = app.config
    if not (cfg.get("SHOPIFY_API_KEY") and cfg.get("SHOPIFY_API_SECRET")):
        return None
    return ShopifyAdmin(
        cfg["SHOPIFY_API_KEY"],
        cfg["SHOPIFY_API_SECRET"],
        cfg["SHOPIFY_API_VERSION"],
        admin_origin=cfg.get("SHOPIFY_ADMIN_ORIGIN"),
        old_api_secret=cfg.get("SHOPIFY_API_SECRET_OLD"),
    )


def admin_api() -> ShopifyAdmin:
    """The current app's Shopify client; raises :class:`ShopifyNotConfigured` in demo mode."""
    admin = current_app.extensions.get(EXTENSION)
    if admin is None:
        raise ShopifyNotConfigured(
            "Shopify is not configured: set SHOPIFY_API_KEY and SHOPIFY_API_SECRET."
        )
    return admin
