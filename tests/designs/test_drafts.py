"""Drafts (previews while editing) against committed designs (added to a cart)."""

from __future__ import annotations

from datetime import timedelta

from luneo_app.admin.activity import list_designs
from luneo_app.admin.onboarding import usage
from luneo_app.core.clock import utcnow
from luneo_app.designs import drafts, lifecycle
from luneo_app.designs.retention import purge_expired_designs
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.models import Design, Order, OrderItem
from tests.designs.helpers import MUG_TEMPLATE
from tests.support.factories import make_brand, make_product


def _design(product, text: str, age_hours: float, status: str = "preview_ready") -> Design:  # type: ignore[no-untyped-def]
    design = Design(
        brand_id=product.brand_id,
        product_id=product.id,
        source="storefront",
        layers=[{"type": "text", "printArea": "front", "text": text}],
        options={"name": text},
        content_hash=text.ljust(64, "0")[:64],
        status=status,
        created_at=utcnow() - timedelta(hours=age_hours),
        updated_at=utcnow() - timedelta(hours=age_hours),
    )
    db.session.add(design)
    db.session.flush()
    return design


def test_old_drafts_expire_with_their_files_and_committed_saved_or_ordered_ones_stay(app):
    brand = make_brand()
    product = make_product(brand, template=MUG_TEMPLATE)
    old_draft = _design(product, "A", 100)
    _design(product, "B", 100, status="failed")
    _design(product, "C", 1)
    _design(product, "D", 100, status="rendering")
    saved = _design(product, "E", 100)
    saved.saved_at = utcnow() - timedelta(hours=99)
    committed = _design(product, "F", 100)
    lifecycle.finalized(committed, {"layers": committed.layers})
    ordered = _design(product, "G", 100)
    order = Order(
        brand_id=brand.id,
        platform="shopify",
        external_id="1",
        name="#1",
        status="open",
        production_status="pending",
        problems=[],
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderItem(
            brand_id=brand.id,
            order_id=order.id,
            line_item_id="1",
            design_id=ordered.id,
            title="Mug",
            files={},
        )
    )
    db.session.commit()
    storage = app.extensions["luneo.storage"]
    key = f"{brand_prefix(brand.id)}designs/{old_draft.id}/preview.webp"
    storage.put(key, b"RIFF....WEBP", "image/webp")

    assert committed.committed_at is not None and drafts.is_committed(committed)
    assert purge_expired_designs().designs == 2

    db.session.expire_all()
    left = {d.options["name"] for d in db.session.query(Design).all()}
    assert left == {"C", "D", "E", "F", "G"}
    assert not storage.exists(key)
    assert purge_expired_designs().designs == 0  # safe to run again


def test_the_admin_counts_committed_designs_and_the_plan_bills_no_draft(app):
    brand = make_brand()
    product = make_product(brand, template=MUG_TEMPLATE)
    for n in range(5):
        _design(product, f"draft {n}", 0)
    chosen = _design(product, "chosen", 0)
    lifecycle.finalized(chosen, {"layers": chosen.layers})
    db.session.commit()

    assert list_designs(brand.id, 1, None)["pageInfo"]["total"] == 1
    assert list_designs(brand.id, 1, "draft")["pageInfo"]["total"] == 5
    # The plan counts designs in placed orders only: neither drafts nor an unordered design.
    [designs] = [m for m in usage(brand)["metrics"] if m["metric"] == "designs"]
    assert designs["used"] == 0
