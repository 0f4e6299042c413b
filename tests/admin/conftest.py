"""Fixtures of the embedded admin tests: an app wired to a fake Shopify (and its CDN), and a
demo-mode app with the demo shop seeded."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luneo_app import create_app
from luneo_app.extensions import db as _db
from tests.admin.helpers import demo_shop
from tests.conftest import clean_state, make_config
from tests.fakes.shopify import FakeShopify
from tests.fakes.shopify_cdn import FakeShopifyCdn
from tests.shopify.helpers import API_KEY, API_SECRET


@pytest.fixture()
def fake_shopify() -> Iterator[FakeShopify]:
    with FakeShopify(API_KEY, API_SECRET) as fake:
        yield fake


@pytest.fixture()
def cdn() -> Iterator[FakeShopifyCdn]:
    with FakeShopifyCdn() as fake:
        yield fake


@pytest.fixture()
def app(_schema, fake_shopify, cdn):  # type: ignore[no-untyped-def]
    """The app with real Shopify credentials, pointed at the fakes (overrides ``app``)."""
    application = create_app(
        make_config(
            SHOPIFY_API_KEY=API_KEY,
            SHOPIFY_API_SECRET=API_SECRET,
            SHOPIFY_ADMIN_ORIGIN=fake_shopify.origin,
            SHOPIFY_CDN_ORIGIN=cdn.origin,
            DEMO_MODE=False,
            OUTBOUND_WEBHOOK_ALLOW_PRIVATE=False,  # as in production
        )
    )
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()  # many apps per run: give their connections back at once


@pytest.fixture()
def demo_app(_schema):  # type: ignore[no-untyped-def]
    """The embedded default: demo mode, no Shopify, the demo shop seeded."""
    application = create_app(make_config(DEMO_MODE=True, SHOPIFY_API_SECRET=None))
    clean_state(application)
    with application.app_context():
        demo_shop(application)
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def demo_client(demo_app):  # type: ignore[no-untyped-def]
    return demo_app.test_client()
