"""shopify.app.toml is what Luneo serves: its webhook paths, topics, scopes and redirect."""

from __future__ import annotations

from luneo_app.config import Config
from luneo_app.shopify.app_config import load_app_config

REQUIRED_TOPICS = {
    "app/uninstalled",
    "orders/create",
    "orders/updated",
    "products/update",
    "products/delete",
    "app_subscriptions/update",
    "customers/data_request",
    "customers/redact",
    "shop/redact",
}


def test_the_toml_declares_every_topic_the_app_needs_and_the_embedded_app():
    config = load_app_config()

    assert REQUIRED_TOPICS <= config.topics
    assert config.embedded is True
    assert config.client_id and config.name and config.application_url.startswith("https://")
    assert config.redirect_paths == ("/auth/callback",)


def test_scopes_are_least_privilege():
    scopes = set(load_app_config().scopes)
    assert scopes == {
        "read_products",
        "read_orders",
        "write_orders",
        "read_themes",
        "write_cart_transforms",
    }
    # Read-only everywhere except orders, where Luneo writes the production links back, and
    # cart transforms, where Luneo creates the one that carries the personalization fee.
    assert {s for s in scopes if s.startswith("write_")} == {
        "write_orders",
        "write_cart_transforms",
    }


def test_every_webhook_path_of_the_toml_is_served_and_verified(client):
    for route in load_app_config().webhook_routes:
        response = client.post(route.path, data=b"{}", headers={"X-Shopify-Topic": "x"})

        assert response.status_code == 401, route.path  # served (not 404) and HMAC-checked


def test_webhooks_and_admin_calls_use_the_same_api_version():
    assert load_app_config().webhook_api_version == Config({}).SHOPIFY_API_VERSION
