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


def test_a_failed_design_retried_from_the_console_is_produced_and_its_order_finished(
    app, client, fake_shopify, monkeypatch
):
    from sqlalchemy import select

    import render
    from luneo_app.models import DesignEvent, RenderJob

    brand, _install, _grant = seed_install(app, fake_shopify)
    design = make_design(mug(app, brand), text="Retry me")
    real = render.production

    def bucket_down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("the storage bucket refused the connection")

    monkeypatch.setattr(render, "production", bucket_down)
    body = order_body(7002, [{"design": design.id}], name="#7002")
    fake_shopify.orders.add(SHOP, body)
    post_webhook(client, "orders/create", body)
    order = only_order()
    assert (order.production_status, [p["code"] for p in order.problems]) == (
        "failed",
        ["design_failed"],
    )
    assert db.session.get(Design, design.id).status == "failed"
    assert fake_shopify.orders.write_backs == []
    failed_job = db.session.scalar(
        select(RenderJob).where(RenderJob.kind == "production", RenderJob.status == "failed")
    )
    monkeypatch.setattr(render, "production", real)  # the bucket is back

    _admin(client)
    page = client.get(f"/support/brands/{brand.id}").get_data(as_text=True)
    assert f"/support/brands/{brand.id}/jobs/{failed_job.id}/retry" in page
    token = form_token(client, f"/support/brands/{brand.id}")
    answer = client.post(
        f"/support/brands/{brand.id}/jobs/{failed_job.id}/retry",
        data={"reason": "bucket outage is over", "csrf_token": token},
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]

    db.session.expire_all()
    finished = db.session.get(Design, design.id)
    assert (finished.status, finished.error) == ("production_ready", None)
    order = only_order()
    assert (order.production_status, order.problems) == ("ready", [])
    assert [i.production_status for i in items_of(order)] == ["ready"]
    assert len(fake_shopify.orders.write_backs) == 1  # the merchant's order gets its files
    moves = [
        (e.from_status, e.to_status, e.event)
        for e in db.session.scalars(
            select(DesignEvent)
            .where(DesignEvent.design_id == design.id)
            .order_by(DesignEvent.created_at, DesignEvent.id)
        )
    ]
    assert ("failed", "finalized", "retried") in moves
    assert moves[-1][1] == "production_ready"
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "support.job_retried"))
    assert audit.actor == "staff:ada@luneo.example" and audit.target_id == failed_job.id
    assert audit.details["reason"] == "bucket outage is over"
    assert audit.details["design_status"] == "finalized"
