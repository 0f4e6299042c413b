"""Fixtures: an app wired to a fake Shopify (``SHOPIFY_ADMIN_ORIGIN``) and helpers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import g, jsonify

from luneo_app import create_app
from luneo_app.extensions import db as _db
from luneo_app.shopify.session import BOUNCE_EXTENSION, require_shop_session
from tests.conftest import clean_state, make_config
from tests.fakes.shopify import FakeShopify
from tests.shopify.helpers import API_KEY, API_SECRET


@pytest.fixture()
def fake_shopify() -> Iterator[FakeShopify]:
    with FakeShopify(API_KEY, API_SECRET) as fake:
        yield fake


def shopify_config(fake: FakeShopify, **overrides: object):  # type: ignore[no-untyped-def]
    """Test settings with real Shopify credentials pointed at the fake."""
    settings: dict[str, object] = {
        "SHOPIFY_API_KEY": API_KEY,
        "SHOPIFY_API_SECRET": API_SECRET,
        "SHOPIFY_ADMIN_ORIGIN": fake.origin,
        "DEMO_MODE": False,
    }
    settings.update(overrides)
    return make_config(**settings)


@pytest.fixture()
def app(_schema, fake_shopify):  # type: ignore[no-untyped-def]
    """The app with Shopify configured (overrides the suite's ``app``)."""
    application = create_app(shopify_config(fake_shopify))
    _add_whoami(application)
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()  # other suites share the server's connection slots


@pytest.fixture()
def build_app():  # type: ignore[no-untyped-def]
    """Make more apps in a test (other settings); their connections close afterwards."""
    built = []

    def build(config):  # type: ignore[no-untyped-def]
        application = create_app(config)
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _add_whoami(application) -> None:  # type: ignore[no-untyped-def]
    """A tiny admin view guarded by ``require_shop_session``, for the session tests."""

    @require_shop_session
    def whoami():  # type: ignore[no-untyped-def]
        return jsonify(
            shop=g.shop_domain,
            brand=g.brand.id,
            install=g.shop_install.id,
            user=g.shop_session.user_id,
            demo=g.shop_session.demo,
        )

    # These tests cover session.py's own bounce, not the one the admin pages install.
    application.extensions.pop(BOUNCE_EXTENSION, None)
    application.add_url_rule("/test-shopify/api/whoami", "test_whoami", whoami)
    application.add_url_rule("/test-shopify/page", "test_page", whoami)
