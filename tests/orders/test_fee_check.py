"""orders/create checks that every personalized line's fee was paid in full."""

from __future__ import annotations

import json

from luneo_app.extensions import db
from luneo_app.models import OutboundDelivery
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import connect_endpoint, make_design, mug, only_order, order_body
from tests.shopify.helpers import SHOP, post_webhook, seed_install

NAME_FEE = 1000  # the name option's own price
GOLD_FEE = 450  # the gold finish value's price


def _priced_shop(app, fake):  # type: ignore[no-untyped-def]
    brand, _install, _grant = seed_install(app, fake)
    product = mug(app, brand)
    template = dict(product.template)
    options = [dict(o) for o in template["options"]]
    options[0]["priceCents"] = NAME_FEE
    options.append(
        {
            "id": "finish",
            "type": "choice",
            "label": "Finish",
            "values": [{"value": "black"}, {"value": "gold", "priceCents": GOLD_FEE}],
        }
    )
    template["options"] = options
    product.template = template
    db.session.commit()
    design = make_design(product, text="Anna & Tom")
    design.options = {"name": "Anna & Tom", "finish": "gold"}
    db.session.commit()
    connect_endpoint(app, brand, "http://127.0.0.1:9/hooks", ENDPOINT_SECRET)
    return brand, design


def _problem_events() -> list[dict]:
    rows = db.session.query(OutboundDelivery).filter_by(event_type="order.problem").all()
    return [json.loads(r.body)["data"] for r in rows]


def test_order_with_the_fee_line_removed_becomes_an_order_problem_and_an_event(
    app, client, fake_shopify
):
    _brand, design = _priced_shop(app, fake_shopify)
    body = order_body(7001, [{"design": design.id, "price": "24.00", "quantity": 2}])
    fake_shopify.orders.add(SHOP, body)

    assert post_webhook(client, "orders/create", body).status_code == 200

    order = only_order()
    problems = [p for p in order.problems if p["code"] == "fee_unpaid"]
    assert len(problems) == 1
    assert problems[0]["designId"] == design.id
    assert (problems[0]["expectedCents"], problems[0]["paidCents"]) == (2 * 1450, 0)
    assert "29.00 USD due" in problems[0]["message"]
    events = _problem_events()
    assert [(e["code"], e["orderId"], e["expectedCents"]) for e in events] == [
        ("fee_unpaid", order.id, 2900)
    ]


def test_a_reduced_fee_is_a_problem_but_a_discount_or_another_currency_is_not(
    app, client, fake_shopify
):
    _brand, design = _priced_shop(app, fake_shopify)
    reduced = order_body(
        7002,
        [
            {"design": design.id, "price": "24.00"},
            {"design": design.id, "fee_for": "x", "price": "10.00"},  # 14.50 due
        ],
    )
    discounted = order_body(
        7003,
        [
            {"design": design.id, "price": "24.00", "discount": "12.00"},
            # The exact fee (transform component) paid in euros, with a 50 % code.
            {
                "design": design.id,
                "fee_for": "x",
                "price": "14.50",
                "discount": "7.25",
                "presentment": "13.36",
                "presentment_currency": "EUR",
            },
        ],
    )
    rounded = order_body(
        7004,  # fee-product units on a shop without the transform: 15 x 1.00, rounded up
        [
            {"design": design.id, "price": "24.00"},
            {"design": design.id, "fee_for": "x", "price": "1.00", "quantity": 15},
        ],
    )
    for body in (reduced, discounted, rounded):
        fake_shopify.orders.add(SHOP, body)
        assert post_webhook(client, "orders/create", body).status_code == 200

    db.session.expire_all()
    from luneo_app.models import Order

    by_id = {o.external_id: o for o in db.session.query(Order).all()}
    assert [p["code"] for p in by_id["7002"].problems] == ["fee_unpaid"]
    assert by_id["7002"].problems[0]["paidCents"] == 1000
    assert by_id["7003"].problems == []
    assert by_id["7004"].problems == []
    assert [e["externalId"] for e in _problem_events()] == ["7002"]
