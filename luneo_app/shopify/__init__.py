"""Shopify: install (managed and OAuth), access tokens, session tokens, webhooks, privacy.

``init_shopify(app)`` reads ``shopify.app.toml``, builds the Admin client from the settings
and registers the routes. Other features use:

* :func:`~.session.require_shop_session` on embedded-admin views;
* :func:`~.tokens.shop_graphql` / :func:`~.tokens.access_token_for` to call the Admin API;
* :func:`~.webhooks.on_topic` to handle a webhook topic.
"""

from __future__ import annotations

import logging

from flask import Flask

from .app_config import load_app_config
from .client import EXTENSION, make_admin

log = logging.getLogger("luneo.shopify")


def init_shopify(app: Flask) -> None:
    """Bind the Shopify feature to an app: config, Admin client, routes, error shape."""
    from .routes import create_blueprint
    from .session import InvalidSession, answer_invalid_session

    app_config = load_app_config()
    app.extensions["luneo.shopify.app_config"] = app_config
    app.extensions[EXTENSION] = make_admin(app)
    api_key = app.config.get("SHOPIFY_API_KEY")
    if api_key and app_config.client_id and api_key != app_config.client_id:
        log.warning("SHOPIFY_API_KEY differs from client_id in shopify.app.toml")
    app.register_error_handler(InvalidSession, answer_invalid_session)
    app.register_blueprint(create_blueprint(app_config))
