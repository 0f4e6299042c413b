"""An order whose photo prints below a minDpi the merchant raised after the shopper's preview
becomes an order problem (admin and ``order.problem``), not a blurry print nobody hears of."""

from __future__ import annotations

import io
import json

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.models import OutboundDelivery, Product
from tests.designs.helpers import photo_fills_area, png_bytes
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import connect_endpoint, items_of, mug, only_order, order_body
from tests.shopify.helpers import SHOP, post_webhook, seed_install

AREA_IN = 72 / 25.4  # the mug's front is 72 mm wide; the photo's slot fills it


def _photo_design(app, client, headers, product, width: int) -> str:  # type: ignore[no-untyped-def]
    """A shopper's photo design, added to the cart (finalized) under today's minDpi."""
    upload = client.post(
        "/v1/uploads",
        data={
            "file": (io.BytesIO(png_bytes(width, round(width * 82 / 72))), "p.png"),
            "productId": product.id,
            "consent": "true",
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    layer = {"type": "image", "printArea": "front", "uploadId": upload.get_json()["uploadId"]}
    made = client.post(
        "/v1/designs", json={"productId": product.id, "layers": [layer]}, headers=headers
    )
    assert made.status_code == 202, made.get_json()
    design_id = made.get_json()["designId"]
    done = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert done.status_code == 200, done.get_json()
    return design_id


def _raise_min_dpi(product_id: str, value: int) -> None:
    product = db.session.get(Product, product_id)
    template = dict(product.template)
    template["options"] = [
        {**o, "minDpi": value} if o["type"] == "image" else o for o in template["options"]
    ]
    product.template = template
    db.session.commit()


def test_a_photo_under_a_raised_min_dpi_is_an_order_problem_and_an_event(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    headers = {"Authorization": f"Bearer {create_api_key(brand).plaintext}"}
    product = mug(app, brand)
    photo_fills_area(product)
    connect_endpoint(app, brand, "http://127.0.0.1:9/hooks", ENDPOINT_SECRET)
    small = _photo_design(app, client, headers, product, 600)  # 211 dpi: fine at 150
    sharp = _photo_design(app, client, headers, product, 1000)  # 352 dpi
    _raise_min_dpi(product.id, 300)  # the merchant raises the floor after the previews

    body = order_body(7101, [{"design": small}, {"design": sharp}])
    fake_shopify.orders.add(SHOP, body)
    assert post_webhook(client, "orders/create", body).status_code == 200

    order = only_order()
    problems = [p for p in order.problems if p["code"] == "photo_resolution_too_low"]
    assert [(p["lineNumber"], p["designId"]) for p in problems] == [(1, small)]
    assert (problems[0]["effectiveDpi"], problems[0]["minDpi"]) == (int(600 / AREA_IN), 300)
    assert "211 dpi" in problems[0]["message"] and "300 dpi" in problems[0]["message"]
    events = [
        json.loads(r.body)["data"]
        for r in db.session.query(OutboundDelivery).filter_by(event_type="order.problem")
    ]
    assert [(e["code"], e["orderId"], e["designId"]) for e in events] == [
        ("photo_resolution_too_low", order.id, small)
    ]
    # the merchant decides: both lines are still produced (the paid order is not stranded)
    assert [i.production_status for i in items_of(order)] == ["ready", "ready"]

    # an orders/updated delivery does not repeat the problem or the event
    assert post_webhook(client, "orders/updated", body).status_code == 200
    assert len(only_order().problems) == 1
    assert db.session.query(OutboundDelivery).filter_by(event_type="order.problem").count() == 1


def test_photos_sharp_enough_make_no_problem(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    headers = {"Authorization": f"Bearer {create_api_key(brand).plaintext}"}
    product = mug(app, brand)
    photo_fills_area(product)
    design = _photo_design(app, client, headers, product, 600)
    body = order_body(7102, [{"design": design}])
    fake_shopify.orders.add(SHOP, body)
    assert post_webhook(client, "orders/create", body).status_code == 200
    assert only_order().problems == []
