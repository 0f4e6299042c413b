"""Fixtures of the orders tests: the app wired to a fake Shopify and a fake brand endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luneo_app import create_app
from luneo_app.extensions import db as _db
from tests.conftest import clean_state
from tests.fakes.receiver import FakeReceiver
from tests.fakes.shopify import FakeShopify
from tests.shopify.conftest import shopify_config
from tests.shopify.helpers import API_KEY, API_SECRET

ENDPOINT_SECRET = "whsec_test_endpoint_secret_0123456789"


@pytest.fixture()
def fake_shopify() -> Iterator[FakeShopify]:
    with FakeShopify(API_KEY, API_SECRET) as fake:
        yield fake


@pytest.fixture()
def receiver() -> Iterator[FakeReceiver]:
    with FakeReceiver(ENDPOINT_SECRET) as fake:
        yield fake


def orders_config(fake: FakeShopify, **overrides: object):  # type: ignore[no-untyped-def]
    """Shopify pointed at the fake, webhooks allowed to loopback, quick retries."""
    settings: dict[str, object] = {
        "OUTBOUND_WEBHOOK_ALLOW_PRIVATE": True,
        "OUTBOUND_WEBHOOK_RETRY_BASE": 0.0,
        "OUTBOUND_WEBHOOK_TIMEOUT": 5.0,
        "JOB_RETRY_BACKOFF": 0,
    }
    settings.update(overrides)
    return shopify_config(fake, **settings)


@pytest.fixture()
def app(_schema, fake_shopify):  # type: ignore[no-untyped-def]
    application = create_app(orders_config(fake_shopify))
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()  # the server is shared: hold no idle connections between tests
