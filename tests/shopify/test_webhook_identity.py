"""Webhooks trust only what Shopify signs: the body. Topic from the route, shop from the
body, time from the body, one effect per body."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from luneo_app.extensions import db
from luneo_app.models import Brand, Product, WebhookEvent
from tests.shopify.helpers import SHOP, install_of, post_webhook, seed_install, webhook_headers
from tests.support.factories import make_product, make_shop

OTHER = "victim-store.myshopify.com"


def _uninstalled(app, fake, shop):  # type: ignore[no-untyped-def]
    """An installed shop that uninstalled the app: shop/redact may erase it."""
    brand, install, _grant = seed_install(app, fake, shop=shop)
    install.uninstalled_at = datetime.now(UTC) - timedelta(days=2)
    db.session.commit()
    return brand


def _post_raw(client, path: str, payload, topic: str, shop: str):  # type: ignore[no-untyped-def]
    body = json.dumps(payload).encode()
    return client.post(path, data=body, headers=webhook_headers(body, topic, shop=shop))


def test_a_data_request_body_replayed_on_the_shop_redact_route_for_another_shop_erases_nothing(
    app, client, fake_shopify
):
    seed_install(app, fake_shopify)
    victim = _uninstalled(app, fake_shopify, OTHER)
    data_request = {
        "shop_id": fake_shopify.shop_id(SHOP),
        "shop_domain": SHOP,
        "customer": {"id": 1, "email": "jane@example.com"},
        "orders_requested": [],
        "data_request": {"id": 9},
    }

    # The header says shop/redact as well: the route and the body decide, not the header.
    response = _post_raw(
        client, "/webhooks/shopify/shop-redact", data_request, "shop/redact", OTHER
    )

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_webhook_body"
    assert "customer" in response.get_json()["error"]["details"]
    assert db.session.get(Brand, victim.id) is not None
    assert db.session.query(WebhookEvent).count() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda fake: {"shop_domain": SHOP}, id="shop-domain-of-another-shop"),
        pytest.param(lambda fake: {"shop_id": fake.shop_id(SHOP)}, id="shop-id-of-another-shop"),
        pytest.param(
            lambda fake: {"shop_id": 1234567, "shop_domain": OTHER}, id="wrong-id-right-domain"
        ),
    ],
)
def test_a_shop_redact_signed_for_one_shop_and_sent_for_another_is_refused_as_forgery(
    app, client, fake_shopify, caplog, body
):
    seed_install(app, fake_shopify)
    victim = _uninstalled(app, fake_shopify, OTHER)
    caplog.set_level(logging.WARNING, logger="luneo.shopify.webhooks")

    response = post_webhook(client, "shop/redact", body(fake_shopify), shop=OTHER)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "webhook_shop_mismatch"
    assert db.session.get(Brand, victim.id) is not None
    assert install_of(OTHER) is not None
    assert db.session.query(WebhookEvent).count() == 0
    assert any("forgery" in r.getMessage() for r in caplog.records)


def test_a_customer_redact_signed_for_one_shop_cannot_erase_another_shops_customer(
    app, client, fake_shopify
):
    seed_install(app, fake_shopify)
    seed_install(app, fake_shopify, shop=OTHER)
    payload = {
        "shop_id": fake_shopify.shop_id(SHOP),
        "shop_domain": SHOP,
        "customer": {"id": 1, "email": "jane@example.com"},
        "orders_to_redact": [],
    }

    response = post_webhook(client, "customers/redact", payload, shop=OTHER)

    assert response.status_code == 401
    assert db.session.query(WebhookEvent).count() == 0


def test_shop_redact_of_a_shop_that_is_still_installed_is_recorded_and_skipped(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    make_product(brand)

    response = post_webhook(
        client, "shop/redact", {"shop_id": fake_shopify.shop_id(SHOP), "shop_domain": SHOP}
    )

    assert response.status_code == 200
    assert db.session.get(Brand, brand.id) is not None
    assert db.session.query(Product).filter_by(brand_id=brand.id).count() == 1
    event = db.session.query(WebhookEvent).one()
    assert (event.status, event.note) == ("processed", "skipped: the shop is installed")


def test_a_captured_uninstall_replayed_under_a_new_webhook_id_after_a_reinstall_changes_nothing(
    app, client, fake_shopify
):
    seed_install(app, fake_shopify)
    body = {"id": fake_shopify.shop_id(SHOP), "domain": SHOP, "myshopify_domain": SHOP}
    first = post_webhook(client, "app/uninstalled", body)
    assert first.get_json() == {"duplicate": False}
    install = install_of()
    install.uninstalled_at = None  # the merchant installed the app again
    install.installed_at = datetime.now(UTC)
    db.session.commit()

    replay = post_webhook(client, "app/uninstalled", body)  # a new X-Shopify-Webhook-Id

    assert replay.status_code == 200 and replay.get_json() == {"duplicate": True}
    assert install_of().uninstalled_at is None
    assert db.session.query(WebhookEvent).count() == 1


def test_product_updates_are_ordered_by_the_time_inside_the_body_not_the_header(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    product = make_product(brand, external_id="632910392")
    now = datetime.now(UTC)
    newer = {"id": 632910392, "title": "New name", "updated_at": now.isoformat()}
    older = {
        "id": 632910392,
        "title": "Old name",
        "updated_at": (now - timedelta(minutes=10)).isoformat(),
    }

    post_webhook(client, "products/update", newer, triggered_at=now - timedelta(minutes=20))
    post_webhook(client, "products/update", older, triggered_at=now)  # header lies: "later"

    db.session.expire_all()
    assert db.session.get(Product, product.id).title == "New name"


def test_a_delivery_claiming_to_be_triggered_in_the_future_is_refused(app, client, fake_shopify):
    seed_install(app, fake_shopify)

    response = post_webhook(
        client, "products/update", {"id": 1}, triggered_at=datetime.now(UTC) + timedelta(hours=1)
    )

    assert response.status_code == 400
    assert "X-Shopify-Triggered-At" in response.get_json()["error"]["details"]
    assert db.session.query(WebhookEvent).count() == 0


@pytest.mark.parametrize(
    "topic, payload, field",
    [
        ("products/update", {"title": "no id"}, "id"),
        ("customers/redact", {"shop_domain": SHOP, "customer": "jane"}, "customer"),
        ("shop/redact", {"shop_domain": SHOP, "orders_to_redact": [1]}, "orders_to_redact"),
        ("app_subscriptions/update", {"id": 1}, "app_subscription"),
    ],
)
def test_a_body_that_does_not_fit_its_topic_is_refused(
    app, client, fake_shopify, topic, payload, field
):
    seed_install(app, fake_shopify)

    response = post_webhook(client, topic, payload)

    assert response.status_code == 400
    assert field in response.get_json()["error"]["details"]
    assert db.session.query(WebhookEvent).count() == 0


def test_installing_by_token_exchange_stores_the_shop_id(client, fake_shopify):
    token = fake_shopify.session_token(SHOP)

    response = client.get("/test-shopify/api/whoami", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200

    assert install_of().shop_id == str(fake_shopify.shop_id(SHOP))


def test_backfill_shop_ids_asks_shopify_for_each_install_without_one(app, fake_shopify):
    seed_install(app, fake_shopify)
    seed_install(app, fake_shopify, shop=OTHER)
    for shop in (SHOP, OTHER):
        install_of(shop).shop_id = None
        db.session.commit()
    make_shop("gone.myshopify.com", uninstalled_at=datetime.now(UTC))  # no token: not asked
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["luneo", "backfill-shop-ids"])

    assert result.exit_code == 0, result.output
    assert "shop ids stored: 2" in result.output
    assert install_of(SHOP).shop_id == str(fake_shopify.shop_id(SHOP))
    assert install_of(OTHER).shop_id == str(fake_shopify.shop_id(OTHER))
    assert install_of("gone.myshopify.com").shop_id is None


def test_backfill_reports_a_shop_shopify_cannot_answer_for_and_fails(app, fake_shopify):
    seed_install(app, fake_shopify)
    install_of(SHOP).shop_id = None
    db.session.commit()
    fake_shopify.omit("shop", "id")

    result = app.test_cli_runner().invoke(args=["luneo", "backfill-shop-ids"])

    assert result.exit_code == 1
    assert SHOP in result.output
    assert install_of(SHOP).shop_id is None
