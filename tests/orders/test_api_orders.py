"""POST /v1/orders with an Idempotency-Key, GET /v1/orders/{id}, close and cancel."""

from __future__ import annotations

from datetime import timedelta

from luneo_app.auth.apikeys import create_api_key
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Order, OrderItem
from luneo_app.orders.retention import purge_expired
from tests.orders.helpers import jobs, make_design, mug
from tests.support.factories import make_brand


def _api_brand(app, name: str = "Acme Mugs"):  # type: ignore[no-untyped-def]
    brand = make_brand(name=name)
    issued = create_api_key(brand)
    db.session.commit()
    product = mug(app, brand, external_id=f"mug-{name}")
    return brand, {"Authorization": f"Bearer {issued.plaintext}"}, product


def _post(client, headers, body, key="order-key-1"):  # type: ignore[no-untyped-def]
    return client.post("/v1/orders", json=body, headers={**headers, "Idempotency-Key": key})


def test_the_same_key_and_body_answer_with_the_same_order_and_make_nothing_new(app, client):
    _brand, headers, product = _api_brand(app)
    designs = [make_design(product, "Ann"), make_design(product, "Bob")]
    body = {
        "designIds": [d.id for d in designs],
        "externalOrderId": "SO-1001",
        "shipping": {"name": "Jane Doe", "city": "Paris", "country": "FR"},
    }

    first = _post(client, headers, body)
    again = _post(client, headers, dict(reversed(list(body.items()))))  # same body, other order

    assert first.status_code == 201, first.get_json()
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.get_json()["orderId"] == first.get_json()["orderId"]
    assert db.session.query(Order).count() == 1 and db.session.query(OrderItem).count() == 2
    assert len(jobs("production")) == 2 and len(jobs("package")) == 1
    created = first.get_json()
    assert created["platform"] == "api" and created["shipping"]["city"] == "Paris"
    assert created["productionStatus"] == "ready"  # jobs run in-process in this test
    names = [f["name"] for item in created["items"] for f in item["files"]]
    assert names == [
        f"SO-1001-1-{designs[0].id}.png",
        f"SO-1001-1-{designs[0].id}.pdf",
        f"SO-1001-2-{designs[1].id}.png",
        f"SO-1001-2-{designs[1].id}.pdf",
    ]


def test_the_same_key_with_another_body_is_refused_with_409(app, client):
    _brand, headers, product = _api_brand(app)
    design = make_design(product)
    _post(client, headers, {"designId": design.id, "externalOrderId": "SO-1"})

    other = _post(client, headers, {"designId": design.id, "externalOrderId": "SO-2"})

    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert db.session.query(Order).count() == 1


def test_an_external_order_id_sent_again_with_another_key_is_refused_with_409(app, client):
    _brand, headers, product = _api_brand(app)
    design = make_design(product)
    _post(client, headers, {"designId": design.id, "externalOrderId": "SO-1"}, key="k1")

    again = _post(client, headers, {"designId": design.id, "externalOrderId": "SO-1"}, key="k2")

    assert again.status_code == 409 and again.get_json()["error"]["code"] == "order_exists"


def test_an_order_without_a_valid_idempotency_key_is_refused_with_400(app, client):
    _brand, headers, product = _api_brand(app)
    body = {"designId": make_design(product).id, "externalOrderId": "SO-1"}

    missing = client.post("/v1/orders", json=body, headers=headers)
    bad = client.post("/v1/orders", json=body, headers={**headers, "Idempotency-Key": "a b"})

    assert missing.status_code == 400
    assert missing.get_json()["error"]["code"] == "idempotency_key_required"
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "invalid_idempotency_key"
    assert db.session.query(Order).count() == 0


def test_invalid_order_bodies_are_refused_with_field_messages_and_write_nothing(app, client):
    _brand, headers, product = _api_brand(app)
    design = make_design(product)
    other_brand, _other_headers, other_product = _api_brand(app, name="Other Brand")
    foreign = make_design(other_product)
    cases = {
        "both-ways": {"designId": design.id, "designIds": [design.id], "externalOrderId": "1"},
        "no-design": {"externalOrderId": "1"},
        "unknown-field": {"designId": design.id, "externalOrderId": "1", "price": 3},
        "bad-country": {
            "designId": design.id,
            "externalOrderId": "1",
            "shipping": {"country": "France"},
        },
        "foreign": {"designIds": [design.id, foreign.id], "externalOrderId": "1"},
    }

    answers = {name: _post(client, headers, body, key=name) for name, body in cases.items()}

    assert {name: a.status_code for name, a in answers.items()} == dict.fromkeys(cases, 422)
    foreign_error = answers["foreign"].get_json()["error"]
    assert foreign_error["code"] == "unknown_design"
    assert foreign_error["details"] == {"designIds[1]": "unknown design"}
    assert db.session.query(Order).count() == 0
    assert db.session.get(type(foreign), foreign.id).finalized_at is None


def test_an_order_is_read_by_its_brand_only(app, client):
    _brand, headers, product = _api_brand(app)
    _other, other_headers, _p = _api_brand(app, name="Other Brand")
    created = _post(
        client, headers, {"designId": make_design(product).id, "externalOrderId": "SO-9"}
    )
    order_id = created.get_json()["orderId"]

    mine = client.get(f"/v1/orders/{order_id}", headers=headers)
    theirs = client.get(f"/v1/orders/{order_id}", headers=other_headers)

    assert mine.status_code == 200 and mine.get_json()["items"][0]["productionStatus"] == "ready"
    file_url = mine.get_json()["items"][0]["files"][0]["url"]
    download = client.get(file_url.replace(app.config["APP_URL"], ""))
    assert download.status_code == 200 and download.data[:4] == b"\x89PNG"
    assert theirs.status_code == 404 and theirs.get_json()["error"]["code"] == "order_not_found"


def test_closed_orders_keep_their_files_for_the_retention_period_then_lose_them(app, client):
    brand, headers, product = _api_brand(app)
    brand.settings = {"retentionDays": 30}
    db.session.commit()
    open_one = _post(
        client, headers, {"designId": make_design(product, "A").id, "externalOrderId": "A"}, key="a"
    )
    closed = _post(
        client, headers, {"designId": make_design(product, "B").id, "externalOrderId": "B"}, key="b"
    )
    closed_id = closed.get_json()["orderId"]
    assert (
        client.post(f"/v1/orders/{closed_id}/close", headers=headers).get_json()["status"]
        == "closed"
    )
    storage = app.extensions["luneo.storage"]
    prefix = f"brands/{brand.id}/orders/"

    assert purge_expired(utcnow() + timedelta(days=29)).orders == 0
    report = purge_expired(utcnow() + timedelta(days=31))

    # The order's png, pdf and zip, and its design's rendered png and pdf (the design keeps
    # its snapshot for a reprint); the open order's design keeps its renders.
    assert report.orders == 1 and report.files == 5
    designs = {key.split("/")[3] for key in storage.list(f"brands/{brand.id}/designs/")}
    assert len(designs) == 1
    left = {key.split("/")[3] for key in storage.list(prefix)}
    assert left == {open_one.get_json()["orderId"]}
    after = client.get(f"/v1/orders/{closed_id}", headers=headers).get_json()
    assert after["zipUrl"] is None and after["items"][0]["files"] == []
    assert purge_expired(utcnow() + timedelta(days=400)).orders == 0  # open orders keep theirs


def test_a_cancelled_api_order_starts_its_retention_clock(app, client):
    _brand, headers, product = _api_brand(app)
    created = _post(client, headers, {"designId": make_design(product).id, "externalOrderId": "C"})

    cancelled = client.post(f"/v1/orders/{created.get_json()['orderId']}/cancel", headers=headers)

    body = cancelled.get_json()
    assert body["status"] == "cancelled" and body["closedAt"] is not None
    assert body["productionStatus"] == "ready"  # files made before the cancel are kept
