"""Privacy webhooks: a customer's export and erasure, a shop's erasure; each audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import (
    AuditEvent,
    Brand,
    DataExport,
    Design,
    Order,
    OrderItem,
    RenderJob,
    Upload,
    WebhookEvent,
)
from tests.shopify.helpers import SHOP, install_of, post_webhook, seed_install
from tests.support.factories import make_product

CUSTOMER = {"id": 207119551, "email": "jane@example.com", "phone": "555-625-1199"}
OTHER_CUSTOMER = "gid://shopify/Customer/1111"


def _store(app, key: str, data: bytes = b"x") -> str:  # type: ignore[no-untyped-def]
    app.extensions["luneo.storage"].put(key, data)
    return key


def _customer_data(app, brand, customer_ref: str, order_external_id: str):  # type: ignore[no-untyped-def]
    """A design with files, an upload it uses, and an order carrying it."""
    prefix = brand_prefix(brand.id)
    product = db.session.scalar(select(Design.product_id).where(Design.brand_id == brand.id))
    product = product or make_product(brand, external_id="632910392").id
    upload = Upload(
        brand_id=brand.id,
        key=_store(app, f"{prefix}uploads/{customer_ref[-4:]}.jpg"),
        content_type="image/jpeg",
        width=10,
        height=10,
        size_bytes=1,
        sha256="0" * 64,
        original_format="jpeg",
        customer_ref=None,  # found through the design that uses it
        created_at=datetime.now(UTC),
    )
    db.session.add(upload)
    db.session.flush()
    design = Design(
        brand_id=brand.id,
        product_id=product,
        customer_ref=customer_ref,
        content_hash="h" * 64,
        layers=[{"type": "image", "uploadId": upload.id}],
        status="production_ready",
    )
    db.session.add(design)
    db.session.flush()
    design.preview_key = _store(app, f"{prefix}designs/{design.id}/preview.webp")
    design.production_keys = {
        "front": _store(app, f"{prefix}designs/{design.id}/production/front.png")
    }
    order = Order(
        brand_id=brand.id,
        platform="shopify",
        external_id=order_external_id,
        name="#1001",
        customer_ref=customer_ref,
        shipping={"name": "Jane Doe", "address1": "1 Main St"},
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderItem(brand_id=brand.id, order_id=order.id, design_id=design.id, line_item_id="li-1")
    )
    db.session.add(
        RenderJob(
            brand_id=brand.id, design_id=design.id, kind="preview", enqueued_at=datetime.now(UTC)
        )
    )
    db.session.commit()
    return design, upload, order


def test_a_data_request_exports_the_customers_designs_and_orders_and_records_it(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    design, upload, order = _customer_data(app, brand, "207119551", "450789469")
    _customer_data(app, brand, OTHER_CUSTOMER, "450789470")
    payload = {
        "shop_id": fake_shopify.shop_id(SHOP),
        "shop_domain": SHOP,
        "orders_requested": [450789469],
        "customer": CUSTOMER,
        "data_request": {"id": 9999},
    }

    assert post_webhook(client, "customers/data_request", payload).status_code == 200

    export = db.session.query(DataExport).one()
    assert (export.brand_id, export.subject_ref, export.request_ref) == (
        brand.id,
        "207119551",
        "9999",
    )
    assert export.summary == {"designs": 1, "uploads": 1, "orders": 1}
    document = json.loads(app.extensions["luneo.storage"].get(export.file_key))
    assert [d["id"] for d in document["designs"]] == [design.id]
    assert [u["id"] for u in document["uploads"]] == [upload.id]
    assert [o["id"] for o in document["orders"]] == [order.id]
    assert document["orders"][0]["items"][0]["designId"] == design.id
    audit = db.session.query(AuditEvent).filter_by(action="compliance.customer_data_exported").one()
    assert audit.details["export"] == export.id and audit.brand_id == brand.id


def test_customer_redact_erases_the_customers_designs_uploads_and_files_only(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    design, upload, order = _customer_data(app, brand, "207119551", "450789469")
    kept, kept_upload, kept_order = _customer_data(app, brand, OTHER_CUSTOMER, "450789470")
    storage = app.extensions["luneo.storage"]
    design_id, upload_id, upload_key = design.id, upload.id, upload.key
    payload = {
        "shop_id": fake_shopify.shop_id(SHOP),
        "shop_domain": SHOP,
        "customer": CUSTOMER,
        "orders_to_redact": [450789469],
    }

    request = {"customer": CUSTOMER, "data_request": {"id": 77}}
    assert post_webhook(client, "customers/data_request", request).status_code == 200
    export_key = db.session.query(DataExport).one().file_key

    assert post_webhook(client, "customers/redact", payload).status_code == 200

    db.session.expire_all()
    assert db.session.get(Design, design_id) is None
    assert db.session.get(Upload, upload_id) is None
    assert db.session.query(RenderJob).filter_by(design_id=design_id).count() == 0
    assert not [
        k for k in storage.list(brand_prefix(brand.id)) if design_id in k or k == upload_key
    ]
    stripped = db.session.get(Order, order.id)
    assert (stripped.customer_ref, stripped.shipping) == (None, None)
    assert db.session.query(OrderItem).filter_by(order_id=order.id).one().design_id is None
    assert db.session.get(Design, kept.id) is not None
    assert storage.exists(kept.preview_key) and storage.exists(kept_upload.key)
    assert db.session.get(Order, kept_order.id).shipping is not None
    assert db.session.query(DataExport).count() == 0 and not storage.exists(export_key)
    audit = db.session.query(AuditEvent).filter_by(action="compliance.customer_redacted").one()
    assert audit.details == {
        "designs": 1,
        "uploads": 1,
        "exports": 1,
        "files": 4,
        "ordersAnonymized": 1,
        "auditAnonymized": 1,  # the data request's audit event no longer names the customer
    }


def _brand_rows(brand_id: str) -> dict[str, int]:
    """Rows per table that carry this brand id (every table with a brand_id column)."""
    found = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if "brand_id" in table.c:
                count = len(
                    conn.execute(select(table.c.id).where(table.c.brand_id == brand_id)).all()
                )
                if count:
                    found[table.name] = count
    return found


def test_after_shop_redact_no_row_or_file_of_the_shop_remains(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    brand_id = brand.id
    _customer_data(app, brand, "207119551", "450789469")
    other_brand, _other_install, _ = seed_install(app, fake_shopify, shop="other.myshopify.com")
    _customer_data(app, other_brand, "5", "6")
    post_webhook(client, "products/update", {"id": 1, "title": "Mug"})
    post_webhook(
        client, "customers/data_request", {"customer": CUSTOMER, "data_request": {"id": 1}}
    )
    post_webhook(client, "app/uninstalled", {"id": fake_shopify.shop_id(SHOP), "domain": SHOP})
    assert len(_brand_rows(brand.id)) >= 8
    storage = app.extensions["luneo.storage"]
    assert storage.list(brand_prefix(brand.id))

    response = post_webhook(
        client,
        "shop/redact",
        {"shop_id": fake_shopify.shop_id(SHOP), "shop_domain": SHOP},
        triggered_at=datetime.now(UTC) + timedelta(seconds=1),
    )

    assert response.status_code == 200
    db.session.expire_all()
    assert _brand_rows(brand_id) == {}
    assert db.session.get(Brand, brand_id) is None
    assert install_of() is None
    assert storage.list(brand_prefix(brand_id)) == []
    assert not (storage.root / brand_prefix(brand_id)).exists()
    remaining = db.session.query(WebhookEvent).filter_by(shop_domain=SHOP).all()
    assert [(e.topic, e.brand_id, e.payload) for e in remaining] == [("shop/redact", None, None)]
    audit = db.session.query(AuditEvent).filter_by(action="compliance.shop_redacted").one()
    assert (audit.brand_id, audit.target_id) == (None, SHOP)
    assert audit.details["brand"] == brand_id
    assert audit.details["rows"]["designs"] == 1 and audit.details["files"] >= 4
    assert _brand_rows(other_brand.id)["designs"] == 1  # the other shop is untouched
    assert storage.list(brand_prefix(other_brand.id))


def test_shop_redact_for_a_shop_that_installed_again_since_erases_nothing(
    app, client, fake_shopify
):
    brand, install, _grant = seed_install(app, fake_shopify)
    install.installed_at = datetime.now(UTC)
    db.session.commit()

    post_webhook(
        client,
        "shop/redact",
        {"shop_domain": SHOP},
        triggered_at=datetime.now(UTC) - timedelta(hours=1),
    )

    assert db.session.get(Brand, brand.id) is not None
    assert db.session.query(WebhookEvent).one().note.startswith("skipped")


def test_privacy_requests_for_an_unknown_shop_are_audited(client):
    post_webhook(
        client, "shop/redact", {"shop_domain": "gone.myshopify.com"}, shop="gone.myshopify.com"
    )

    audit = db.session.query(AuditEvent).one()
    assert (audit.action, audit.target_id) == ("compliance.shop_redacted", "gone.myshopify.com")
