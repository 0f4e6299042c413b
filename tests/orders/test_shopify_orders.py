"""orders/create: designs linked, production files under stable names, one write-back."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from luneo_app.extensions import db
from luneo_app.models import Design, Order, OutboundDelivery, WebhookEvent
from luneo_app.realtime import realtime
from tests.orders.conftest import ENDPOINT_SECRET
from tests.orders.helpers import (
    connect_endpoint,
    items_of,
    jobs,
    make_design,
    mug,
    new_webhook_id,
    only_order,
    order_body,
)
from tests.shopify.helpers import SHOP, post_webhook, seed_install
from tests.support.factories import make_brand


def _shop_with_designs(app, fake, count: int = 2):  # type: ignore[no-untyped-def]
    brand, _install, _grant = seed_install(app, fake)
    product = mug(app, brand)
    designs = [make_design(product, text=f"Name {n}") for n in range(count)]
    return brand, product, designs


def _download(client, url: str) -> bytes:  # type: ignore[no-untyped-def]
    """Follow a Luneo link (lasting production link or signed storage URL) to the bytes."""
    from flask import current_app

    path = url.replace(current_app.config["APP_URL"], "")
    response = client.get(path)
    if response.status_code == 302:
        response = client.get(
            response.headers["Location"].replace(current_app.config["APP_URL"], "")
        )
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def test_orders_create_links_designs_makes_named_files_and_writes_back_once(
    app, client, fake_shopify, receiver
):
    brand, _product, designs = _shop_with_designs(app, fake_shopify)
    connect_endpoint(app, brand, receiver.url + "/hooks", ENDPOINT_SECRET)
    body = order_body(
        5001,
        [
            {"design": designs[0].id},
            {},  # a plain line: nothing to produce
            {"design": designs[0].id, "fee_for": "5001", "title": "Personalization add-on"},
            {"design": designs[1].id, "quantity": 2},
        ],
        name="#1042",
    )
    fake_shopify.orders.add(SHOP, body)

    assert post_webhook(client, "orders/create", body).status_code == 200

    order = only_order()
    assert (order.platform, order.external_id, order.name) == ("shopify", "5001", "#1042")
    assert (order.status, order.production_status, order.problems) == ("open", "ready", [])
    lines = items_of(order)
    assert [(i.line_number, i.design_id, i.quantity) for i in lines] == [
        (1, designs[0].id, 1),
        (4, designs[1].id, 2),
    ]
    names = sorted(
        e.rsplit("/", 1)[-1]
        for i in lines
        for f in i.files.values()
        for e in f.values()
        if isinstance(e, str)
    )
    assert names == sorted(
        [
            f"1042-1-{designs[0].id}.pdf",
            f"1042-1-{designs[0].id}.png",
            f"1042-4-{designs[1].id}.pdf",
            f"1042-4-{designs[1].id}.png",
        ]
    )
    assert [i.files["front"]["dpi"] for i in lines] == [300, 300]
    assert {d.status for d in db.session.scalars(select(Design))} == {"production_ready"}
    assert len(jobs("production")) == 2 and len(jobs("package")) == 1

    # The zip holds every line's files and a manifest.
    archive = zipfile.ZipFile(io.BytesIO(app.extensions["luneo.storage"].get(order.zip_key)))
    assert sorted(archive.namelist()) == sorted([*names, "manifest.json"])
    manifest = json.loads(archive.read("manifest.json"))
    assert [line["lineNumber"] for line in manifest["lines"]] == [1, 4]

    # One write-back: the metafield with design ids and links, the note, old attributes kept.
    assert len(fake_shopify.orders.write_backs) == 1
    assert order.written_back_at is not None
    field = fake_shopify.orders.metafield(SHOP, 5001, "luneo", "production")
    assert field is not None and field["type"] == "json"
    written = json.loads(field["value"])
    assert written["orderId"] == order.id
    assert [(x["lineNumber"], x["designId"]) for x in written["lines"]] == [
        (1, designs[0].id),
        (4, designs[1].id),
    ]
    attributes = {a["key"]: a["value"] for a in fake_shopify.orders.attributes(SHOP, 5001)}
    assert attributes["gift-wrap"] == "yes"
    assert attributes["Luneo"].startswith("2 personalized items: production files ready")
    # The lasting links work and serve the real files.
    png_link = written["lines"][0]["files"][0]["url"]
    assert _download(client, png_link)[:8] == b"\x89PNG\r\n\x1a\n"
    assert _download(client, written["archiveUrl"])[:2] == b"PK"

    # The brand's endpoint heard about each design and the order, signed.
    received = receiver.wait_for(3)
    assert sorted(r.json()["type"] for r in received) == [
        "design.completed",
        "design.completed",
        "order.production_ready",
    ]
    assert all(r.signature_ok for r in received)
    events = {r.json()["type"]: r for r in received}
    ready = events["order.production_ready"].json()["data"]
    assert ready["orderId"] == order.id and ready["productionStatus"] == "ready"
    assert db.session.query(OutboundDelivery).filter_by(status="succeeded").count() == 3
    # The brand's live stream (/v1/realtime) is told as well.
    event_log = realtime().log
    told = event_log.read_since(event_log.origin, brand.id)
    assert ("order.production_ready", {"orderId": order.id}) in [(n.type, n.data) for n in told]


def test_a_forged_production_link_is_refused(app, client, fake_shopify):
    brand, _product, designs = _shop_with_designs(app, fake_shopify, count=1)
    body = order_body(5002, [{"design": designs[0].id}])
    fake_shopify.orders.add(SHOP, body)
    post_webhook(client, "orders/create", body)
    order = only_order()
    name = f"1002-1-{designs[0].id}.png"

    forged = client.get(f"/production/{order.id}/{name}?sig={'0' * 64}")
    other_file = client.get(
        f"/production/{order.id}/{name}".replace(".png", ".pdf")
        + "?sig="
        + __import__("luneo_app.orders.files", fromlist=["x"]).link_signature(order.id, name)
    )

    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "bad_signature"
    assert other_file.status_code == 403


def test_the_same_order_delivered_five_times_with_different_ids_has_one_effect(
    app, client, fake_shopify
):
    _brand, _product, designs = _shop_with_designs(app, fake_shopify, count=3)
    body = order_body(5003, [{"design": d.id} for d in designs])
    fake_shopify.orders.add(SHOP, body)

    answers = [
        post_webhook(client, "orders/create", body, webhook_id=new_webhook_id()) for _ in range(5)
    ]

    # The same signed body under new webhook ids is a replay: recorded once.
    assert [a.get_json()["duplicate"] for a in answers] == [False] + [True] * 4
    assert db.session.query(WebhookEvent).filter_by(status="processed").count() == 1
    order = only_order()
    assert len(items_of(order)) == 3 and order.production_status == "ready"
    assert len(jobs("production")) == 3 and len(jobs("package")) == 1
    assert len(fake_shopify.orders.write_backs) == 1


def test_a_foreign_or_unknown_design_is_an_order_problem_and_other_lines_are_made(
    app, client, fake_shopify
):
    _brand, _product, designs = _shop_with_designs(app, fake_shopify, count=1)
    other_brand = make_brand(name="Another Shop", kind="shopify")
    foreign = make_design(mug(app, other_brand, external_id="999"), text="Not yours")
    body = order_body(
        5004,
        [
            {"design": foreign.id},
            {"design": "des_unknownunknownunknown00"},
            {"design": designs[0].id},
        ],
        name="#1044",
    )
    fake_shopify.orders.add(SHOP, body)

    post_webhook(client, "orders/create", body)

    order = only_order()
    lines = items_of(order)
    assert [(i.line_number, i.production_status) for i in lines] == [
        (1, "problem"),
        (2, "problem"),
        (3, "ready"),
    ]
    assert lines[0].design_id is None and lines[1].design_id is None
    assert [(p["code"], p["lineNumber"]) for p in order.problems] == [
        ("unknown_design", 1),
        ("unknown_design", 2),
    ]
    assert "not a design of this shop" in order.problems[0]["message"]
    assert order.production_status == "ready"
    # The other shop's design was not touched.
    db.session.refresh(foreign)
    assert foreign.finalized_at is None and foreign.status == "preview_ready"
    written = json.loads(fake_shopify.orders.metafield(SHOP, 5004, "luneo", "production")["value"])
    assert [line["designId"] for line in written["lines"]] == [designs[0].id]


def test_an_order_without_luneo_designs_is_not_recorded(app, client, fake_shopify):
    seed_install(app, fake_shopify)

    post_webhook(client, "orders/create", order_body(5005, [{}, {}]))

    assert db.session.query(Order).count() == 0
    assert db.session.query(WebhookEvent).one().note == "no Luneo designs in this order"


def test_a_cancelled_order_stops_production_that_has_not_started(app, client, fake_shopify):
    # No render may start: the production queue has no free slot.
    app.config["JOB_CONCURRENCY_TOTAL"] = 0
    brand, product, designs = _shop_with_designs(app, fake_shopify, count=2)
    body = order_body(5006, [{"design": d.id} for d in designs])
    post_webhook(client, "orders/create", body)
    # Another open order needs the second design too: its render must go on.
    post_webhook(client, "orders/create", order_body(5007, [{"design": designs[1].id}]))
    assert {j.status for j in jobs("production")} == {"waiting"}

    cancelled = {**body, "cancelled_at": "2026-11-21T10:00:00Z"}
    cancelled["updated_at"] = "2099-01-01T00:00:00+00:00"
    assert post_webhook(client, "orders/cancelled", cancelled).status_code == 200

    db.session.expire_all()
    order = db.session.query(Order).filter_by(external_id="5006").one()
    assert (order.status, order.production_status) == ("cancelled", "cancelled")
    assert order.closed_at is not None
    assert {i.production_status for i in items_of(order)} == {"cancelled"}
    by_design = {j.design_id: j.status for j in jobs("production")}
    assert by_design == {designs[0].id: "cancelled", designs[1].id: "waiting"}

    # When slots free up, only the needed render runs, and the cancelled order gets nothing.
    app.config["JOB_CONCURRENCY_TOTAL"] = 5
    from luneo_app.jobs.scheduler import dispatch

    dispatch("production")
    db.session.expire_all()
    assert db.session.get(Design, designs[0].id).status == "finalized"
    assert db.session.get(Design, designs[1].id).status == "production_ready"
    assert db.session.query(Order).filter_by(external_id="5007").one().production_status == "ready"
    assert order.zip_key is None and fake_shopify.orders.write_backs == []


def test_a_write_back_that_shopify_throttles_is_retried_and_written_once(app, client, fake_shopify):
    _brand, _product, designs = _shop_with_designs(app, fake_shopify, count=1)
    body = order_body(5008, [{"design": designs[0].id}])
    fake_shopify.orders.add(SHOP, body)
    # Shopify throttles the first call: the packaging job tries again later.
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    fake_shopify.fail_next("graphql", 200, throttled)

    post_webhook(client, "orders/create", body)

    order = only_order()
    assert order.production_status == "ready" and order.written_back_at is not None
    assert len(fake_shopify.orders.write_backs) == 1
    package = jobs("package")[0]
    assert (package.status, package.attempts) == ("succeeded", 2)


def test_a_line_added_later_is_produced_and_the_order_written_back_again(app, client, fake_shopify):
    _brand, _product, designs = _shop_with_designs(app, fake_shopify, count=2)
    first = order_body(5009, [{"design": designs[0].id}])
    fake_shopify.orders.add(SHOP, first)
    post_webhook(client, "orders/create", first)
    edited = order_body(5009, [{"design": designs[0].id}, {"design": designs[1].id}])
    fake_shopify.orders.add(SHOP, edited)

    post_webhook(client, "orders/updated", edited)

    order = only_order()
    assert [i.production_status for i in items_of(order)] == ["ready", "ready"]
    assert len(fake_shopify.orders.write_backs) == 2
    written = json.loads(fake_shopify.orders.metafield(SHOP, 5009, "luneo", "production")["value"])
    assert len(written["lines"]) == 2


def test_a_design_that_cannot_be_produced_is_an_order_problem_and_the_rest_is_made(
    app, client, fake_shopify
):
    brand, product, designs = _shop_with_designs(app, fake_shopify, count=1)
    broken = make_design(product, text="Broken", font="no-such-font")
    body = order_body(5010, [{"design": broken.id}, {"design": designs[0].id}], name="#1010")
    fake_shopify.orders.add(SHOP, body)

    post_webhook(client, "orders/create", body)

    order = only_order()
    assert [i.production_status for i in items_of(order)] == ["failed", "ready"]
    assert [(p["code"], p["lineNumber"]) for p in order.problems] == [("design_failed", 1)]
    assert order.production_status == "ready" and len(fake_shopify.orders.write_backs) == 1


def test_an_order_whose_last_design_failed_later_is_finished_by_the_housekeeping_run(
    app, client, fake_shopify
):
    from luneo_app.orders.retention import resume_stuck_orders

    app.config["JOB_CONCURRENCY_TOTAL"] = 0  # the render waits, as behind a busy queue
    _brand, _product, designs = _shop_with_designs(app, fake_shopify, count=1)
    body = order_body(5011, [{"design": designs[0].id}])
    fake_shopify.orders.add(SHOP, body)
    post_webhook(client, "orders/create", body)
    # Later the render fails for good; a failed render calls no orders hook.
    db.session.get(Design, designs[0].id).status = "failed"
    jobs("production")[0].status = "failed"
    db.session.commit()
    assert only_order().production_status == "pending"

    assert resume_stuck_orders() == 1

    order = only_order()
    assert order.production_status == "failed"
    assert [p["code"] for p in order.problems] == ["design_failed"]
    assert fake_shopify.orders.write_backs == []
    assert resume_stuck_orders() == 0
