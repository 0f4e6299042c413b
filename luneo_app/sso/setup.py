"""Wiring of enterprise sign-in: the SAML routes, the console's SSO page and SCIM."""

from __future__ import annotations

from flask import Flask


def init_sso(app: Flask) -> None:
    """Register ``/v1/auth/sso/saml``, ``/console/sso`` and ``/scim/v2``."""
    from ..scim.routes import bp as scim_bp
    from .console_pages import bp as console_bp
    from .routes import bp

    app.register_blueprint(bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(scim_bp)
