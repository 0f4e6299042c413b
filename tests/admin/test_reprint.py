"""A reprint after retention: the order's production files and the design's renders are
purged, the design keeps its snapshot, and "Render files again" makes the same pixels."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageChops

from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import AuditEvent, Design, Order
from luneo_app.orders.retention import purge_expired
from tests.admin.helpers import SHOP_A, bearer, design_for, mug, order_for
from tests.shopify.helpers import seed_install


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand, title="Engraved Mug")
    ordered = design_for(brand, product, text="Ada", order=True)
    order = order_for(brand, [ordered], name="#1001")
    return {
        "brand": brand,
        "design": ordered,
        "order_id": order.id if hasattr(order, "id") else db.session.query(Order).one().id,
        "token": lambda: fake_shopify.session_token(SHOP_A),
    }


def _order(client, shop) -> dict:  # type: ignore[no-untyped-def]
    body = client.get("/admin/api/orders", headers=bearer(shop["token"]())).get_json()
    (order,) = body["orders"]
    return order


def _png(client, order: dict) -> bytes:  # type: ignore[no-untyped-def]
    (png,) = [f for f in order["items"][0]["files"] if f["kind"] == "png"]
    parts = urlsplit(png["url"])
    response = client.get(parts.path + "?" + parts.query)
    assert response.status_code == 200
    return response.data


def test_a_reprint_after_the_purge_renders_the_same_pixels(app, client, shop):
    storage = app.extensions["luneo.storage"]
    first = _order(client, shop)
    assert first["productionStatus"] == "ready"
    original = _png(client, first)
    row = db.session.get(Order, shop["order_id"])
    row.status, row.closed_at = "closed", utcnow()
    db.session.commit()

    report = purge_expired(utcnow() + timedelta(days=4000))
    assert report.orders == 1
    design_files = f"{brand_prefix(shop['brand'].id)}designs/{shop['design'].id}/production/"
    assert storage.list(design_files) == []
    assert storage.list(f"{brand_prefix(shop['brand'].id)}orders/") == []
    purged = _order(client, shop)
    assert purged["filesPurged"] is True and purged["items"][0]["files"] == []
    db.session.expire_all()
    design = db.session.get(Design, shop["design"].id)
    assert design.snapshot and design.production_keys == {}  # the minimal snapshot stays
    page = client.get(
        "/admin/orders", query_string={"shop": SHOP_A, "id_token": shop["token"]()}
    ).get_data(as_text=True)
    assert f'data-reprint="{shop["order_id"]}"' in page

    answer = client.post(
        f"/admin/api/orders/{shop['order_id']}/reprint", headers=bearer(shop["token"]())
    )
    assert answer.status_code == 202, answer.get_json()
    again = _order(client, shop)
    assert again["productionStatus"] == "ready" and again["filesPurged"] is False
    reprinted = _png(client, again)

    before, after = Image.open(io.BytesIO(original)), Image.open(io.BytesIO(reprinted))
    assert before.size == after.size and before.mode == after.mode
    assert ImageChops.difference(before.convert("RGBA"), after.convert("RGBA")).getbbox() is None
    assert before.info.get("dpi") == after.info.get("dpi")
    assert db.session.query(AuditEvent).filter_by(action="order.reprint_requested").count() == 1

    # Files that are there are downloaded, not rendered again.
    twice = client.post(
        f"/admin/api/orders/{shop['order_id']}/reprint", headers=bearer(shop["token"]())
    )
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "files_available"


def test_an_order_of_another_shop_is_not_found(app, client, shop, fake_shopify):
    answer = client.post("/admin/api/orders/ord_unknown/reprint", headers=bearer(shop["token"]()))
    assert answer.status_code == 404
