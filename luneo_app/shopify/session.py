"""Who is calling the embedded admin: App Bridge session tokens.

:func:`require_shop_session` guards an admin view. It verifies the session token with
``shopifyapp``'s ``verify_app_home_req`` (HS256 with the app secret, ``aud`` = API key,
``exp``/``nbf`` with 10 s leeway; the shop comes from ``dest``, whose host must match
``iss``), installs the shop by token exchange when Luneo holds no usable token for it
(Shopify-managed install), and sets ``g.shop_session``, ``g.brand``, ``g.shop_install`` and
``g.shop_domain``.

* fetch requests (``Authorization: Bearer <token>``): a bad token answers 401 with
  ``X-Shopify-Retry-Invalid-Session-Request: 1`` so App Bridge retries with a fresh one;
* document loads (``?id_token=...``): a missing or bad token goes to the *bounce* hook
  (default: ``shopifyapp``'s redirect to the patch-id-token page, ``/auth/session-token``);
  a verified load gets the ``Content-Security-Policy: frame-ancestors`` header.

Demo mode (``DEMO_MODE``, no Shopify): tokens minted by :func:`issue_demo_session_token`
(signed with a secret derived from ``SECRET_KEY``, ``aud`` = ``luneo-demo``) are accepted
for ``DEMO_SHOP_DOMAIN`` only, and only while demo mode is on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import Response, after_this_request, current_app, g, jsonify, redirect, request
from shopify_app import verify_app_home_req

from connectors.shopify import ShopifyAuthError, ShopifyError, normalize_shop_domain

from ..core.errors import LuneoError, Unauthorized
from ..extensions import db
from ..models import Brand, ShopInstall
from ..web_errors import error_body
from .install import find_install, install_with_session_token
from .tokens import needs_new_token

log = logging.getLogger("luneo.shopify.session")

DEMO_AUDIENCE = "luneo-demo"
BOUNCE_PATH = "/auth/session-token"
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
BOUNCE_EXTENSION = "luneo.shopify.bounce"


@dataclass(frozen=True)
class ShopSession:
    """A verified admin session: the shop, its brand and install, and the staff member."""

    shop_domain: str
    brand_id: str
    install_id: str
    user_id: str | None
    session_id: str | None
    demo: bool
    document: bool


class InvalidSession(Unauthorized):
    """The session token is missing, malformed, expired or for another app or shop."""

    code = "invalid_session_token"


@dataclass(frozen=True)
class _Verified:
    """A verified token: its claims, the shop, and the headers a document load must carry."""

    claims: dict[str, Any]
    shop: str
    headers: dict[str, str]
    result: Any  # shopify_app's ResultWithExchangeableIdToken


def demo_secret() -> str:
    """The key demo session tokens are signed with (derived from ``SECRET_KEY``)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"luneo-demo-session-token", hashlib.sha256).hexdigest()


def demo_webhook_secret() -> str:
    """The key the demo shop's checkout signs its ``orders/create`` with (derived from
    ``SECRET_KEY``; accepted only in demo mode, for the demo shop)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"luneo-demo-webhook", hashlib.sha256).hexdigest()


def issue_demo_session_token(ttl: int = 60, user_id: str = "demo-staff") -> str:
    """A session token for the demo shop, shaped like App Bridge's. Demo mode only."""
    if not current_app.config["DEMO_MODE"]:
        raise LuneoError("Demo session tokens exist only in demo mode.", status=404)
    shop = current_app.config["DEMO_SHOP_DOMAIN"]
    now = int(time.time())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": DEMO_AUDIENCE,
        "sub": user_id,
        "exp": now + ttl,
        "nbf": now,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "sid": "demo",
    }
    return jwt.encode(claims, demo_secret(), algorithm="HS256")


def answer_invalid_session(exc: InvalidSession) -> Response:
    """401 for a fetch request, with the header that makes App Bridge retry."""
    db.session.rollback()
    response = jsonify(error_body(exc.status, exc.message, exc.code, exc.details))
    response.status_code = exc.status
    response.headers[RETRY_HEADER] = "1"
    return response


def set_bounce_handler(app: Any, handler: Callable[[], Any]) -> None:
    """Replace what a document load without a valid ``id_token`` gets (issue 6's page)."""
    app.extensions[BOUNCE_EXTENSION] = handler


def require_shop_session(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator: the view runs only with a verified session of an installed shop."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        outcome = load_shop_session()
        if isinstance(outcome, Response):
            return outcome
        return view(*args, **kwargs)

    return guarded


def load_shop_session() -> ShopSession | Response:
    """Verify the request's session token and set ``g.shop_session`` and friends.

    Returns the session, or the response to send instead (a bounce for document loads).
    Raises :class:`InvalidSession` (401 with the retry header) for fetch requests.
    """
    document = not request.headers.get("Authorization")
    try:
        verified = _verify()
    except InvalidSession:
        if document:
            return _bounce()
        raise
    demo = verified.claims.get("aud") == DEMO_AUDIENCE
    install = find_install(verified.shop)
    if demo:
        if install is None:
            raise LuneoError(
                "The demo shop is not seeded: run `flask luneo seed-demo`.", status=503
            )
    elif needs_new_token(install):
        install = _managed_install(verified)
    brand = db.session.get(Brand, install.brand_id)
    session = ShopSession(
        shop_domain=verified.shop,
        brand_id=brand.id,
        install_id=install.id,
        user_id=verified.result.user_id,
        session_id=verified.claims.get("sid"),
        demo=demo,
        document=document,
    )
    g.shop_session = session
    g.brand = brand
    g.shop_install = install
    g.shop_domain = session.shop_domain
    if document and verified.headers:

        @after_this_request
        def _frame_headers(response: Response) -> Response:
            for name, value in verified.headers.items():
                response.headers[name] = value
            return response

    return session


def _managed_install(verified: _Verified) -> ShopInstall:
    try:
        return install_with_session_token(verified.shop, verified.result.id_token)
    except ShopifyAuthError as exc:
        raise InvalidSession(
            "Shopify refused the session token.", details={"reason": exc.code}
        ) from exc
    except ShopifyError as exc:
        raise LuneoError(
            "Shopify could not install Luneo right now; try again in a moment.",
            code="shopify_unavailable",
            status=503,
        ) from exc


def _verify() -> _Verified:
    cfg = current_app.config
    token = _presented_token()
    if not token:
        raise InvalidSession("Send the App Bridge session token.")
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise InvalidSession("The session token is malformed.") from exc
    if unverified.get("aud") == DEMO_AUDIENCE and cfg["DEMO_MODE"]:
        app_config = {
            "client_id": DEMO_AUDIENCE,
            "client_secret": demo_secret(),
            "old_client_secret": None,
        }
    elif cfg.get("SHOPIFY_API_KEY") and cfg.get("SHOPIFY_API_SECRET"):
        app_config = {
            "client_id": cfg["SHOPIFY_API_KEY"],
            "client_secret": cfg["SHOPIFY_API_SECRET"],
            "old_client_secret": cfg.get("SHOPIFY_API_SECRET_OLD"),
        }
    else:
        raise InvalidSession("Shopify sessions are not configured.")
    result = verify_app_home_req(_request_input(), app_config, BOUNCE_PATH)  # type: ignore[arg-type]
    if not result.ok or result.id_token is None:
        raise InvalidSession("The session token is not valid.", details={"reason": result.log.code})
    claims = result.id_token.claims
    if not isinstance(claims.get("exp"), int):
        raise InvalidSession("The session token has no expiry.")
    shop = normalize_shop_domain(urlsplit(str(claims.get("dest", ""))).hostname)
    issuer = urlsplit(str(claims.get("iss", ""))).hostname
    if shop is None or issuer != shop:
        raise InvalidSession("The session token names no valid shop.")
    if claims.get("aud") == DEMO_AUDIENCE and shop != cfg["DEMO_SHOP_DOMAIN"]:
        raise InvalidSession("Demo session tokens are for the demo shop only.")
    asked = request.args.get("shop")
    if asked and normalize_shop_domain(asked) != shop:
        raise InvalidSession("The session token is for another shop.")
    return _Verified(claims, shop, dict(result.response.headers), result)


def _presented_token() -> str:
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""
    return request.args.get("id_token", "")


def _request_input() -> dict[str, Any]:
    """The request as ``shopifyapp`` wants it, with the public URL (proxies hide it)."""
    headers = {}
    if request.headers.get("Authorization"):
        headers["Authorization"] = "Bearer " + _presented_token()
    url = current_app.config["APP_URL"] + request.full_path.rstrip("?")
    return {"method": request.method, "headers": headers, "url": url, "body": ""}


def _bounce() -> Any:
    """A document load without a valid token: get a fresh one, then come back."""
    handler = current_app.extensions.get(BOUNCE_EXTENSION)
    if handler is not None:
        return handler()
    if current_app.config["DEMO_MODE"] and not current_app.config.get("SHOPIFY_API_SECRET"):
        # No App Bridge outside Shopify: come back with a demo token straight away.
        args = {k: v for k, v in request.args.items() if k != "id_token"}
        args["id_token"] = issue_demo_session_token()
        return redirect(f"{request.path}?{urlencode(args)}")
    shop = normalize_shop_domain(request.args.get("shop"))
    if shop is None:
        body = error_body(401, "Open Luneo from your Shopify admin.", "invalid_session_token")
        return jsonify(body), 401
    query = {k: v for k, v in request.args.items() if k != "id_token"}
    reload_path = request.path + (f"?{urlencode(query)}" if query else "")
    target = f"{BOUNCE_PATH}?{urlencode({**query, 'shopify-reload': reload_path})}"
    return redirect(target)
