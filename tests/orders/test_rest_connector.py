"""The generic REST connector in production: signed order events in, pulls with the brand's
key, and the write-back through the outbound webhooks to the brand's order endpoint."""

from __future__ import annotations

import json
import uuid

import pytest

from connectors import signatures
from luneo_app.auth.apikeys import create_api_key
from luneo_app.commerce import connections
from luneo_app.extensions import db
from luneo_app.models import CommerceConnection, Order, OrderItem, OutboundDelivery, WebhookEvent
from luneo_app.outbound.tasks import sweep_due_deliveries
from tests.fakes.receiver import FakeReceiver
from tests.orders.helpers import make_design, mug
from tests.support.factories import make_brand

URL = "/v1/connectors/rest/orders"


@pytest.fixture()
def brand_api():  # type: ignore[no-untyped-def]
    with FakeReceiver() as fake:
        yield fake


def rest_brand(app, brand_api, name: str = "Acme Mugs"):  # type: ignore[no-untyped-def]
    """An API brand with the REST connector set up: (brand, inbound secret, product)."""
    brand = make_brand(name=name)
    row = connections.configure_rest(
        brand,
        base_url=brand_api.url + "/api",
        api_key="brand-api-key",
        order_endpoint=brand_api.url + "/luneo/orders",
    )
    inbound = connections.new_inbound_secret(row)
    brand_api.secret = connections.new_outbound_secret(row)
    db.session.commit()
    return brand, inbound, mug(app, brand, external_id=f"mug-{name}")


def event(event_type: str, data: dict, event_id: str | None = None) -> bytes:
    return json.dumps(
        {"id": event_id or f"evt_{uuid.uuid4().hex}", "type": event_type, "data": data}
    ).encode()


def post(client, brand, secret: str, body: bytes, **headers):  # type: ignore[no-untyped-def]
    signed = {
        "Content-Type": "application/json",
        "Luneo-Brand": brand.id,
        signatures.HEADER: signatures.sign(secret, body),
        **headers,
    }
    return client.post(URL, data=body, headers=signed)


def rest_order(order_id: str, design_ids: list[str]) -> dict:
    return {
        "id": order_id,
        "name": f"SO {order_id}",
        "status": "open",
        "lineItems": [
            {"id": f"l{i}", "title": "Mug", "quantity": 1, "properties": {"_luneo_design_id": d}}
            for i, d in enumerate(design_ids, start=1)
        ],
    }


def test_a_signed_order_event_links_designs_and_the_write_back_reaches_the_order_endpoint(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    body = event("order.created", {"order": rest_order("SO-1", [design.id])}, "evt_1")

    answer = post(client, brand, secret, body)
    again = post(client, brand, secret, body)

    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["duplicate"] is False and answer.get_json()["orderId"]
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["orderId"] == answer.get_json()["orderId"]
    order = db.session.scalar(db.select(Order))
    assert (order.platform, order.external_id, order.production_status) == ("api", "SO-1", "ready")
    assert db.session.query(OrderItem).count() == 1
    # The write-back: a signed event to the order endpoint, logged like every delivery.
    posts = [r for r in brand_api.received if r.path == "/luneo/orders"]
    assert len(posts) == 1 and posts[0].signature_ok is True
    sent = posts[0].json()
    assert sent["type"] == "order.write_back" and sent["data"]["externalOrderId"] == "SO-1"
    assert sent["data"]["lines"][0]["designId"] == design.id
    assert sent["data"]["lines"][0]["files"][0]["url"].startswith("http")
    delivery = db.session.scalar(
        db.select(OutboundDelivery).where(OutboundDelivery.event_type == "order.write_back")
    )
    assert delivery.status == "succeeded" and delivery.url.endswith("/luneo/orders")
    assert order.written_back_at is not None


def test_unsigned_forged_and_stale_events_are_refused_and_nothing_is_written(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    body = event("order.created", {"order": rest_order("SO-2", [make_design(product).id])})
    other, other_secret, _ = rest_brand(app, brand_api, "Other")

    unsigned = client.post(URL, data=body, headers={"Luneo-Brand": brand.id})
    forged = post(client, brand, "lcin_guess", body)
    other_brands_secret = post(client, brand, other_secret, body)
    stale = client.post(
        URL,
        data=body,
        headers={
            "Luneo-Brand": brand.id,
            signatures.HEADER: signatures.sign(secret, body, timestamp=1_700_000_000),
        },
    )
    unknown_brand = post(client, brand, secret, body, **{"Luneo-Brand": "brd_nope"})

    for answer in (unsigned, forged, other_brands_secret, stale, unknown_brand):
        assert answer.status_code == 401, answer.get_json()
        assert answer.get_json()["error"]["code"] == "invalid_signature"
    assert db.session.query(Order).count() == 0
    assert db.session.query(WebhookEvent).count() == 0


def test_malformed_events_are_422_and_a_header_event_type_is_never_believed(app, client, brand_api):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    no_type = json.dumps({"id": "evt_x", "data": {"orderId": "1"}}).encode()
    bad_order = event("order.created", {"order": {"lineItems": []}})

    assert (
        post(client, brand, secret, no_type, **{"Luneo-Event-Type": "order.created"}).status_code
        == 422
    )
    assert post(client, brand, secret, bad_order).status_code == 422
    assert db.session.query(Order).count() == 0
    # A cancel event cancels; its type comes from the body.
    post(client, brand, secret, event("order.created", {"order": rest_order("SO-3", [design.id])}))
    cancel = event("order.cancelled", {"order": rest_order("SO-3", [design.id])})
    assert (
        post(client, brand, secret, cancel, **{"Luneo-Event-Type": "order.created"}).status_code
        == 200
    )
    assert db.session.scalar(db.select(Order)).status == "cancelled"


def test_an_event_with_only_the_order_id_reads_the_order_with_the_brands_key(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    brand_api.route("GET", "/api/orders/SO-9", 200, rest_order("SO-9", [design.id]))

    answer = post(client, brand, secret, event("order.created", {"orderId": "SO-9"}))

    assert answer.status_code == 200, answer.get_json()
    read = [r for r in brand_api.received if r.path == "/api/orders/SO-9"]
    assert read[0].headers["Authorization"] == "Bearer brand-api-key"
    assert db.session.scalar(db.select(Order)).external_id == "SO-9"


def test_a_brand_api_down_answers_503_and_the_same_event_is_taken_when_sent_again(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    body = event("order.created", {"orderId": "SO-5"}, "evt_5")
    brand_api.route("GET", "/api/orders/SO-5", 502, {"error": "bad gateway"})

    down = post(client, brand, secret, body)

    assert down.status_code == 503 and down.headers["Retry-After"] == "30"
    assert db.session.query(Order).count() == 0
    brand_api.route("GET", "/api/orders/SO-5", 200, rest_order("SO-5", [design.id]))
    assert post(client, brand, secret, body).get_json()["duplicate"] is False
    assert db.session.query(Order).count() == 1


def test_a_revoked_brand_key_is_said_and_the_connection_marked_failing(app, client, brand_api):
    brand, secret, _product = rest_brand(app, brand_api)
    brand_api.route("GET", "/api/orders/SO-7", 401, {"error": "revoked"})

    answer = post(client, brand, secret, event("order.created", {"orderId": "SO-7"}))

    assert answer.status_code == 502
    assert answer.get_json()["error"]["code"] == "store_refused_key"
    row = db.session.scalar(db.select(CommerceConnection))
    db.session.refresh(row)
    assert row.status == "failing" and "refused" in row.last_error


def test_pull_reads_an_order_by_id_with_an_api_key_and_events_and_post_orders_share_orders(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    key = create_api_key(brand)
    db.session.commit()
    auth = {"Authorization": f"Bearer {key.plaintext}"}
    brand_api.route("GET", "/api/orders/SO-8", 200, rest_order("SO-8", [design.id]))

    pulled = client.post("/v1/connectors/rest/orders/SO-8/pull", headers=auth)
    again = client.post("/v1/connectors/rest/orders/SO-8/pull", headers=auth)
    posted = client.post(
        "/v1/orders",
        json={"designId": design.id, "externalOrderId": "SO-8"},
        headers={**auth, "Idempotency-Key": "k-1"},
    )

    assert pulled.status_code == 200, pulled.get_json()
    assert again.get_json()["orderId"] == pulled.get_json()["orderId"]
    assert posted.status_code == 409 and posted.get_json()["error"]["code"] == "order_exists"
    assert db.session.query(Order).count() == 1


def test_a_failing_order_endpoint_is_retried_and_visible_in_the_delivery_log(
    app, client, brand_api
):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    brand_api.fail_next(503)

    post(client, brand, secret, event("order.created", {"order": rest_order("SO-4", [design.id])}))

    delivery = db.session.scalar(
        db.select(OutboundDelivery).where(OutboundDelivery.event_type == "order.write_back")
    )
    assert delivery.status == "retrying" and delivery.last_status_code == 503
    sweep_due_deliveries()
    db.session.refresh(delivery)
    assert delivery.status == "succeeded" and delivery.attempts == 2
    log = client.get("/v1/webhooks/deliveries", headers=_key_header(brand))
    assert log.status_code == 200, log.get_json()
    assert any(d["type"] == "order.write_back" for d in log.get_json()["deliveries"])


def _key_header(brand):  # type: ignore[no-untyped-def]
    key = create_api_key(brand)
    db.session.commit()
    return {"Authorization": f"Bearer {key.plaintext}"}


def test_store_urls_pass_the_ssrf_guard(app, brand_api):
    app.config["OUTBOUND_WEBHOOK_ALLOW_PRIVATE"] = False
    brand = make_brand()
    for field, values in (
        ("baseUrl", {"base_url": "http://10.0.0.8/api", "order_endpoint": None}),
        ("orderEndpoint", {"base_url": None, "order_endpoint": "https://127.0.0.1/hook"}),
        ("orderEndpoint", {"base_url": None, "order_endpoint": "https://user:pw@example.com/"}),
    ):
        with pytest.raises(connections.ValidationFailed) as refused:
            connections.configure_rest(brand, api_key="k", **values)
        assert refused.value.code == "invalid_store_url" and field in refused.value.details
