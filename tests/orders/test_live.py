"""Through a real worker: five concurrent deliveries, a killed render, webhook retries."""

from __future__ import annotations

import json
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from luneo_app import create_app
from luneo_app.core import uow
from luneo_app.extensions import db
from luneo_app.models import Design, Order, OutboundDelivery, RenderJob, WebhookEvent
from luneo_app.outbound import service as outbound_service
from tests.conftest import clean_state
from tests.fakes.receiver import FakeReceiver
from tests.fakes.shopify import FakeShopify
from tests.orders.conftest import ENDPOINT_SECRET, orders_config
from tests.orders.helpers import (
    connect_endpoint,
    items_of,
    jobs,
    make_design,
    mug,
    new_webhook_id,
    order_body,
)
from tests.orders.live import clean_tables, free_port, serve, wait_until, worker_env
from tests.shopify.helpers import (
    _PATHS,
    API_KEY,
    API_SECRET,
    SHOP,
    post_webhook,
    seed_install,
    webhook_headers,
)
from tests.support.env import database_url, need, redis_url
from tests.support.factories import make_brand
from tests.support.worker import celery_worker


def send_event(*args, **kwargs):  # type: ignore[no-untyped-def]
    """The service call, then the commit its caller owns (the delivery is sent after it)."""
    delivery = outbound_service.send_event(*args, **kwargs)
    uow.commit()
    if delivery is not None:
        db.session.refresh(delivery)
    return delivery


IN_FLIGHT = ("waiting", "queued", "running", "retrying")


@pytest.fixture(scope="module")
def stack(_schema):  # type: ignore[no-untyped-def]
    """One fake Shopify, one brand endpoint, the app on a port, and one worker (all queues)
    for the whole module: starting a worker costs seconds."""
    need("DATABASE_URL", database_url())
    need("REDIS_URL", redis_url())
    port = free_port()
    with FakeShopify(API_KEY, API_SECRET) as shopify, FakeReceiver(ENDPOINT_SECRET) as endpoint:
        application = create_app(
            orders_config(
                shopify,
                CELERY_EAGER=False,
                JOB_RETRY_BACKOFF=1,
                OUTBOUND_WEBHOOK_RETRY_BASE=0.5,
                APP_URL=f"http://127.0.0.1:{port}",
            )
        )
        clean_state(application)  # flushes Redis once, before the worker declares its queues
        env = worker_env(application, shopify)
        with (
            celery_worker(application, concurrency=3, extra_env=env) as worker,
            serve(application, port) as base,
        ):
            yield Stack(application, shopify, endpoint, worker, base)
        with application.app_context():
            db.engine.dispose()


@dataclass
class Stack:
    app: Any
    shopify: FakeShopify
    endpoint: FakeReceiver
    worker: Any
    base: str


@pytest.fixture()
def live(stack):  # type: ignore[no-untyped-def]
    clean_tables(stack.app)
    stack.shopify.orders.reset()
    stack.endpoint.reset()
    with stack.app.app_context():
        yield stack
        db.session.remove()


def _settled(order_id_ext: str):  # type: ignore[no-untyped-def]
    """The order once it is ready, written back and no job or webhook is left in flight."""
    order = db.session.query(Order).filter_by(external_id=order_id_ext).one_or_none()
    busy = db.session.query(RenderJob).filter(RenderJob.status.in_(IN_FLIGHT)).count()
    unhandled = (
        db.session.query(WebhookEvent)
        .filter(WebhookEvent.status.not_in(("processed", "stale")))
        .count()
    )
    if order and order.production_status == "ready" and order.written_back_at and not busy:
        return None if unhandled else order
    return None


def test_one_order_delivered_five_times_at_once_makes_one_order_one_set_of_files_one_write_back(
    live,
):
    brand, _install, _grant = seed_install(live.app, live.shopify)
    product = mug(live.app, brand)
    designs = [make_design(product, text=t) for t in ("Ann", "Bob", "Cy")]
    body = order_body(7001, [{"design": d.id} for d in designs], name="#2001")
    live.shopify.orders.add(SHOP, body)
    raw = json.dumps(body).encode()
    start = threading.Barrier(5)
    triggered = datetime.now(UTC)  # one event, delivered five times with five webhook ids

    def deliver(_: int) -> int:
        headers = webhook_headers(
            raw, "orders/create", webhook_id=new_webhook_id(), triggered_at=triggered
        )
        start.wait()
        url = live.base + _PATHS["orders/create"]
        return requests.post(url, data=raw, headers=headers, timeout=10).status_code

    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(deliver, range(5)))
    order = wait_until(lambda: _settled("7001"), timeout=60, what="the order to settle")

    assert statuses == [200] * 5
    # The same signed body under five webhook ids is one delivery (deduplicated on its hash).
    assert db.session.query(WebhookEvent).filter_by(status="processed").count() == 1
    assert db.session.query(Order).count() == 1
    assert [i.design_id for i in items_of(order)] == [d.id for d in designs]
    production = jobs("production")
    assert sorted(j.design_id for j in production) == sorted(d.id for d in designs)
    assert {j.status for j in production} == {"succeeded"}
    assert len(jobs("package")) == 1
    assert len(live.shopify.orders.write_backs) == 1
    assert order_files(live.app, order) == sorted(
        [f"2001-{n}-{d.id}.{ext}" for n, d in enumerate(designs, 1) for ext in ("pdf", "png")]
        + ["2001.zip"]
    )


def order_files(app, order: Order) -> list[str]:  # type: ignore[no-untyped-def]
    prefix = f"brands/{order.brand_id}/orders/{order.id}/"
    return sorted(key.rsplit("/", 1)[-1] for key in app.extensions["luneo.storage"].list(prefix))


def test_a_webhook_answered_500_is_retried_by_the_worker_with_the_same_event_id(live):
    brand = make_brand()
    connect_endpoint(live.app, brand, live.endpoint.url + "/luneo", ENDPOINT_SECRET)
    live.endpoint.fail_next(500)

    delivery = send_event(brand, "order.production_ready", {"orderId": "ord_x"})
    first, second = live.endpoint.wait_for(2, timeout=20)
    done = wait_until(
        lambda: (
            (row := db.session.get(OutboundDelivery, delivery.id)).status == "succeeded" and row
        ),
        what="the delivery to succeed",
    )

    assert first.signature_ok and second.signature_ok
    assert first.json()["id"] == second.json()["id"] == delivery.event_id
    assert first.body == second.body
    assert second.at - first.at >= 0.45  # the first backoff step
    assert (done.attempts, [h["statusCode"] for h in done.history]) == (2, [500, 200])


def test_a_worker_killed_during_the_production_render_is_redelivered_and_the_order_gets_its_files(
    live,
):
    brand, _install, _grant = seed_install(live.app, live.shopify)
    product = mug(live.app, brand, area_mm=260)  # about 2 s to render at 300 dpi
    design = make_design(product)
    body = order_body(7002, [{"design": design.id}], name="#2002")
    live.shopify.orders.add(SHOP, body)

    assert post_webhook(live.app.test_client(), "orders/create", body).status_code == 200
    running = wait_until(
        lambda: [j for j in jobs("production") if j.status == "running"],
        what="the production render to start",
    )[0]
    children = live.worker.child_pids()
    assert children, "the worker has no pool process"
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    db.session.remove()
    assert not db.session.get(Design, design.id).production_keys, "killed after the render"
    order = wait_until(lambda: _settled("7002"), timeout=60, what="the order's files")

    render = db.session.get(RenderJob, running.id)
    assert (render.status, render.attempts) == ("succeeded", 2)
    assert order_files(live.app, order) == sorted(
        [f"2002-1-{design.id}.png", f"2002-1-{design.id}.pdf", "2002.zip"]
    )
    assert items_of(order)[0].files["front"]["widthPx"] == 3071
    assert len(live.shopify.orders.write_backs) == 1
