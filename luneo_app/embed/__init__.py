"""Storefront embedding: embed tokens and their handshake, the widget page, its assets.

``init_embed(app)`` registers the ``/embed``, ``/v1/embed`` and ``/widget`` routes and the
embed-token verifier, so the ``/v1`` API accepts storefront tokens through the same code path as
API keys.
"""

from __future__ import annotations

from flask import Flask


def init_embed(app: Flask) -> None:
    """Bind the storefront embedding feature to ``app``."""
    from ..auth.principal import register_verifier
    from .api import bp as embed_api_bp
    from .assets import bp as widget_bp
    from .routes import bp as embed_bp
    from .verifier import embed_principal

    app.register_blueprint(embed_bp)
    app.register_blueprint(embed_api_bp)
    app.register_blueprint(widget_bp)
    register_verifier(embed_principal)
