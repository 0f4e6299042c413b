"""The support console's tests run against an app wired to the fake Shopify."""

from tests.shopify.conftest import app, fake_shopify  # noqa: F401 - fixtures
