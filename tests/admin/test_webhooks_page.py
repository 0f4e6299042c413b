"""The Shopify merchant's webhook page: the delivery log as a page, and replay."""

from __future__ import annotations

import pytest

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import OutboundDelivery
from tests.admin.helpers import SHOP_A, bearer
from tests.shopify.helpers import seed_install


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, install, _ = seed_install(app, fake_shopify, SHOP_A)
    brand.webhook_url = "https://93.184.216.34/luneo"
    now = utcnow()
    delivery = OutboundDelivery(
        brand_id=brand.id, event_id="evt_page", event_type="design.ready",
        url=brand.webhook_url, body="{}", status="failed", attempts=9,
        last_status_code=500, next_attempt_at=now, expires_at=now,
    )  # fmt: skip
    db.session.add(delivery)
    db.session.commit()
    return {"brand": brand, "delivery": delivery, "token": fake_shopify.session_token(SHOP_A)}


def test_the_delivery_log_is_a_page_with_replay(client, shop):
    page = client.get(f"/admin/webhooks?shop={SHOP_A}&id_token={shop['token']}")
    assert page.status_code == 200
    assert "evt_page" in page.text and "Replay" in page.text
    r = client.post(
        f"/admin/api/webhooks/deliveries/{shop['delivery'].id}/replay",
        headers=bearer(shop["token"]),
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["delivery"]["status"] in ("pending", "retrying", "failed", "delivered")
    db.session.expire_all()
    row = db.session.get(OutboundDelivery, shop["delivery"].id)
    assert row.expires_at > utcnow()  # a fresh retry window


def test_another_shops_delivery_cannot_be_replayed(client, shop, fake_shopify):
    from tests.admin.helpers import SHOP_B

    seed_install(client.application, fake_shopify, SHOP_B)
    r = client.post(
        f"/admin/api/webhooks/deliveries/{shop['delivery'].id}/replay",
        headers=bearer(fake_shopify.session_token(SHOP_B)),
    )
    assert r.status_code == 404
