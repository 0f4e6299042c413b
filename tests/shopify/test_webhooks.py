"""Webhooks: HMAC first, headers checked, one effect per webhook id, old deliveries lose."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from luneo_app.extensions import db
from luneo_app.models import Product, RenderJob, WebhookEvent
from luneo_app.shopify import webhooks
from tests.shopify.helpers import (
    API_SECRET,
    SHOP,
    install_of,
    post_webhook,
    seed_install,
    webhook_headers,
)
from tests.support.factories import make_product

ORDER = {"id": 820982911946154508, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508"}


@pytest.fixture()
def counted(monkeypatch):  # type: ignore[no-untyped-def]
    """Count the calls of the orders/create handler."""
    calls: list[str] = []

    def handler(delivery):  # type: ignore[no-untyped-def]
        calls.append(delivery.webhook_id)
        return "counted"

    monkeypatch.setitem(webhooks.REGISTRY, "orders/create", handler)
    return calls


def test_a_webhook_delivered_ten_times_with_the_same_id_has_exactly_one_effect(
    app, client, fake_shopify, counted
):
    seed_install(app, fake_shopify)

    answers = [
        post_webhook(
            client, "orders/create", ORDER, webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
        )
        for _ in range(10)
    ]

    assert [a.status_code for a in answers] == [200] * 10
    assert [a.get_json()["duplicate"] for a in answers] == [False] + [True] * 9
    assert counted == ["b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"]
    event = db.session.query(WebhookEvent).one()
    assert (event.status, event.note, event.payload) == ("processed", "counted", None)
    assert event.resource_id == ORDER["admin_graphql_api_id"]
    assert install_of().last_webhook_at is not None


def test_a_body_changed_after_signing_is_refused_with_401_and_nothing_is_written(
    app, client, fake_shopify, counted
):
    seed_install(app, fake_shopify)
    body = json.dumps(ORDER).encode()
    headers = webhook_headers(body, "orders/create")
    tampered = body.replace(b"820982911946154508", b"820982911946154509")

    response = client.post("/webhooks/shopify/orders-create", data=tampered, headers=headers)

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_hmac"
    assert db.session.query(WebhookEvent).count() == 0
    assert counted == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"X-Shopify-Hmac-Sha256": None}, id="no-hmac"),
        pytest.param({"X-Shopify-Hmac-Sha256": "AAAA"}, id="forged-hmac"),
        pytest.param({"secret": "another-apps-secret"}, id="signed-by-another-app"),
    ],
)
def test_an_unsigned_or_badly_signed_webhook_is_refused_with_401(client, change):
    body = json.dumps(ORDER).encode()
    headers = webhook_headers(body, "orders/create", secret=change.pop("secret", API_SECRET))
    for name, value in change.items():
        headers.pop(name)
        if value is not None:
            headers[name] = value

    response = client.post("/webhooks/shopify/orders-create", data=body, headers=headers)

    assert response.status_code == 401
    assert db.session.query(WebhookEvent).count() == 0


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Shopify-Topic", "orders/updated"),  # not the topic declared for this path
        ("X-Shopify-Topic", None),
        ("X-Shopify-Shop-Domain", "evil.com"),
        ("X-Shopify-Shop-Domain", None),
        ("X-Shopify-Webhook-Id", None),
        ("X-Shopify-Webhook-Id", "x" * 200),
        ("X-Shopify-API-Version", None),
        ("X-Shopify-Triggered-At", "yesterday"),
    ],
)
def test_a_signed_webhook_missing_a_required_header_is_refused_with_400(client, header, value):
    body = json.dumps(ORDER).encode()
    headers = webhook_headers(body, "orders/create")
    headers.pop(header)
    if value is not None:
        headers[header] = value

    response = client.post("/webhooks/shopify/orders-create", data=body, headers=headers)

    assert response.status_code == 400
    assert header in response.get_json()["error"]["details"]
    assert db.session.query(WebhookEvent).count() == 0


def test_a_topic_without_a_handler_is_recorded_and_marked_processed(
    app, client, fake_shopify, monkeypatch
):
    seed_install(app, fake_shopify)
    monkeypatch.delitem(webhooks.REGISTRY, "orders/cancelled", raising=False)

    assert post_webhook(client, "orders/cancelled", ORDER).status_code == 200

    event = db.session.query(WebhookEvent).one()
    assert (event.status, event.note) == ("processed", "no handler")


def test_a_webhook_of_a_shop_that_is_not_installed_is_recorded_and_ignored(client, counted):
    assert (
        post_webhook(client, "orders/create", ORDER, shop="nobody.myshopify.com").status_code == 200
    )

    event = db.session.query(WebhookEvent).one()
    assert (event.status, event.brand_id) == ("ignored", None)
    assert counted == []


def test_an_older_delivery_does_not_overwrite_a_newer_one_for_the_same_product(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    product = make_product(brand, external_id="632910392", title="Mug")
    now = datetime.now(UTC)
    newer = {"id": 632910392, "title": "Mug (new name)", "handle": "mug-new"}
    older = {"id": 632910392, "title": "Mug (old name)", "handle": "mug-old"}

    post_webhook(client, "products/update", newer, triggered_at=now)
    post_webhook(client, "products/update", older, triggered_at=now - timedelta(minutes=5))

    db.session.expire_all()
    assert db.session.get(Product, product.id).title == "Mug (new name)"
    statuses = [e.status for e in db.session.query(WebhookEvent).order_by(WebhookEvent.received_at)]
    assert statuses == ["processed", "stale"]


def test_a_deleted_product_stops_being_personalizable_and_a_late_update_does_not_revive_it(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    product = make_product(brand, external_id="632910392")
    now = datetime.now(UTC)

    post_webhook(client, "products/delete", {"id": 632910392}, triggered_at=now)
    post_webhook(
        client,
        "products/update",
        {"id": 632910392, "title": "x"},
        triggered_at=now - timedelta(seconds=1),
    )

    db.session.expire_all()
    stored = db.session.get(Product, product.id)
    assert stored.deleted_at is not None and stored.personalizable is False
    assert stored.title == "Engraved Ring"


def test_a_handler_that_keeps_failing_is_retried_then_marked_failed(
    app, client, fake_shopify, monkeypatch
):
    seed_install(app, fake_shopify)
    attempts: list[int] = []

    def broken(delivery):  # type: ignore[no-untyped-def]
        attempts.append(1)
        raise RuntimeError("order service down")

    monkeypatch.setitem(webhooks.REGISTRY, "orders/create", broken)

    assert post_webhook(client, "orders/create", ORDER).status_code == 200

    event = db.session.query(WebhookEvent).one()
    assert event.status == "failed" and "order service down" in event.error
    assert len(attempts) == event.attempts >= 3
    assert install_of().webhook_failures == 1


def test_uninstall_destroys_the_tokens_and_cancels_pending_work(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    waiting = RenderJob(
        brand_id=brand.id, kind="preview", status="queued", enqueued_at=datetime.now(UTC)
    )
    done = RenderJob(
        brand_id=brand.id, kind="preview", status="succeeded", enqueued_at=datetime.now(UTC)
    )
    db.session.add_all([waiting, done])
    db.session.commit()

    assert (
        post_webhook(
            client, "app/uninstalled", {"id": fake_shopify.shop_id(SHOP), "domain": SHOP}
        ).status_code
        == 200
    )

    db.session.expire_all()
    install = install_of()
    assert install.uninstalled_at is not None and install.access_token_enc is None
    assert db.session.get(RenderJob, waiting.id).status == "cancelled"
    assert db.session.get(RenderJob, done.id).status == "succeeded"


def test_webhooks_are_answered_at_once_and_handled_by_a_worker(_schema, fake_shopify, build_app):
    """Real Redis and PostgreSQL, a real Celery worker process."""
    from tests.conftest import clean_state
    from tests.shopify.conftest import shopify_config
    from tests.shopify.helpers import API_KEY
    from tests.support.env import database_url, need, redis_url
    from tests.support.worker import celery_worker

    need("DATABASE_URL", database_url())
    need("REDIS_URL", redis_url())
    live = build_app(shopify_config(fake_shopify, CELERY_EAGER=False))
    clean_state(live)
    with live.app_context():
        seed_install(live, fake_shopify)
        client = live.test_client()
        started = time.perf_counter()
        response = post_webhook(client, "products/delete", {"id": 632910392})
        elapsed = time.perf_counter() - started

        assert response.status_code == 200 and elapsed < 0.5
        assert db.session.query(WebhookEvent).one().status == "received"
        env = {
            "SHOPIFY_API_KEY": API_KEY,
            "SHOPIFY_API_SECRET": API_SECRET,
            "SHOPIFY_ADMIN_ORIGIN": fake_shopify.origin,
            "LUNEO_DEMO_MODE": "0",
        }
        with celery_worker(live, queues="webhooks", extra_env=env):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                db.session.expire_all()
                if db.session.query(WebhookEvent).one().status == "processed":
                    break
                time.sleep(0.2)
        assert db.session.query(WebhookEvent).one().status == "processed"
