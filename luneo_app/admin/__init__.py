"""The embedded admin: the merchant's Luneo inside the Shopify admin.

Pages (``/admin``, blueprint ``admin``) and their JSON API (``/admin/api``, blueprint
``admin_api``) authenticate with App Bridge session tokens, never cookies; see
:mod:`.guard`. In the embedded default (demo mode) the same pages work in a plain browser tab
with locally signed demo session tokens.
"""

from __future__ import annotations

from flask import Flask


def init_admin(app: Flask) -> None:
    """Register the admin's pages and API, its session bounce and its frame headers."""
    from ..shopify.session import set_bounce_handler
    from .api import bp as api_bp
    from .guard import add_page_headers, bounce
    from .pages import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.after_request(add_page_headers)
    set_bounce_handler(app, bounce)
