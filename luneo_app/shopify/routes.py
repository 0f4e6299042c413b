"""Shopify's doors into Luneo: install (OAuth), the session-token bounce page, webhooks.

Webhook routes are the paths declared in ``shopify.app.toml``, so the blueprint is built
per app from that file.
"""

from __future__ import annotations

import logging

from apiflask import APIBlueprint
from flask import abort, current_app, jsonify, make_response, redirect, request
from shopify_app import app_home_patch_id_token

from connectors.shopify import ShopifyAuthError, ShopifyError, ShopifyRequestError

from ..core.ratelimit import setting
from ..extensions import limiter
from .app_config import ShopifyAppConfig
from .client import admin_api
from .install import install_with_code
from .oauth import STATE_COOKIE, STATE_TTL_SECONDS, InstallFailed, begin_install, verify_callback
from .session import BOUNCE_PATH, issue_demo_session_token
from .webhooks import receive

log = logging.getLogger("luneo.shopify")


# Made once: the blueprint is built per app, and each decoration would add one more limit.
_install_limit = limiter.limit(
    setting("RATE_LIMIT_INSTALL"), error_message="Too many installs started."
)


def create_blueprint(app_config: ShopifyAppConfig) -> APIBlueprint:
    """The ``shopify`` blueprint, with one webhook route per path in ``shopify.app.toml``."""
    bp = APIBlueprint("shopify", __name__, enable_openapi=False)

    @bp.get("/auth/install")
    @_install_limit
    def install():  # type: ignore[no-untyped-def]
        """Start an install from outside the admin: to Shopify's approval page."""
        start = begin_install(request.args.get("shop"))
        response = redirect(start.redirect_url)
        response.set_cookie(
            STATE_COOKIE,
            start.state,
            max_age=STATE_TTL_SECONDS,
            httponly=True,
            secure=current_app.config["APP_URL"].startswith("https://"),
            samesite="Lax",
            path="/auth",
        )
        return response

    @bp.get("/auth/callback")
    def callback():  # type: ignore[no-untyped-def]
        """Shopify's return from the approval page: verify it, then install."""
        verified = verify_callback(
            request.args.items(multi=True), request.cookies.get(STATE_COOKIE)
        )
        try:
            install_with_code(verified.shop_domain, verified.code)
        except (ShopifyAuthError, ShopifyRequestError) as exc:
            raise InstallFailed(
                "Shopify refused the authorization code; start the install again.",
                details={"reason": exc.code},
                status=400,
            ) from exc
        except ShopifyError as exc:
            raise InstallFailed(
                "Shopify could not complete the install; try again.", details={"reason": exc.code}
            ) from exc
        response = redirect(admin_api().app_url(verified.shop_domain))
        response.delete_cookie(STATE_COOKIE, path="/auth")
        return response

    @bp.get(BOUNCE_PATH)
    def session_token_bounce():  # type: ignore[no-untyped-def]
        """The tiny App Bridge page that fetches a fresh ``id_token`` and reloads."""
        api_key = current_app.config.get("SHOPIFY_API_KEY")
        if not api_key:
            abort(404)
        result = app_home_patch_id_token(
            {"method": "GET", "headers": {}, "url": request.url, "body": ""},
            {"client_id": api_key, "client_secret": "", "old_client_secret": None},
        )
        response = make_response(result.response.body, result.response.status)
        response.headers.update(result.response.headers)
        return response

    @bp.get("/auth/demo-session-token")
    def demo_session_token():  # type: ignore[no-untyped-def]
        """Demo mode only: a session token for the demo shop's admin pages."""
        if not current_app.config["DEMO_MODE"]:
            abort(404)
        return jsonify({"token": issue_demo_session_token(), "expiresIn": 60})

    def webhook():  # type: ignore[no-untyped-def]
        route = app_config.route_for(request.path)
        if route is None:  # pragma: no cover - every registered path has a route
            abort(404)
        receipt = receive(route, request.headers, request.get_data(cache=False), request.url)
        return jsonify({"duplicate": receipt.duplicate}), 200

    for route in app_config.webhook_routes:
        endpoint = "webhook_" + route.path.strip("/").replace("/", "_").replace("-", "_")
        bp.add_url_rule(route.path, endpoint, webhook, methods=["POST"])

    return bp
