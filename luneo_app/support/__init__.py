"""The support console (``/support``): Luneo staff review and repair installs.

Staff sign in with password and TOTP (:mod:`luneo_app.staff.session`); ``support`` reads,
``admin`` acts. Personal data is masked until an audited reveal (:mod:`.pii`); every action
has a reason and an audit event (:mod:`.actions`). 5xx answers are kept 30 days with their
brand and request id (:mod:`.server_errors`).
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.wrappers import Response


def init_support(app: Flask) -> None:
    """Register the console's blueprints (their hooks are set up on import) and headers."""
    from . import auth_pages, hooks, merchant_view, routes, server_errors  # noqa: F401
    from .blueprints import auth_bp, pages_bp

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
