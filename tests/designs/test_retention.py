"""Retention of designs without an order: files and rows go together, drafts sooner, saved
designs and pay-to-keep brands kept, designs on orders left to the order's retention."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from luneo_app.core.clock import utcnow
from luneo_app.designs.retention import purge_expired_designs
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from luneo_app.jobs import schedule
from luneo_app.models import AuditEvent, Design, Order, OrderItem, RenderJob
from tests.orders.helpers import make_design, mug
from tests.support.factories import make_brand


def _design(app, product, text: str, days_old: int, **fields):  # type: ignore[no-untyped-def]
    design = make_design(product, text=text)
    for name, value in fields.items():
        setattr(design, name, value)
    key = f"{brand_prefix(product.brand_id)}designs/{design.id}/preview.webp"
    app.extensions["luneo.storage"].put(key, b"RIFF-preview-" + text.encode(), "image/webp")
    db.session.add(
        RenderJob(
            brand_id=product.brand_id,
            design_id=design.id,
            kind="preview",
            queue="previews",
            status="succeeded",
            payload={"task": "luneo.designs.render_preview", "args": []},
            enqueued_at=utcnow(),
        )
    )
    db.session.commit()
    db.session.execute(
        update(Design)
        .where(Design.id == design.id)
        .values(updated_at=utcnow() - timedelta(days=days_old))
    )
    db.session.commit()
    return design.id, key


def test_expired_designs_lose_files_and_rows_and_the_others_are_kept(app):
    storage = app.extensions["luneo.storage"]
    brand = make_brand(name="Everyday Mugs")
    paying = make_brand(name="Keeps Everything", plan="pro", settings={"keepDesigns": True})
    product, kept_product = mug(app, brand), mug(app, paying, external_id="2")
    now = utcnow()
    old_draft = _design(app, product, "old draft", 40)
    new_draft = _design(app, product, "new draft", 1)  # drafts: DRAFT_TTL_HOURS (72)
    old_final = _design(app, product, "old final", 100, finalized_at=now - timedelta(days=100))
    new_final = _design(app, product, "new final", 60, finalized_at=now - timedelta(days=60))
    saved = _design(app, product, "saved", 100, customer_ref="cust-42")
    ordered = _design(app, product, "ordered", 400, finalized_at=now - timedelta(days=400))
    paid = _design(app, kept_product, "paid", 400, finalized_at=now - timedelta(days=400))
    order = Order(brand_id=brand.id, platform="api", external_id="A-1", status="open")
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderItem(brand_id=brand.id, order_id=order.id, design_id=ordered[0], line_item_id="1")
    )
    db.session.commit()

    report = purge_expired_designs()

    assert (report.designs, report.files) == (2, 2)
    db.session.expire_all()
    for design_id, key in (old_draft, old_final):
        assert db.session.get(Design, design_id) is None and not storage.exists(key)
        assert db.session.query(RenderJob).filter_by(design_id=design_id).count() == 0
    for design_id, key in (new_draft, new_final, saved, ordered, paid):
        assert db.session.get(Design, design_id) is not None and storage.exists(key)
    [audit] = db.session.query(AuditEvent).filter_by(action="designs.retention_purged").all()
    assert audit.brand_id == brand.id
    assert sorted(audit.details["designs"]) == sorted([old_draft[0], old_final[0]])

    again = purge_expired_designs()  # idempotent: nothing left to remove
    assert (again.designs, again.files) == (0, 0)


def test_the_purge_is_on_the_schedule(app):
    assert "luneo.designs.purge_expired" in {e.task for e in schedule.entries(app.config)}
    assert "luneo.designs.purge_expired" in app.extensions["celery"].tasks
