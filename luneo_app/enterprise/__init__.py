"""Enterprise sign-in wiring: the SAML routes (:mod:`luneo_app.sso`), SCIM
(:mod:`luneo_app.scim`) and the console page that configures both (``/console/sso``)."""

from __future__ import annotations

from flask import Flask


def init_enterprise(app: Flask) -> None:
    """Register ``/v1/auth/sso/saml``, ``/console/sso`` and ``/scim/v2``."""
    from ..scim.routes import bp as scim_bp
    from ..sso.routes import bp as sso_bp
    from .console_pages import bp as console_bp

    app.register_blueprint(sso_bp)
    app.register_blueprint(console_bp)
    app.register_blueprint(scim_bp)
