"""After a customer's erasure nothing of the customer remains: every table and every stored
file is scanned for what identified them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import (
    AiArtwork,
    Design,
    Order,
    OrderItem,
    OutboundDelivery,
    Upload,
    UsageRecord,
)
from luneo_app.orders.describe import describe_order
from luneo_app.outbound.events import order_production_ready
from tests.ai.helpers import AI_TEMPLATE, ai_design
from tests.designs.helpers import _photo, png_bytes
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import connect_endpoint
from tests.shopify.helpers import SHOP, post_webhook, seed_install
from tests.support.factories import make_product

CUSTOMER_ID = 207119551
EMAIL = "jane.erasable@example.com"
SHIPPING_NAME = "Jane Marguerite Erasable"
PROMPT = "a golden retriever called Biscuit wearing a crown"


def _every_row() -> list[tuple[str, str, str]]:
    """(table, row id, the row's values as text) of every row of every table."""
    rows = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(select(table)).mappings():
                text = json.dumps({k: v for k, v in row.items()}, default=str)
                rows.append((table.name, str(row.get("id")), text))
    return rows


def _every_file(root: Path) -> list[tuple[str, bytes]]:
    return [(str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*") if p.is_file()]


def _customer_data(app, client, fake_shopify, receiver):  # type: ignore[no-untyped-def]
    brand, _install, _grant = seed_install(app, fake_shopify)
    headers = {"Authorization": f"Bearer {create_api_key(brand).plaintext}"}
    product = make_product(brand, template=AI_TEMPLATE, external_id="mug-ai", title="Mug")
    product.image_key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(product.image_key, _photo(), "image/png")
    connect_endpoint(app, brand, receiver.url, ENDPOINT_SECRET)

    mine = client.post(
        "/v1/designs",
        json={**ai_design(product.id, PROMPT), "customerRef": str(CUSTOMER_ID)},
        headers=headers,
    )
    assert mine.status_code in (200, 201, 202), mine.get_json()
    # Another shopper asks for the same artwork: the cache serves them the same picture.
    theirs = client.post(
        "/v1/designs",
        json={**ai_design(product.id, PROMPT), "customerRef": "someone-else"},
        headers=headers,
    )
    assert (
        theirs.get_json()["designId"] != mine.get_json()["designId"]
    )  # the design cache is per customer
    photo = client.post(
        "/v1/uploads",
        data={
            "file": (io.BytesIO(png_bytes(400, 300, (9, 9, 9))), "me.png"),
            "customerRef": EMAIL,
            "consent": "true",
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert photo.status_code == 201, photo.get_json()
    design = db.session.get(Design, mine.get_json()["designId"])
    order = Order(
        brand_id=brand.id,
        platform="shopify",
        external_id="450789469",
        name="#1001",
        customer_ref=EMAIL,
        shipping={"name": SHIPPING_NAME, "address1": "17 Rue des Lilas", "email": EMAIL},
        created_at=datetime.now(UTC),
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderItem(brand_id=brand.id, order_id=order.id, design_id=design.id, line_item_id="li-1")
    )
    db.session.commit()
    order_production_ready(brand, describe_order(order))  # delivered to the brand's endpoint
    db.session.commit()
    request = {"customer": {"id": CUSTOMER_ID, "email": EMAIL}, "data_request": {"id": 5}}
    assert post_webhook(client, "customers/data_request", request).status_code == 200
    return brand, design, db.session.get(Design, theirs.get_json()["designId"]), photo.get_json()


def test_after_customers_redact_no_table_and_no_file_holds_anything_of_the_customer(
    app, client, fake_shopify, receiver
):
    brand, design, other, photo = _customer_data(app, client, fake_shopify, receiver)
    design_id, other_id, brand_id = design.id, other.id, brand.id
    artwork = db.session.scalars(select(AiArtwork)).one()
    other_art = other.layers[0]["artworkKey"]
    assert other_art == artwork.key  # shared until the erasure
    usage_before = db.session.scalars(select(UsageRecord)).all()
    amounts = sorted((u.id, u.cost_cents, u.occurred_at.isoformat()) for u in usage_before)
    markers = {
        "customer id": str(CUSTOMER_ID),
        "e-mail": EMAIL,
        "shipping name": SHIPPING_NAME,
        "design id": design_id,
        "upload id": photo["uploadId"],
        "artwork id": artwork.id,
    }
    assert len(db.session.scalars(select(OutboundDelivery)).all()) == 1
    payload = {
        "shop_id": fake_shopify.shop_id(SHOP),
        "shop_domain": SHOP,
        "customer": {"id": CUSTOMER_ID, "email": EMAIL},
        "orders_to_redact": [450789469],
    }

    assert post_webhook(client, "customers/redact", payload).status_code == 200

    db.session.expire_all()
    found = [
        (what, table, row_id)
        for table, row_id, text in _every_row()
        for what, marker in markers.items()
        if marker in text
    ]
    assert found == []
    # The prompt survives only on the other customer's own design.
    assert [(t, r) for t, r, text in _every_row() if PROMPT in text] == [("designs", other_id)]
    storage = app.extensions["luneo.storage"]
    files = _every_file(Path(storage.root))
    assert [
        (name, what)
        for name, data in files
        for what, marker in markers.items()
        if marker in name or marker.encode() in data
    ] == []
    # The other customer keeps the picture they were shown, as a copy of their own.
    kept = db.session.get(Design, other_id)
    assert kept.layers[0]["artworkKey"] != other_art
    assert kept.layers[0]["artworkKey"].startswith(f"{brand_prefix(brand_id)}designs/{other_id}/")
    assert storage.get(kept.layers[0]["artworkKey"])[:4] == b"\x89PNG"
    assert not storage.exists(other_art)
    # Usage stays for billing: same ids, amounts and times, no design and no prompt hash.
    usage_after = db.session.scalars(select(UsageRecord)).all()
    assert sorted((u.id, u.cost_cents, u.occurred_at.isoformat()) for u in usage_after) == amounts
    assert all(u.design_id != design_id for u in usage_after)
    assert all("promptHash" not in (u.details or {}) for u in usage_after)


def test_a_delivered_outbound_body_keeps_no_shipping_address(app, client, fake_shopify, receiver):
    _customer_data(app, client, fake_shopify, receiver)

    delivery = db.session.scalars(select(OutboundDelivery)).one()

    assert delivery.status == "succeeded"
    assert SHIPPING_NAME not in delivery.body and EMAIL not in delivery.body
    assert SHIPPING_NAME.encode() in receiver.wait_for(1)[-1].body  # the brand did get it
    assert db.session.scalar(select(Upload.customer_ref)) == EMAIL


def test_after_shop_redact_no_table_and_no_file_holds_anything_of_the_shop(
    app, client, fake_shopify, receiver
):
    brand, _design, _other, _photo = _customer_data(app, client, fake_shopify, receiver)
    brand_id = brand.id
    shop_id = fake_shopify.shop_id(SHOP)
    uninstall = {"id": shop_id, "myshopify_domain": SHOP, "domain": SHOP}
    assert post_webhook(client, "app/uninstalled", uninstall).status_code == 200

    redact = {"shop_id": shop_id, "shop_domain": SHOP}
    assert post_webhook(client, "shop/redact", redact).status_code == 200

    db.session.expire_all()
    markers = {"brand": brand_id, "e-mail": EMAIL, "shipping name": SHIPPING_NAME, "prompt": PROMPT}
    found = sorted(
        (what, table)
        for table, _row_id, text in _every_row()
        for what, marker in markers.items()
        if marker in text
    )
    # Only the audit trail of the erasure itself names the (gone) brand.
    assert found == [("brand", "audit_events")]
    storage = app.extensions["luneo.storage"]
    assert not [name for name, _data in _every_file(Path(storage.root)) if brand_id in name]
