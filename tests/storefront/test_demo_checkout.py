"""The demo shop's checkout places a real order through the orders/create path."""

from __future__ import annotations

from luneo_app.demo.seed import seed_demo
from luneo_app.designs import lifecycle
from luneo_app.extensions import db
from luneo_app.models import Design, Order, Product, WebhookEvent
from luneo_app.storefront import cart


def _design(demo) -> Design:  # type: ignore[no-untyped-def]
    product = db.session.get(Product, demo.product_id)
    template = dict(product.template)
    area = template["printAreas"][0]["id"]
    template["options"] = [
        {"id": "name", "type": "text", "label": "Name", "printArea": area, "priceCents": 1450}
    ]
    product.template = template
    text_option = "name"
    design = Design(
        brand_id=demo.brand_id,
        product_id=product.id,
        source="storefront",
        layers=[
            {"type": "text", "printArea": product.template["printAreas"][0]["id"], "text": "Anna"}
        ],
        options={text_option: "Anna"},
        content_hash="a" * 64,
        status="preview_ready",
    )
    db.session.add(design)
    db.session.commit()
    return design


def test_checkout_places_an_order_through_orders_create_and_the_fee_check(app, client):
    demo = seed_demo()
    design = _design(demo)
    variant = cart.variant_id_for(demo.product_id)
    paid = {
        "_luneo_design_id": design.id,
        "_luneo_fee_cents": "1450",
        "_luneo_fee_variant": str(cart.FEE_VARIANT_ID),
    }
    assert (
        client.post(
            "/demo/store/cart/add.js",
            json={"items": [{"id": variant, "quantity": 2, "properties": paid}]},
        ).status_code
        == 200
    )

    placed = client.post("/demo/store/checkout")

    assert placed.status_code == 200, placed.get_json()
    db.session.expire_all()
    event = db.session.query(WebhookEvent).filter_by(topic="orders/create").one()
    assert event.shop_domain == demo.shop_domain
    order = db.session.query(Order).one()
    assert order.external_id == placed.get_json()["orderId"]
    assert order.problems == []  # the fee was paid in full
    assert db.session.get(Design, design.id).committed_at is not None
    assert lifecycle.status_of(db.session.get(Design, design.id)) != lifecycle.S.PREVIEW_READY
    assert client.get("/demo/store/cart.js").get_json()["items"] == []
    assert client.post("/demo/store/checkout").status_code == 422  # empty cart


def test_checkout_of_a_cart_whose_fee_was_tampered_with_is_an_order_problem(app, client):
    demo = seed_demo()
    design = _design(demo)
    variant = cart.variant_id_for(demo.product_id)
    cheap = {
        "_luneo_design_id": design.id,
        "_luneo_fee_cents": "1",
        "_luneo_fee_variant": str(cart.FEE_VARIANT_ID),
    }
    client.post(
        "/demo/store/cart/add.js",
        json={"items": [{"id": variant, "quantity": 1, "properties": cheap}]},
    )

    assert client.post("/demo/store/checkout").status_code == 200

    db.session.expire_all()
    order = db.session.query(Order).one()
    assert [(p["code"], p["paidCents"], p["expectedCents"]) for p in order.problems] == [
        ("fee_unpaid", 1, 1450)
    ]


def test_a_forged_demo_webhook_is_refused_once_shopify_credentials_are_set(app, client):
    demo = seed_demo()
    app.config.update(SHOPIFY_API_SECRET="real-secret", DEMO_MODE=False)
    from luneo_app.storefront.checkout import order_body, place_order

    with app.test_request_context():
        try:
            place_order(demo.shop_domain, order_body([], {}, "USD"))
        except Exception as exc:  # noqa: BLE001
            assert getattr(exc, "code", "") == "invalid_hmac"
        else:
            raise AssertionError("a demo-signed webhook was accepted with Shopify credentials")
