"""A brand's commerce connection: which platform it sells on, and that platform's secrets.

The brand's platform setting is ``brands.settings["commercePlatform"]`` (``rest`` or
``woocommerce``; absent means orders come through ``POST /v1/orders`` only); Shopify brands
are Shopify by kind. :func:`platform_of` is the only reader. Secrets Luneo makes (the REST
inbound and outbound secrets) are shown once and kept encrypted with the app's keyring, like
the brand's own keys (REST API key, WooCommerce consumer key and secret).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..extensions import db
from ..models import Brand, CommerceConnection
from ..outbound.endpoints import EndpointRefused, check_url

log = logging.getLogger("luneo.commerce")

PLATFORMS = ("shopify", "rest", "woocommerce", "api")
SETTING = "commercePlatform"
INBOUND_PREFIX = "lcin_"
OUTBOUND_PREFIX = "whsec_"


def platform_of(brand: Brand) -> str:
    """The platform the brand's orders come from: ``shopify``, ``rest``, ``woocommerce`` or
    ``api`` (its own backend calls ``POST /v1/orders``; nothing to read or write back)."""
    if brand.kind == "shopify":
        return "shopify"
    chosen = (brand.settings or {}).get(SETTING)
    return chosen if chosen in ("rest", "woocommerce") else "api"


def connection_of(brand_id: str) -> CommerceConnection | None:
    """The brand's connection row, if it set one up."""
    return db.session.scalar(
        select(CommerceConnection).where(CommerceConnection.brand_id == brand_id)
    )


def _keyring() -> Any:
    return current_app.extensions["luneo.keyring"]


def seal(value: str) -> str:
    """Encrypt a secret for storage."""
    return _keyring().encrypt(value)


def unseal(value: str | None) -> str | None:
    """A stored secret in clear (for signing or calling only; never log it)."""
    return _keyring().decrypt(value) if value else None


def set_platform(brand: Brand, platform: str | None) -> None:
    settings = dict(brand.settings or {})
    if platform is None:
        settings.pop(SETTING, None)
    else:
        settings[SETTING] = platform
    brand.settings = settings


def checked_url(value: str | None, field: str) -> str | None:
    """An https URL that passes the webhook SSRF guard, or None when empty; 422 otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return check_url(text).rstrip("/")
    except EndpointRefused as exc:
        raise ValidationFailed(
            "A store URL is not allowed.", code="invalid_store_url", details={field: exc.message}
        ) from exc


def configure_rest(
    brand: Brand, *, base_url: str | None, api_key: str | None, order_endpoint: str | None
) -> CommerceConnection:
    """Set the brand's REST connector (its API base URL and key, its order endpoint).

    URLs pass the same SSRF guard as webhook URLs. An empty ``api_key`` keeps the stored
    one. Switching from another platform starts a fresh connection. The caller commits.
    """
    if brand.kind != "api":
        raise ValidationFailed("Shopify shops are connected by the Shopify app.", code="shopify")
    base = checked_url(base_url, "baseUrl")
    endpoint = checked_url(order_endpoint, "orderEndpoint")
    key = (api_key or "").strip()
    if len(key) > 4096:
        raise ValidationFailed("The API key is too long.", details={"apiKey": "too long"})
    row = connection_of(brand.id)
    if row is not None and row.platform != "rest":
        raise ValidationFailed(
            "Disconnect the WooCommerce store first.", code="other_platform_connected", status=409
        )
    if row is None:
        row = CommerceConnection(
            brand_id=brand.id, platform="rest", status="connected", webhooks={}
        )
        row.connected_at = utcnow()
        db.session.add(row)
    row.store_url = base
    row.outbound_url = endpoint
    if key:
        row.credential_enc = seal(key)
        row.key_refused_at = None
    elif base is None:
        row.credential_enc = None
    row.status = "connected"
    row.last_error = None
    set_platform(brand, "rest")
    return row


def new_inbound_secret(row: CommerceConnection) -> str:
    """A new secret for the brand to sign its order events with (shown once); the old one
    stops at once. The caller commits."""
    secret = INBOUND_PREFIX + secrets.token_urlsafe(32)
    row.inbound_secret_enc = seal(secret)
    return secret


def new_outbound_secret(row: CommerceConnection) -> str:
    """A new secret Luneo signs its write-back events with (shown once). The caller commits."""
    secret = OUTBOUND_PREFIX + secrets.token_urlsafe(32)
    row.outbound_secret_enc = seal(secret)
    return secret


def disconnect(brand: Brand) -> None:
    """Forget the brand's connection and its secrets. The caller commits (and, for
    WooCommerce, has removed the store's webhooks first)."""
    row = connection_of(brand.id)
    if row is not None:
        db.session.delete(row)
    set_platform(brand, None)


def mark_failing(connection_id: str, reason: str) -> None:
    """Record that the store refused Luneo (revoked key, disabled webhook), in its own short
    transaction so the caller's rollback keeps it. The brand sees it in its console and
    support in the support console."""
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(
            update(CommerceConnection)
            .where(CommerceConnection.id == connection_id)
            .values(
                status="failing",
                failures=CommerceConnection.failures + 1,
                last_error=reason[:500],
                updated_at=now,
            )
        )
    log.warning("commerce connection %s failing: %s", connection_id, reason[:200])


def mark_working(row: CommerceConnection) -> None:
    """The store answered again: clear the failure. The caller commits."""
    if row.status == "failing":
        row.status = "connected"
        row.last_error = None
    row.key_refused_at = None  # the incident is over: a later refusal is told again


def describe(row: CommerceConnection | None) -> dict[str, Any]:
    """The connection as the console shows it (no secrets, only whether they are set)."""
    if row is None:
        return {"platform": None}
    return {
        "platform": row.platform,
        "status": row.status,
        "storeUrl": row.store_url,
        "orderEndpoint": row.outbound_url,
        "hasApiKey": bool(row.credential_enc),
        "hasInboundSecret": bool(row.inbound_secret_enc),
        "hasOutboundSecret": bool(row.outbound_secret_enc),
        "webhooks": row.webhooks or {},
        "connectedAt": row.connected_at.isoformat() if row.connected_at else None,
        "lastEventAt": row.last_event_at.isoformat() if row.last_event_at else None,
        "lastError": row.last_error,
    }
