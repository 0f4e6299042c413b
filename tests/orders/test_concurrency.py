"""Races on real PostgreSQL: handlers, API calls and write-backs started at the same instant."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from luneo_app import create_app
from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.models import Brand, Order, OrderItem
from luneo_app.orders.shopify_handlers import order_changed
from luneo_app.orders.writeback import write_back
from luneo_app.shopify.webhooks import WebhookDelivery
from tests.conftest import clean_state
from tests.orders.conftest import orders_config
from tests.orders.helpers import jobs, make_design, mug, only_order, order_body
from tests.orders.live import free_port, serve
from tests.shopify.helpers import SHOP, post_webhook, seed_install
from tests.support.env import database_url, need, redis_url
from tests.support.factories import make_brand

RACERS = 5


@pytest.fixture()
def queued_app(_schema, fake_shopify):  # type: ignore[no-untyped-def]
    """PostgreSQL and Redis, jobs queued but no worker: what the racers leave is visible."""
    need("DATABASE_URL", database_url())
    need("REDIS_URL", redis_url())
    port = free_port()
    application = create_app(
        orders_config(fake_shopify, CELERY_EAGER=False, APP_URL=f"http://127.0.0.1:{port}")
    )
    application.config["TEST_PORT"] = port
    clean_state(application)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


def _race(app, work) -> list[Any]:  # type: ignore[no-untyped-def]
    """Run ``work(n)`` in RACERS threads released at once, each in its own app context."""
    gate = threading.Barrier(RACERS)

    def run(n: int) -> Any:
        with app.app_context():
            gate.wait()
            try:
                return work(n)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_five_handlers_racing_on_one_order_make_one_order_and_one_render_per_design(
    queued_app, fake_shopify
):
    brand, _install, _grant = seed_install(queued_app, fake_shopify)
    product = mug(queued_app, brand)
    design_ids = [make_design(product, text=t).id for t in ("Ann", "Bob", "Cy")]
    body = order_body(8001, [{"design": d} for d in design_ids])
    brand_id = brand.id

    def handle(n: int) -> str | None:
        delivery = WebhookDelivery(
            event_id=f"whe_{n}",
            webhook_id=f"webhook-{n}",
            topic="orders/create",
            shop_domain=SHOP,
            payload=body,
            occurred_at=None,
            brand=db.session.get(Brand, brand_id),
            install=None,
        )
        return order_changed(delivery)

    notes = _race(queued_app, handle)

    # One racer inserted the order; the lines were added once, by whichever got there first.
    assert sum(note.startswith("created") for note in notes) == 1
    assert sum(int(note.split(": ")[1].split()[0]) for note in notes) == 3
    assert db.session.query(Order).count() == 1
    assert db.session.query(OrderItem).count() == 3
    assert sorted(j.design_id for j in jobs("production")) == sorted(design_ids)


def test_concurrent_write_backs_of_one_order_call_the_store_once(app, fake_shopify):
    need("DATABASE_URL", database_url())
    brand, _install, _grant = seed_install(app, fake_shopify)
    design = make_design(mug(app, brand))
    body = order_body(8002, [{"design": design.id}])
    fake_shopify.orders.add(SHOP, body)
    post_webhook(app.test_client(), "orders/create", body)  # files made in-process
    order = only_order()
    assert order.written_back_at is not None
    order.written_back_at = None
    db.session.commit()
    fake_shopify.orders.write_backs.clear()
    fake_shopify.orders.write_delay = 0.3  # the store answers slowly: the racers overlap
    order_id = order.id

    notes = _race(app, lambda _n: write_back(order_id))

    assert sorted(notes) == ["already written back"] * 4 + ["written back"]
    assert len(fake_shopify.orders.write_backs) == 1


def test_five_identical_api_orders_sent_at_once_make_one_order(queued_app):
    brand = make_brand()
    issued = create_api_key(brand)
    db.session.commit()
    designs = [make_design(mug(queued_app, brand, external_id="m1")).id]
    headers = {"Authorization": f"Bearer {issued.plaintext}", "Idempotency-Key": "same-key"}
    body = {"designIds": designs, "externalOrderId": "SO-77"}

    with serve(queued_app, queued_app.config["TEST_PORT"]) as base:
        answers = _race(
            queued_app,
            lambda _n: requests.post(base + "/v1/orders", json=body, headers=headers, timeout=10),
        )

    assert [a.status_code for a in answers] == [201] * RACERS
    assert len({a.json()["orderId"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == RACERS - 1
    assert db.session.query(Order).count() == 1 and len(jobs("production")) == 1
