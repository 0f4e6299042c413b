"""The connector interface: Shopify over Admin GraphQL and the generic REST connector."""

from __future__ import annotations

import json

import pytest

from connectors import signatures
from connectors.base import (
    AttachedLine,
    CommerceConnector,
    ConnectorAuthError,
    ConnectorRequestError,
    DesignAttachment,
    FileLink,
    StoreAccess,
    WebhookRejected,
)
from connectors.rest import RestConnector
from connectors.shopify import ShopifyAdmin
from connectors.shopify_commerce import order_from_webhook
from tests.fakes.receiver import FakeReceiver
from tests.fakes.shopify import FakeShopify
from tests.orders.helpers import order_body
from tests.shopify.helpers import API_KEY, API_SECRET, SHOP, webhook_headers

ATTACHMENT = DesignAttachment(
    luneo_order_id="ord_1",
    lines=(
        AttachedLine(
            "501",
            1,
            "des_a",
            (FileLink("1001-1-des_a.png", "png", "https://luneo.test/production/ord_1/x"),),
        ),
    ),
    archive_url="https://luneo.test/production/ord_1/1001.zip",
    note="1 personalized item: production files ready",
)


@pytest.fixture()
def shopify():  # type: ignore[no-untyped-def]
    with FakeShopify(API_KEY, API_SECRET) as fake:
        admin = ShopifyAdmin(API_KEY, API_SECRET, "2025-10", admin_origin=fake.origin)
        token = fake.issue_tokens(SHOP)["access_token"]
        yield fake, admin, StoreAccess(SHOP, token)


def test_both_connectors_fit_the_interface():
    admin = ShopifyAdmin(API_KEY, API_SECRET, "2025-10")
    assert isinstance(admin, CommerceConnector) and admin.platform == "shopify"
    assert isinstance(RestConnector(), CommerceConnector)
    assert "tok" not in repr(StoreAccess("shop", "tok"))


def test_shopify_reads_an_order_like_its_webhook_says_it(shopify):
    fake, admin, store = shopify
    body = order_body(4001, [{"design": "des_a"}, {}, {"design": "des_a", "fee_for": "x"}])
    fake.orders.add(SHOP, body)

    read = admin.fetch_order(store, "4001")

    assert read == order_from_webhook(body)
    assert [line.design_id for line in read.line_items] == ["des_a", None, None]
    assert read.design_lines[0].line_number == 1 and read.status == "open"
    assert ("gift-wrap", "yes") in read.attributes


def test_shopify_reads_a_product_with_its_images(shopify):
    fake, admin, store = shopify
    fake.orders.add_product(SHOP, "632910392", "Mug", ["https://cdn.test/a.png"])

    product = admin.fetch_product(store, "632910392")

    assert (product.external_id, product.title) == ("632910392", "Mug")
    assert [image.url for image in product.images] == ["https://cdn.test/a.png"]
    with pytest.raises(ConnectorRequestError) as missing:
        admin.fetch_product(store, "1")
    assert missing.value.code == "not_found"


def test_shopify_attaches_designs_keeping_the_merchants_attributes(shopify):
    fake, admin, store = shopify
    fake.orders.add(SHOP, order_body(4002, [{"design": "des_a"}]))

    admin.attach_designs(store, "4002", ATTACHMENT)
    admin.attach_designs(store, "4002", ATTACHMENT)  # again: nothing more changes

    field = fake.orders.metafield(SHOP, 4002, "luneo", "production")
    assert json.loads(field["value"]) == ATTACHMENT.as_json()
    assert fake.orders.attributes(SHOP, 4002) == [
        {"key": "gift-wrap", "value": "yes"},
        {"key": "Luneo", "value": ATTACHMENT.note},
    ]
    with pytest.raises(ConnectorRequestError, match="no order 9"):
        admin.attach_designs(store, "9", ATTACHMENT)


def test_shopify_webhook_verification_checks_the_hmac(shopify):
    _fake, admin, _store = shopify
    body = json.dumps({"id": 1}).encode()
    headers = webhook_headers(body, "orders/create")

    verified = admin.verify_webhook(headers, body, "https://luneo.test/webhooks/shopify")

    assert (verified.topic, verified.store, verified.payload) == ("orders/create", SHOP, {"id": 1})
    with pytest.raises(WebhookRejected):
        admin.verify_webhook(headers, body + b" ", "https://luneo.test/webhooks/shopify")


def test_the_rest_connector_reads_and_writes_a_brands_own_api():
    with FakeReceiver() as brand_api:
        brand_api.route(
            "GET",
            "/api/orders/SO-1",
            200,
            {
                "id": "SO-1",
                "name": "SO-1",
                "status": "closed",
                "lineItems": [
                    {
                        "id": "l1",
                        "title": "Mug",
                        "quantity": 2,
                        "properties": {"_luneo_design_id": "des_a"},
                    }
                ],
            },
        )
        brand_api.route(
            "GET",
            "/api/products/p1",
            200,
            {"id": "p1", "title": "Mug", "images": [{"url": "https://cdn.test/m.png"}]},
        )
        brand_api.route("PUT", "/api/orders/SO-1/luneo", 204)
        brand_api.route("GET", "/api/orders/nope", 401, {"error": "bad token"})
        connector = RestConnector("whsec_brand")
        store = StoreAccess(brand_api.url + "/api", "brand-token")

        order = connector.fetch_order(store, "SO-1")
        product = connector.fetch_product(store, "p1")
        connector.attach_designs(store, "SO-1", ATTACHMENT)
        with pytest.raises(ConnectorAuthError):
            connector.fetch_order(store, "nope")

    assert (order.status, order.design_lines[0].design_id, order.line_items[0].quantity) == (
        "closed",
        "des_a",
        2,
    )
    assert product.images[0].url == "https://cdn.test/m.png"
    put = brand_api.received[2]
    assert put.headers["Authorization"] == "Bearer brand-token"
    assert put.json()["note"] == ATTACHMENT.note and put.json()["orderId"] == "ord_1"


def test_the_rest_connector_takes_event_id_and_type_from_the_signed_body_only():
    connector = RestConnector("whsec_brand")
    body = json.dumps({"id": "evt_1", "type": "order.created", "data": {"orderId": "SO-1"}})
    body = body.encode()
    good = {
        signatures.HEADER: signatures.sign("whsec_brand", body),
        "Luneo-Event-Type": "order.cancelled",  # unsigned: never believed
        "Luneo-Event-Id": "evt_other",
    }

    verified = connector.verify_webhook(good, body, "https://brand.test")
    assert (verified.topic, verified.event_id) == ("order.created", "evt_1")
    forged = {signatures.HEADER: signatures.sign("whsec_other", body)}
    with pytest.raises(WebhookRejected) as refused:
        connector.verify_webhook(forged, body, "https://brand.test")
    assert refused.value.code == "invalid_signature"
    stale = {signatures.HEADER: signatures.sign("whsec_brand", body, timestamp=1_000_000)}
    with pytest.raises(WebhookRejected):
        connector.verify_webhook(stale, body, "https://brand.test")
    for bad in (b'{"type": "order.created", "data": {"orderId": "1"}}', b'{"id": "e", "data": {}}'):
        with pytest.raises(WebhookRejected) as malformed:
            connector.verify_webhook(
                {signatures.HEADER: signatures.sign("whsec_brand", bad)}, bad, ""
            )
        assert malformed.value.code == "bad_payload"
