"""Helpers of the Shopify tests: signing webhooks and callbacks as Shopify does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import shopify

from luneo_app.extensions import db
from luneo_app.models import ShopInstall
from luneo_app.shopify.app_config import load_app_config

API_KEY = load_app_config().client_id
API_SECRET = "shpss_test_secret_0123456789abcdef0123"
SHOP = "acme-mugs.myshopify.com"

_PATHS = {topic: route.path for route in load_app_config().webhook_routes for topic in route.topics}


def webhook_headers(
    body: bytes,
    topic: str,
    shop: str = SHOP,
    webhook_id: str | None = None,
    triggered_at: datetime | None = None,
    secret: str = API_SECRET,
) -> dict[str, str]:
    """The headers Shopify sends with a webhook, HMAC included (base64 of the raw body)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-API-Version": load_app_config().webhook_api_version,
        "X-Shopify-Triggered-At": (triggered_at or datetime.now(UTC)).isoformat(),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
    }


def post_webhook(client, topic: str, payload: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    """POST a signed webhook to the path ``shopify.app.toml`` declares for its topic."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = webhook_headers(body, topic, **kwargs)
    return client.post(_PATHS[topic], data=body, headers=headers)


def signed_callback_query(params: dict[str, str], secret: str = API_SECRET) -> dict[str, str]:
    """Sign callback parameters with Shopify's own code (ShopifyAPI's ``calculate_hmac``)."""
    previous = shopify.Session.secret
    shopify.Session.secret = secret
    try:
        return {**params, "hmac": shopify.Session.calculate_hmac(params)}
    finally:
        shopify.Session.secret = previous


def callback_params(
    shop: str, state: str, code: str, timestamp: int | None = None
) -> dict[str, str]:
    """The parameters Shopify puts on the redirect back to ``/auth/callback``."""
    host = base64.urlsafe_b64encode(f"admin.shopify.com/store/{shop.split('.')[0]}".encode())
    return {
        "code": code,
        "host": host.decode().rstrip("="),
        "shop": shop,
        "state": state,
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
    }


def seed_install(app, fake, shop: str = SHOP, expires_in: int = 3600, expiring: bool = True):  # type: ignore[no-untyped-def]
    """An installed shop whose tokens the fake really issued; returns (brand, install, grant)."""
    from connectors.shopify import TokenGrant
    from luneo_app.shopify.tokens import store_grant
    from tests.support.factories import make_shop

    issued = fake.issue_tokens(shop, expiring=expiring, expires_in=expires_in)
    now = datetime.now(UTC)
    grant = TokenGrant(
        access_token=issued["access_token"],
        scopes=tuple(issued["scope"].split(",")),
        expires_at=now + timedelta(seconds=expires_in) if expiring else None,
        refresh_token=issued.get("refresh_token"),
        refresh_token_expires_at=now + timedelta(days=90) if expiring else None,
    )
    brand, install = make_shop(
        shop, installed_at=now - timedelta(days=1), shop_id=str(fake.shop_id(shop))
    )
    store_grant(install, grant)
    db.session.commit()
    return brand, install, grant


def install_of(shop: str = SHOP) -> ShopInstall | None:
    db.session.expire_all()
    return db.session.query(ShopInstall).filter_by(shop_domain=shop).one_or_none()
