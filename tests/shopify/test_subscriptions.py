"""``app_subscriptions/update`` keeps the brand's plan in step with Shopify billing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import BillingAccount, Brand
from tests.shopify.helpers import post_webhook, seed_install


def _subscription(status: str, name: str = "Pro") -> dict:
    return {
        "app_subscription": {
            "admin_graphql_api_id": "gid://shopify/AppSubscription/1",
            "name": name,
            "status": status,
            "currency": "USD",
            "capped_amount": "20.0",
        }
    }


def test_an_active_subscription_sets_the_plan_and_a_cancelled_one_drops_it(
    app, client, fake_shopify
):
    brand, _, _ = seed_install(app, fake_shopify)
    brand_id = brand.id
    now = datetime.now(UTC)
    assert (
        post_webhook(
            client, "app_subscriptions/update", _subscription("ACTIVE"), triggered_at=now
        ).status_code
        == 200
    )
    db.session.expire_all()
    brand = db.session.get(Brand, brand_id)
    assert brand.plan == "pro"  # the plan named by the subscription, by its key
    account = db.session.scalar(select(BillingAccount).filter_by(brand_id=brand_id))
    assert (account.status, account.subscription_id, account.capped_amount_cents) == (
        "active",
        "gid://shopify/AppSubscription/1",
        2000,
    )

    assert (
        post_webhook(
            client,
            "app_subscriptions/update",
            _subscription("CANCELLED"),
            triggered_at=now + timedelta(seconds=5),
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert db.session.get(Brand, brand_id).plan == "free"


def test_an_older_subscription_update_does_not_overwrite_a_newer_one(app, client, fake_shopify):
    brand, _, _ = seed_install(app, fake_shopify)
    brand_id = brand.id
    now = datetime.now(UTC)
    post_webhook(client, "app_subscriptions/update", _subscription("CANCELLED"), triggered_at=now)
    post_webhook(
        client,
        "app_subscriptions/update",
        _subscription("ACTIVE"),
        triggered_at=now - timedelta(minutes=5),
    )
    db.session.expire_all()
    assert db.session.get(Brand, brand_id).plan == "free"
