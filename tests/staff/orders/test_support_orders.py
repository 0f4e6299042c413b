"""What the console's actions do to orders: a suspended brand's paid orders are still
produced, and a failed design retried from the console finishes its order."""

from __future__ import annotations

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Brand, Design, Order
from tests.orders.helpers import items_of, make_design, mug, only_order, order_body
from tests.orders.test_rest_connector import event, post, rest_brand
from tests.shopify.helpers import SHOP, post_webhook, seed_install
from tests.staff.helpers import form_token, make_staff, sign_in

REASON = {"reason": "chargeback fraud review"}


def _admin(client) -> None:  # type: ignore[no-untyped-def]
    secret = make_staff("ada@luneo.example", role="admin")
    assert sign_in(client, "ada@luneo.example", secret).status_code == 302


def _suspend(client, brand_id: str) -> None:  # type: ignore[no-untyped-def]
    token = form_token(client, f"/support/brands/{brand_id}")
    answer = client.post(
        f"/support/brands/{brand_id}/suspend", data={**REASON, "csrf_token": token}
    )
    assert answer.status_code == 302
    assert db.session.get(Brand, brand_id).status == "suspended"


def test_a_suspended_shops_paid_order_is_still_produced_and_written_back(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    design = make_design(mug(app, brand), text="Paid before")
    _admin(client)
    _suspend(client, brand.id)

    body = order_body(7001, [{"design": design.id}], name="#7001")
    fake_shopify.orders.add(SHOP, body)
    assert post_webhook(client, "orders/create", body).status_code == 200

    order = only_order()
    assert (order.production_status, order.problems) == ("ready", [])
    assert [i.production_status for i in items_of(order)] == ["ready"]
    assert db.session.get(Design, design.id).status == "production_ready"
    assert len(fake_shopify.orders.write_backs) == 1  # the merchant sees the files in Shopify
    assert db.session.get(Brand, brand.id).status == "suspended"  # and it stays suspended


def test_a_suspended_api_brands_signed_order_event_is_still_produced(app, client, brand_api):
    brand, secret, product = rest_brand(app, brand_api)
    design = make_design(product)
    _admin(client)
    _suspend(client, brand.id)
    body = event(
        "order.created",
        {
            "order": {
                "id": "SO-9",
                "name": "SO 9",
                "status": "open",
                "lineItems": [
                    {
                        "id": "l1",
                        "title": "Mug",
                        "quantity": 1,
                        "properties": {"_luneo_design_id": design.id},
                    }
                ],
            }
        },
    )

    answer = post(client, brand, secret, body)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    order = db.session.query(Order).filter_by(brand_id=brand.id, external_id="SO-9").one()
    assert order.production_status == "ready"
    assert db.session.query(AuditEvent).filter_by(action="support.brand_suspended").count() == 1
