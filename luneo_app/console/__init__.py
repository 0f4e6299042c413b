"""The brand console (``/console``): API brands sign in with a cookie session and manage
keys, webhooks, products and templates, designs, orders, their team and settings.

Pages and their JSON API authenticate with the console session only (never bearer tokens);
see :mod:`.session`. Permissions come from :mod:`luneo_app.auth.permissions`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_console(app: Flask) -> None:
    """Register the console's blueprints (their hooks are set up on import) and headers."""
    from . import api, auth_pages, billing_pages, connector_pages, hooks, pages  # noqa: F401 - routes register
    from .blueprints import api_bp, auth_bp, pages_bp

    app.permanent_session_lifetime = timedelta(hours=int(app.config["CONSOLE_SESSION_HOURS"]))
    app.register_blueprint(auth_bp)
    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.after_request(hooks.add_headers)
