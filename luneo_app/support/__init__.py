"""The support console (``/support``): Luneo staff review and repair installs.

Staff sign in with password and TOTP (:mod:`luneo_app.staff.session`); ``support`` reads,
``admin`` acts. Personal data is masked until an audited reveal (:mod:`.pii`); every action
has a reason and an audit event (:mod:`.actions`). 5xx answers are kept 30 days with their
brand and request id (:mod:`.server_errors`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, render_template, request
from werkzeug.wrappers import Response

from ..admin.assets import asset_url
from ..core.errors import LuneoError
from ..staff import session


def init_support(app: Flask) -> None:
    """Register the console's blueprints, template helpers, error pages and hooks."""
    from . import auth_pages, routes, server_errors  # noqa: F401 - routes register on import
    from .blueprints import auth_bp, pages_bp
    from .health import badges_of
    from .pii import show

    @auth_bp.context_processor
    @pages_bp.context_processor
    def _context() -> dict[str, Any]:
        return {
            "asset_url": asset_url,
            "csrf_token": session.csrf_token,
            "staff": g.get("support_staff"),
            "pii": show,
            "health_of": badges_of,
        }

    @pages_bp.errorhandler(LuneoError)
    def _error(exc: LuneoError):  # type: ignore[no-untyped-def]
        if exc.status == 401:
            from flask import redirect, url_for

            return redirect(url_for("support_auth.login"))
        return render_template("support/error.html", error=exc, active=None), exc.status

    @pages_bp.after_request
    def _touch(response: Response) -> Response:
        return session.touch(response)

    def _headers(response: Response) -> Response:
        if request.path == "/support" or request.path.startswith("/support/"):
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    app.register_blueprint(auth_bp)
    app.register_blueprint(pages_bp)
    app.after_request(_headers)
    server_errors.init_app(app)
