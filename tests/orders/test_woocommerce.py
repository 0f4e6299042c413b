"""WooCommerce end to end against the fake store: key authorisation, webhooks, orders,
write-back, revoked keys, disabled webhooks and product import."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from connectors.base import StoreAccess
from connectors.woocommerce import Keys, WooCommerceConnector
from luneo_app.commerce import connections, woo_auth
from luneo_app.commerce.catalog import import_products
from luneo_app.commerce.tasks import check_stores
from luneo_app.extensions import db
from luneo_app.models import CommerceConnection, Order, OrderItem, Product, WebhookEvent
from tests.fakes.woocommerce import FakeWooCommerce
from tests.orders.helpers import make_design, mug, photo
from tests.support.factories import make_brand


@pytest.fixture()
def woo():  # type: ignore[no-untyped-def]
    with FakeWooCommerce() as fake:
        yield fake


def relay(client, url: str, headers: dict, body: bytes):  # type: ignore[no-untyped-def]
    """Carry a request the store makes to Luneo (the test client is not on the network)."""
    return client.post(urlsplit(url).path, data=body, headers=headers)


def connect(app, client, woo, brand):  # type: ignore[no-untyped-def]
    """The console's "Connect WooCommerce", the merchant's approval and WooCommerce's callback."""
    with app.test_request_context():
        authorize = woo_auth.start(brand, woo.origin)
    parts = urlsplit(authorize)
    assert parts.path == "/wc-auth/v1/authorize"
    import httpx

    assert httpx.get(authorize).status_code == 200  # the store shows its approval page
    query = parse_qs(parts.query)
    assert query["scope"] == ["read_write"] and query["app_name"] == ["Luneo"]
    callback_url, body = woo.approve()
    answer = client.post(urlsplit(callback_url).path, json=body)
    assert answer.status_code == 200, answer.get_json()
    return body


def woo_brand(app, client, woo, name: str = "Acme Woo"):  # type: ignore[no-untyped-def]
    brand = make_brand(name=name)
    product = mug(app, brand, external_id=f"mug-{name}")
    connect(app, client, woo, brand)
    return brand, product


def test_the_key_authorisation_keeps_the_key_encrypted_and_creates_the_webhooks(app, client, woo):
    brand = make_brand()
    body = connect(app, client, woo, brand)

    row = db.session.scalar(db.select(CommerceConnection))
    assert row.status == "connected" and connections.platform_of(brand) == "woocommerce"
    assert body["consumer_secret"] not in (row.credential_enc or "")
    assert json.loads(connections.unseal(row.credential_enc))["secret"] == body["consumer_secret"]
    topics = sorted(h["topic"] for h in woo.webhooks.values())
    assert topics == ["order.created", "order.updated", "product.updated"]
    assert all(row.hook_token in h["delivery_url"] for h in woo.webhooks.values())
    # WooCommerce's unsigned ping at creation is answered 200 and writes nothing.
    ping = relay(client, *woo.ping("order.created"))
    assert ping.status_code == 200 and ping.get_json()["ping"] is True
    assert db.session.query(WebhookEvent).count() == 0
    # The state is used once: the same callback again is refused.
    again = client.post("/woocommerce/auth/callback", json=body)
    assert again.status_code == 401 and again.get_json()["error"]["code"] == "invalid_state"


def test_a_callback_with_a_key_the_store_refuses_is_not_kept(app, client, woo):
    import httpx

    brand = make_brand()
    with app.test_request_context():
        httpx.get(woo_auth.start(brand, woo.origin))
    _url, body = woo.approve()
    body["consumer_secret"] = "cs_" + "0" * 40  # not the key's secret

    answer = client.post("/woocommerce/auth/callback", json=body)

    assert answer.status_code == 401 and answer.get_json()["error"]["code"] == "key_refused"
    assert db.session.scalar(db.select(CommerceConnection)).credential_enc is None
    assert connections.platform_of(brand) == "api"


def test_an_order_webhook_links_designs_once_and_the_write_back_lands_as_meta_and_note(
    app, client, woo
):
    brand, product = woo_brand(app, client, woo)
    designs = [make_design(product, "Ann"), make_design(product, "Bob")]
    other_brand = make_brand(name="Other")
    foreign = make_design(mug(app, other_brand, external_id="other-mug"), "Eve")
    order = woo.add_order(
        [{"design": designs[0].id}, {}, {"design": designs[1].id}, {"design": foreign.id}]
    )

    delivery = woo.delivery("order.created", order)
    first = relay(client, *delivery)
    duplicate = relay(client, *delivery)  # WooCommerce delivers the same body again

    assert first.status_code == 200 and first.get_json()["duplicate"] is False
    assert duplicate.get_json()["duplicate"] is True
    saved = db.session.scalar(db.select(Order))
    assert (saved.platform, saved.external_id) == ("woocommerce", str(order["id"]))
    assert [p["code"] for p in saved.problems] == ["unknown_design"]
    items = db.session.scalars(db.select(OrderItem).order_by(OrderItem.line_number)).all()
    assert [i.design_id for i in items] == [designs[0].id, designs[1].id, None]
    assert saved.production_status == "ready" and saved.written_back_at is not None
    meta = {m["key"]: m["value"] for m in woo.orders[order["id"]]["meta_data"]}
    production = json.loads(meta["_luneo_production"])
    assert [line["designId"] for line in production["lines"]] == [designs[0].id, designs[1].id]
    assert (
        len(woo.notes[order["id"]]) == 1
        and "production files ready" in woo.notes[order["id"]][0]["note"]
    )


def test_forged_and_unsigned_webhooks_are_refused_and_nothing_is_written(app, client, woo):
    brand, product = woo_brand(app, client, woo)
    order = woo.add_order([{"design": make_design(product).id}])
    url, headers, body = woo.delivery("order.created", order)

    forged = relay(client, url, {**headers, "X-WC-Webhook-Signature": "AAAA"}, body)
    unsigned = relay(client, url, {k: v for k, v in headers.items() if "Signature" not in k}, body)
    tampered = relay(client, url, headers, body.replace(b'"processing"', b'"completed"'))
    wrong_store = relay(client, url.replace(url.split("/")[-2], "x" * 32), headers, body)
    not_json_ping = relay(client, url, {"Content-Type": "text/plain"}, b"webhook_id=12; drop")

    for answer in (forged, unsigned, tampered, wrong_store, not_json_ping):
        assert answer.status_code == 401, answer.get_json()
    assert db.session.query(Order).count() == 0
    assert db.session.query(WebhookEvent).count() == 0


def test_a_revoked_key_marks_the_store_failing_and_loses_no_order(app, client, woo):
    brand, product = woo_brand(app, client, woo)
    design = make_design(product)
    woo.revoke_all_keys()
    order = woo.add_order([{"design": design.id}])

    answer = relay(client, *woo.delivery("order.created", order))

    assert answer.status_code == 200
    saved = db.session.scalar(db.select(Order))
    assert saved is not None and saved.production_status == "ready"  # files are made anyway
    assert saved.written_back_at is None
    row = db.session.scalar(db.select(CommerceConnection))
    db.session.refresh(row)
    assert row.status == "failing" and "refused" in row.last_error
    # The brand reconnects: the next packaging writes back.
    connect(app, client, woo, brand)
    from luneo_app.orders.writeback import write_back

    assert write_back(saved.id) == "written back"
    assert "_luneo_production" in {m["key"] for m in woo.orders[order["id"]]["meta_data"]}


def test_a_webhook_woocommerce_disabled_is_detected_and_turned_on_again(app, client, woo):
    brand, _product = woo_brand(app, client, woo)
    row = db.session.scalar(db.select(CommerceConnection))
    woo.disable_webhook("order.updated")

    assert check_stores() == 1  # the hourly beat task
    db.session.refresh(row)

    assert row.webhooks["order.updated"]["status"] == "disabled" and row.status == "failing"
    assert "order.updated" in row.last_error
    woo_auth.reenable(row)
    assert row.status == "connected"
    assert all(h["status"] == "active" for h in woo.webhooks.values())


def test_products_are_imported_with_their_images_and_refreshed_by_webhook(app, client, woo):
    brand, _product = woo_brand(app, client, woo)
    woo.files["/wp-content/uploads/mug.png"] = (photo(), "image/png")
    made = woo.add_product("Travel Mug", [woo.origin + "/wp-content/uploads/mug.png"])
    for index in range(120):  # more than one page of 100
        woo.add_product(f"Plain {index}", [])

    result = import_products(brand)

    assert (result.created, result.photos) == (121, 1)
    product = db.session.scalar(
        db.select(Product).where(
            Product.platform == "woocommerce", Product.external_id == str(made["id"])
        )
    )
    assert product.title == "Travel Mug" and product.image_key and not product.personalizable
    assert ("GET", "/wp-json/wc/v3/products") in woo.requests
    renamed = {**made, "name": "Travel Mug XL"}
    assert relay(client, *woo.delivery("product.updated", renamed)).status_code == 200
    db.session.refresh(product)
    assert product.title == "Travel Mug XL"


def test_the_connector_uses_basic_auth_over_https_and_oauth_over_http():
    import httpx

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 5, "number": "5", "status": "completed"})

    client = WooCommerceConnector(transport=httpx.MockTransport(answer))
    keys = Keys("ck_" + "a" * 40, "cs_" + "b" * 40).as_credential()
    secure = client.fetch_order(StoreAccess("https://shop.test", keys), "5")
    client.fetch_order(StoreAccess("http://shop.test", keys), "5")

    assert secure.status == "closed"
    assert seen[0].headers["Authorization"].startswith("Basic ")
    assert "oauth_signature" not in str(seen[0].url)
    assert "Authorization" not in seen[1].headers and "oauth_signature=" in str(seen[1].url)


def test_a_store_answering_5xx_is_retried_then_the_failure_is_visible_on_the_order(
    app, client, woo
):
    brand, product = woo_brand(app, client, woo)
    order = woo.add_order([{"design": make_design(product).id}])
    woo.fail_next(503, times=50)  # every write-back attempt

    assert relay(client, *woo.delivery("order.created", order)).status_code == 200

    saved = db.session.scalar(db.select(Order))
    db.session.refresh(saved)
    assert saved.production_status == "ready" and saved.written_back_at is None
    assert "write_back_failed" in [p["code"] for p in saved.problems]
    attempts = [r for r in woo.requests if r == ("PUT", f"/wp-json/wc/v3/orders/{order['id']}")]
    assert len(attempts) == app.config["JOB_MAX_RETRIES"] > 1  # every attempt of the job: 503
