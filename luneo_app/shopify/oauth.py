"""Authorization-code install, for installs started outside the Shopify admin.

``GET /auth/install?shop=`` stores a one-time ``state`` server-side (10 minutes) and in a
cookie, then sends the merchant to Shopify. ``GET /auth/callback`` accepts the return only
when the query's hex HMAC is Shopify's, the timestamp is recent, the shop is a
``myshopify.com`` domain, and the state is the one issued for that shop in this browser,
used once. Only then is the code exchanged (``expiring=1``). Nothing is written before.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app

from connectors.shopify import normalize_shop_domain, query_signature

from ..core.errors import Forbidden, LuneoError, Unauthorized, ValidationFailed
from .app_config import load_app_config
from .client import admin_api

STATE_TTL_SECONDS = 600
TIMESTAMP_TOLERANCE_SECONDS = 90
STATE_COOKIE = "luneo_oauth_state"
CALLBACK_PATH = "/auth/callback"


@dataclass(frozen=True)
class InstallStart:
    """Where to send the merchant, and the state to remember in their browser."""

    redirect_url: str
    state: str


@dataclass(frozen=True)
class VerifiedCallback:
    """A callback that passed every check: the shop and its authorization code."""

    shop_domain: str
    code: str


def _state_key(state: str) -> str:
    return f"luneo:shopify:oauth-state:{state}"


def begin_install(raw_shop: str | None) -> InstallStart:
    """Validate the shop, remember a one-time state, and build Shopify's authorize URL."""
    admin = admin_api()
    shop = normalize_shop_domain(raw_shop, allow_handle=True)
    if shop is None:
        raise ValidationFailed(
            "Give your shop's myshopify.com domain, for example acme.myshopify.com.",
            code="invalid_shop",
            status=400,
            details={"shop": raw_shop},
        )
    state = secrets.token_urlsafe(32)
    current_app.extensions["luneo.kv"].set_if_absent(_state_key(state), shop, STATE_TTL_SECONDS)
    redirect_uri = current_app.config["APP_URL"] + CALLBACK_PATH
    scopes = load_app_config().scopes
    return InstallStart(admin.authorize_url(shop, scopes, redirect_uri, state), state)


def verify_callback(
    params: Iterable[tuple[str, str]], cookie_state: str | None, now: float | None = None
) -> VerifiedCallback:
    """Check a callback's query (HMAC, timestamp, shop, one-time state); consume the state."""
    cfg = current_app.config
    params = list(params)
    values = dict(params)
    singles = [key for key, _ in params if not key.endswith("[]")]
    if len(singles) != len(set(singles)):
        raise ValidationFailed(
            "A query parameter appears twice.", code="invalid_callback", status=400
        )
    signature = values.get("hmac", "")
    secrets_to_try = [cfg.get("SHOPIFY_API_SECRET"), cfg.get("SHOPIFY_API_SECRET_OLD")]
    if not signature or not any(
        secret and hmac.compare_digest(query_signature(params, secret), signature.lower())
        for secret in secrets_to_try
    ):
        raise Unauthorized("The callback is not signed by Shopify.", code="invalid_hmac")
    try:
        timestamp = int(values.get("timestamp", ""))
    except ValueError as exc:
        raise ValidationFailed(
            "The callback has no timestamp.", code="stale_callback", status=400
        ) from exc
    if abs((now or time.time()) - timestamp) > TIMESTAMP_TOLERANCE_SECONDS:
        raise ValidationFailed(
            "The callback is too old; start again.", code="stale_callback", status=400
        )
    shop = normalize_shop_domain(values.get("shop"))
    if shop is None:
        raise ValidationFailed("The callback names no valid shop.", code="invalid_shop", status=400)
    state = values.get("state", "")
    issued_for = current_app.extensions["luneo.kv"].take(_state_key(state)) if state else None
    if (
        issued_for is None
        or not hmac.compare_digest(issued_for, shop)
        or not cookie_state
        or not hmac.compare_digest(cookie_state, state)
    ):
        raise Forbidden(
            "This install link was already used, has expired or is not yours; start again.",
            code="invalid_state",
        )
    code = values.get("code", "")
    if not code or len(code) > 256:
        raise ValidationFailed(
            "The callback has no authorization code.", code="invalid_callback", status=400
        )
    return VerifiedCallback(shop_domain=shop, code=code)


class InstallFailed(LuneoError):
    """Shopify refused or could not complete the code exchange."""

    status = 502
    code = "install_failed"
