"""Console actions against orders: the orders app (fake Shopify, a receiver, quick retries)."""

from tests.orders.conftest import app, fake_shopify, receiver  # noqa: F401 - fixtures
from tests.orders.test_rest_connector import brand_api  # noqa: F401 - fixture
