"""Who may see the embedded admin, and the headers every admin page carries.

* pages (document loads) verify the ``id_token`` query parameter with
  :func:`~luneo_app.shopify.session.load_shop_session`; a missing or bad one goes to
  :func:`bounce` (Shopify's session-token page, which lets App Bridge put a fresh token on
  the URL and reload; in demo mode straight back with a locally signed demo token);
* the JSON API (``/admin/api/...``) wants ``Authorization: Bearer <session token>``; a
  missing or bad one is a 401 with ``X-Shopify-Retry-Invalid-Session-Request: 1``;
* every HTML answer under ``/admin`` carries
  ``Content-Security-Policy: frame-ancestors https://{shop} https://admin.shopify.com``
  (the verified shop; before verification, the ``shop`` the URL names, if it is one).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, g, make_response, redirect, render_template, request

from connectors.shopify import normalize_shop_domain

from ..shopify.session import (
    BOUNCE_PATH,
    InvalidSession,
    ShopSession,
    issue_demo_session_token,
    load_shop_session,
)

ADMIN_PREFIX = "/admin"
API_PREFIX = "/admin/api"
# Query parameters Shopify puts on the app URL that later admin links keep.
CARRIED_ARGS = ("shop", "host", "embedded", "locale")


def demo_active() -> bool:
    """Demo mode, and no real Shopify credentials (they always switch the demo off)."""
    cfg = current_app.config
    has_shopify = bool(cfg.get("SHOPIFY_API_KEY") and cfg.get("SHOPIFY_API_SECRET"))
    return bool(cfg.get("DEMO_MODE")) and not has_shopify


def frame_ancestors(shop: str | None) -> str:
    """The CSP that lets only the shop's admin (and Shopify's unified admin) frame Luneo."""
    origins = (f"https://{shop} " if shop else "") + "https://admin.shopify.com"
    return f"frame-ancestors {origins};"


def guard_page() -> Response | None:
    """``before_request`` of the pages: a verified session, or the bounce."""
    outcome = load_shop_session()
    # Anything but a verified session is the answer to send instead (fail closed).
    return None if isinstance(outcome, ShopSession) else outcome


def guard_api() -> None:
    """``before_request`` of the JSON API: a verified bearer session token, else 401."""
    if not request.headers.get("Authorization"):
        raise InvalidSession("Send the App Bridge session token as a Bearer token.")
    load_shop_session()


def current_session() -> ShopSession:
    """The verified session of this request (set by the guards)."""
    return g.shop_session


def actor() -> str:
    """Who acts, for the audit trail: the shop's staff member behind the session token."""
    session = current_session()
    return f"shopify:{session.shop_domain}:{session.user_id or 'unknown'}"


def carried_args() -> dict[str, str]:
    """The Shopify parameters of this page that links to other admin pages keep."""
    args = {k: request.args[k] for k in CARRIED_ARGS if request.args.get(k)}
    if getattr(g, "shop_domain", None):
        args["shop"] = g.shop_domain
    return args


def bounce() -> Any:
    """A document load without a valid ``id_token``: get a fresh one, then come back."""
    args = {k: v for k, v in request.args.items() if k != "id_token"}
    path = "/" + request.path.lstrip("/")  # never a protocol-relative ``//host`` target
    if demo_active():
        args["shop"] = current_app.config["DEMO_SHOP_DOMAIN"]
        args["id_token"] = issue_demo_session_token()
        return redirect(f"{path}?{urlencode(args)}")
    shop = normalize_shop_domain(request.args.get("shop"))
    if shop is None:
        return make_response(render_template("admin/open_in_shopify.html"), 401)
    reload_path = path + (f"?{urlencode(args)}" if args else "")
    return redirect(f"{BOUNCE_PATH}?{urlencode({**args, 'shopify-reload': reload_path})}")


def add_page_headers(response: Response) -> Response:
    """``after_app_request``: frame-ancestors on every admin HTML answer; no caching."""
    path = request.path
    if not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
        return response
    if path.startswith(API_PREFIX + "/"):
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    if response.mimetype != "text/html":
        return response
    if "Content-Security-Policy" not in response.headers:
        shop = getattr(g, "shop_domain", None) or normalize_shop_domain(request.args.get("shop"))
        response.headers["Content-Security-Policy"] = frame_ancestors(shop)
    _trim_preloads(response)
    # Pages carry the session token in their URL: keep it out of caches and referrers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _trim_preloads(response: Response) -> None:
    """Keep Shopify's App Bridge preload, drop Polaris' (the admin ships its own styles);
    in demo mode there is no Shopify CDN to preload from at all."""
    link = response.headers.get("Link")
    if not link:
        return
    kept = [part.strip() for part in link.split(",") if "polaris" not in part]
    if demo_active() or not kept:
        del response.headers["Link"]
    else:
        response.headers["Link"] = ", ".join(kept)
