"""Template helpers, error pages and headers of the console's blueprints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..admin.assets import asset_url
from ..auth.permissions import scopes_of
from .blueprints import auth_bp, pages_bp
from .pages import NAV
from .session import ReauthRequired, SignInRequired, csrf_token


@auth_bp.context_processor
@pages_bp.context_processor
def page_context() -> dict[str, Any]:
    """What every console page's template sees (also used by ``/console/sso``)."""
    account = request.environ.get("luneo.console_account")
    granted = scopes_of(account.role) if account is not None else frozenset()
    return {
        "asset_url": asset_url,
        "csrf_token": csrf_token,
        "account": account,
        "brand": getattr(g, "brand", None) if account is not None else None,
        "nav": NAV,
        "can": lambda scope: scope in granted,
    }


@pages_bp.errorhandler(ReauthRequired)
def _reauth(_exc: ReauthRequired):  # type: ignore[no-untyped-def]
    """A dangerous action without a recent sign-in: ask for the password, then go back."""
    referrer = urlsplit(request.referrer or "")
    back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    if not back.startswith("/console"):
        back = url_for("console.settings")
    return render_template("console/reauth.html", next=back, active=None), 403


@pages_bp.errorhandler(SignInRequired)
def _sign_in(_exc: SignInRequired) -> Response:
    return redirect(url_for("console_auth.login"))


def add_headers(response: Response) -> Response:
    """``after_request``: console answers are never cached or framed."""
    if request.path == "/console" or request.path.startswith("/console/"):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
    return response
