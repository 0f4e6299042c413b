"""Billing fixtures: a small plans file, the fake Shopify and the fake Stripe, and an app
configured with all three (the real ``stripe`` library pointed at the fake)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from luneo_app import create_app
from luneo_app.extensions import db as _db
from tests.conftest import clean_state
from tests.fakes.shopify import FakeShopify
from tests.fakes.stripe import FakeStripe
from tests.shopify.conftest import shopify_config
from tests.shopify.helpers import API_KEY, API_SECRET

# Small allowances so tests cross them in a few events; same shape as plans.json.
PLANS = {
    "currency": "USD",
    "default": "free",
    "stripeMeters": {
        "designs": "luneo_ordered_designs",
        "aiImages": "luneo_ai_images",
        "bakes3d": "luneo_3d_bakes",
        "keptStorage": "luneo_kept_storage_cents",
    },
    "plans": [
        {
            "key": "free",
            "name": "Free",
            "priceCents": 0,
            "trialDays": 0,
            "includes": {
                "designs": 3,
                "aiImages": 2,
                "bakes3d": 1,
                "productionFiles": 3,
                "seats": 2,
            },
            "retentionDays": 30,
            "payToKeep": None,
            "overage": None,
            "usageCapCents": 0,
        },
        {
            "key": "growth",
            "name": "Growth",
            "priceCents": 2900,
            "trialDays": 14,
            "includes": {
                "designs": 5,
                "aiImages": 5,
                "bakes3d": 2,
                "productionFiles": 5,
                "seats": 5,
            },
            "retentionDays": 180,
            "payToKeep": {"centsPerGbMonth": 10},
            "overage": {"designs": 15, "aiImages": 6, "bakes3d": 10},
            "usageCapCents": 100,
        },
        {
            "key": "pro",
            "name": "Pro",
            "priceCents": 9900,
            "trialDays": 0,
            "includes": {
                "designs": 50,
                "aiImages": 50,
                "bakes3d": 20,
                "productionFiles": 50,
                "seats": 20,
            },
            "retentionDays": 730,
            "payToKeep": {"centsPerGbMonth": 8},
            "overage": {"designs": 10, "aiImages": 5, "bakes3d": 8},
            "usageCapCents": 10000,
        },
    ],
}


@pytest.fixture(scope="session")
def plans_file(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("billing") / "plans.json"
    path.write_text(json.dumps(PLANS))
    return path


@pytest.fixture()
def fake_shopify() -> Iterator[FakeShopify]:
    with FakeShopify(API_KEY, API_SECRET) as fake:
        yield fake


@pytest.fixture()
def fake_stripe() -> Iterator[FakeStripe]:
    with FakeStripe() as fake:
        fake.add_plan_prices(
            "growth", 2900, {"designs": 15, "aiImages": 6, "bakes3d": 10, "keptStorage": 1}
        )
        fake.add_plan_prices(
            "pro", 9900, {"designs": 10, "aiImages": 5, "bakes3d": 8, "keptStorage": 1}
        )
        yield fake


def billing_config(
    fake_shopify: FakeShopify, fake_stripe: FakeStripe, plans_file: Path, **overrides: object
):  # type: ignore[no-untyped-def]
    """Shopify pointed at its fake, the official stripe client at the fake Stripe."""
    settings: dict[str, object] = {
        "BILLING_PLANS_FILE": str(plans_file),
        "STRIPE_API_KEY": fake_stripe.api_key,
        "STRIPE_API_BASE": fake_stripe.origin,
        "STRIPE_WEBHOOK_SECRET": fake_stripe.webhook_secret,
        "SHOPIFY_BILLING_TEST": None,
    }
    settings.update(overrides)
    return shopify_config(fake_shopify, **settings)


@pytest.fixture()
def app(_schema, fake_shopify, fake_stripe, plans_file):  # type: ignore[no-untyped-def]
    application = create_app(billing_config(fake_shopify, fake_stripe, plans_file))
    clean_state(application)
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture()
def client(app, fake_stripe):  # type: ignore[no-untyped-def]
    test_client = app.test_client()
    fake_stripe.deliver = lambda body, headers: test_client.post(
        "/webhooks/stripe", data=body, headers=headers
    )
    return test_client
