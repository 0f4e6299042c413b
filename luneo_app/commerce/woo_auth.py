"""Connecting a WooCommerce store: WooCommerce's key authorisation, then its webhooks.

1. :func:`start` (console): the store URL passes the SSRF guard; a one-time state is kept in
   the key-value store for an hour and the merchant is sent to
   ``{store}/wc-auth/v1/authorize?app_name&scope=read_write&user_id=<state>&return_url&callback_url``.
2. WooCommerce POSTs the new key to ``callback_url`` (:func:`complete`): the state names the
   brand (taken once); the key is tried on the store before it is kept (encrypted); then one
   webhook per topic is created with a per-store delivery URL
   (``/woocommerce/webhooks/<hook token>/<topic>``) and its own secret.
3. :func:`check_webhooks` reads the webhooks back (WooCommerce disables one after repeated
   failed deliveries), marks the store failing when one is off and :func:`reenable` turns it
   on again. A refused key marks the store failing too: the brand reconnects, orders that
   arrived by webhook meanwhile are already in Luneo.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import current_app, url_for

from connectors.base import ConnectorAuthError, ConnectorError, StoreAccess
from connectors.woocommerce import Keys, WooCommerceConnector

from ..core.clock import utcnow
from ..core.errors import LuneoError, Unauthorized, ValidationFailed
from ..extensions import db
from ..models import Brand, CommerceConnection
from .alerts import key_refused
from .connections import (
    checked_url,
    connection_of,
    mark_working,
    seal,
    set_platform,
    unseal,
)

log = logging.getLogger("luneo.commerce")

TOPICS = {
    "order-created": "order.created",
    "order-updated": "order.updated",
    "product-updated": "product.updated",
}
STATE_TTL = 3600
_STATE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_KEY = re.compile(r"^ck_[0-9a-f]{40}$")
_SECRET = re.compile(r"^cs_[0-9a-f]{40}$")


def _kv() -> Any:
    return current_app.extensions["luneo.kv"]


def connector(row: CommerceConnection) -> WooCommerceConnector:
    """The store's connector, holding its webhook secret."""
    timeout = float(current_app.config["OUTBOUND_WEBHOOK_TIMEOUT"])
    return WooCommerceConnector(unseal(row.inbound_secret_enc), timeout=timeout)


def store_of(row: CommerceConnection) -> StoreAccess:
    """Where and with which key to call the store."""
    if not row.credential_enc or not row.store_url:
        raise ValidationFailed("The store is not connected yet.", code="not_connected")
    return StoreAccess(row.store_url, unseal(row.credential_enc) or "")


def start(brand: Brand, store_url: str) -> str:
    """Begin connecting the store; returns the WooCommerce authorisation URL. Commits."""
    if brand.kind != "api":
        raise ValidationFailed("Shopify shops are connected by the Shopify app.", code="shopify")
    url = checked_url(store_url, "storeUrl")
    if url is None:
        raise ValidationFailed("Enter your store's address.", details={"storeUrl": "required"})
    row = connection_of(brand.id)
    if row is not None and row.platform != "woocommerce":
        raise ValidationFailed(
            "Disconnect your REST connector first.", code="other_platform_connected", status=409
        )
    state = secrets.token_urlsafe(32)
    if not _kv().set_if_absent(f"woo-auth:{state}", brand.id, STATE_TTL):
        raise LuneoError("Try again.", code="state_clash", status=409)  # pragma: no cover
    if row is not None and row.store_url != url:
        db.session.delete(row)
        db.session.flush()
        row = None
    if row is None:
        row = CommerceConnection(
            brand_id=brand.id,
            platform="woocommerce",
            status="pending",
            store_url=url,
            hook_token=secrets.token_urlsafe(24),
            webhooks={},
        )
        db.session.add(row)
    db.session.commit()
    app_url = current_app.config["APP_URL"]
    query = {
        "app_name": "Luneo",
        "scope": "read_write",
        "user_id": state,
        "return_url": app_url + url_for("console.connector"),
        "callback_url": app_url + url_for("commerce.woo_auth_callback"),
    }
    return f"{url}/wc-auth/v1/authorize?{urlencode(query)}"


def complete(body: Any) -> CommerceConnection:
    """WooCommerce's callback with the new key (see the module docstring). Commits."""
    if not isinstance(body, dict):
        raise ValidationFailed("Expected WooCommerce's JSON key body.", code="invalid_callback")
    state = str(body.get("user_id") or "")
    key, secret = str(body.get("consumer_key") or ""), str(body.get("consumer_secret") or "")
    problems = {}
    if not _STATE.match(state):
        problems["user_id"] = "missing or malformed"
    if not _KEY.match(key):
        problems["consumer_key"] = "missing or malformed"
    if not _SECRET.match(secret):
        problems["consumer_secret"] = "missing or malformed"
    if body.get("key_permissions") != "read_write":
        problems["key_permissions"] = "Luneo needs read_write"
    if problems:
        raise ValidationFailed(
            "The key body is incomplete.", code="invalid_callback", details=problems
        )
    brand_id = _kv().take(f"woo-auth:{state}")
    row = connection_of(brand_id) if brand_id else None
    if row is None or row.platform != "woocommerce":
        raise Unauthorized(
            "This authorisation is unknown or was already used.", code="invalid_state"
        )
    credential = Keys(key, secret).as_credential()
    store = StoreAccess(row.store_url or "", credential)
    try:
        connector(row).list_products(store, 1)  # the key must work before it is kept
    except ConnectorAuthError as exc:
        raise Unauthorized("The store refused this key.", code="key_refused") from exc
    except ConnectorError as exc:
        raise LuneoError(
            f"The store could not be reached: {exc}", code="store_unavailable", status=503
        ) from exc
    row.credential_enc = seal(credential)
    webhook_secret = secrets.token_urlsafe(32)
    row.inbound_secret_enc = seal(webhook_secret)
    row.status = "connected"
    row.connected_at = utcnow()
    row.last_error = None
    row.key_refused_at = None
    brand = db.session.get(Brand, row.brand_id)
    assert brand is not None
    set_platform(brand, "woocommerce")
    db.session.commit()
    _create_webhooks(row, store, webhook_secret)
    return row


def _delivery_url(row: CommerceConnection, slug: str) -> str:
    return current_app.config["APP_URL"] + url_for(
        "commerce.woo_webhook", token=row.hook_token, slug=slug
    )


def _create_webhooks(row: CommerceConnection, store: StoreAccess, secret: str) -> None:
    """One webhook per topic with the store's secret; failures are shown, not raised."""
    client = connector(row)
    hooks: dict[str, Any] = {}
    for slug, topic in TOPICS.items():
        old = (row.webhooks or {}).get(topic)
        try:
            if old and old.get("id"):
                client.delete_webhook(store, old["id"])
            made = client.create_webhook(store, topic, _delivery_url(row, slug), secret)
            hooks[topic] = {"id": made.id, "status": made.status}
        except ConnectorError as exc:
            hooks[topic] = {"id": None, "status": "missing", "error": str(exc)[:200]}
    row.webhooks = hooks
    if any(h["status"] != "active" for h in hooks.values()):
        row.status = "failing"
        row.last_error = "Some WooCommerce webhooks could not be created."
    db.session.commit()


def check_webhooks(row: CommerceConnection) -> dict[str, Any]:
    """Read each webhook's status from the store; a disabled one (or a refused key) marks
    the store failing. Returns the webhooks as now known. Commits."""
    client = connector(row)
    store = store_of(row)
    hooks = dict(row.webhooks or {})
    try:
        for topic, hook in hooks.items():
            if hook.get("id"):
                hooks[topic] = {
                    "id": hook["id"],
                    "status": client.get_webhook(store, hook["id"]).status,
                }
    except ConnectorAuthError:
        db.session.rollback()
        key_refused(row.id, "WooCommerce refused Luneo's key: reconnect the store")
        db.session.refresh(row)
        return hooks
    row.webhooks = hooks
    off = sorted(topic for topic, hook in hooks.items() if hook.get("status") != "active")
    if off:
        row.status = "failing"
        row.last_error = "WooCommerce disabled webhooks: " + ", ".join(off)
    else:
        mark_working(row)
    db.session.commit()
    return hooks


def reenable(row: CommerceConnection) -> dict[str, Any]:
    """Turn every webhook that is not active on again (missing ones are made). Commits."""
    client = connector(row)
    store = store_of(row)
    hooks = dict(row.webhooks or {})
    for topic, hook in hooks.items():
        if hook.get("status") == "active":
            continue
        if hook.get("id"):
            hooks[topic] = {
                "id": hook["id"],
                "status": client.enable_webhook(store, hook["id"]).status,
            }
    row.webhooks = hooks
    db.session.commit()
    if any(not hook.get("id") for hook in hooks.values()):
        _create_webhooks(row, store, unseal(row.inbound_secret_enc) or "")
    return check_webhooks(row)


def disconnect(brand: Brand) -> None:
    """Remove Luneo's webhooks from the store (best effort) and forget the store. Commits."""
    from .connections import disconnect as forget

    row = connection_of(brand.id)
    if row is not None and row.platform == "woocommerce" and row.credential_enc:
        client = connector(row)
        for hook in (row.webhooks or {}).values():
            if hook.get("id"):
                try:
                    client.delete_webhook(store_of(row), hook["id"])
                except ConnectorError:
                    log.warning("could not delete WooCommerce webhook %s", hook["id"])
    forget(brand)
    db.session.commit()


def describe_keys(row: CommerceConnection) -> str:
    """``ck_1234...`` for the console (never the secret)."""
    try:
        return json.loads(unseal(row.credential_enc) or "{}").get("key", "")[:7] + "…"
    except ValueError:
        return ""
