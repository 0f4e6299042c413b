"""GET /v1/products, /v1/designs, /v1/orders: cursor pages, filters, brand scoping, bad input."""

from __future__ import annotations

from datetime import timedelta

from luneo_app.auth.apikeys import create_api_key
from luneo_app.core.clock import utcnow
from luneo_app.extensions import db
from luneo_app.models import Order
from tests.orders.helpers import make_design, mug
from tests.support.factories import make_brand


def _brand(app, name: str = "Acme Mugs"):  # type: ignore[no-untyped-def]
    brand = make_brand(name=name)
    issued = create_api_key(brand)
    db.session.commit()
    return brand, {"Authorization": f"Bearer {issued.plaintext}"}


def _walk(client, url, headers, **params):  # type: ignore[no-untyped-def]
    """Every id of a list, following nextCursor page by page."""
    seen, pages, cursor = [], 0, None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        answer = client.get(url, headers=headers, query_string=query)
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        seen.extend(body["data"])
        pages += 1
        cursor = body["nextCursor"]
        if cursor is None:
            return seen, pages


def test_designs_come_newest_first_in_pages_without_gaps_or_repeats(app, client):
    brand, headers = _brand(app)
    product = mug(app, brand, external_id="mug-a")
    designs = [make_design(product, f"Name {i}") for i in range(7)]
    base = utcnow() - timedelta(hours=1)
    for i, design in enumerate(designs):
        design.created_at = base + timedelta(minutes=i)
    designs[3].created_at = designs[4].created_at  # a tie is broken by id, not lost
    db.session.commit()

    seen, pages = _walk(client, "/v1/designs", headers, limit=3)
    first_page = client.get("/v1/designs?limit=3", headers=headers).get_json()

    assert pages == 3 and len(seen) == 7
    assert sorted(d["designId"] for d in seen) == sorted(d.id for d in designs)
    assert seen[0]["designId"] == designs[6].id
    assert len(first_page["data"]) == 3 and isinstance(first_page["nextCursor"], str)
    assert first_page["data"][0]["status"] == "preview_ready"


def test_design_filters_by_status_product_and_created_range(app, client):
    brand, headers = _brand(app)
    mug_a = mug(app, brand, external_id="mug-a")
    mug_b = mug(app, brand, external_id="mug-b")
    old = make_design(mug_a, "Old")
    old.created_at = utcnow() - timedelta(days=10)
    failed = make_design(mug_a, "Failed")
    failed.status = "failed"
    other_product = make_design(mug_b, "Bee")
    db.session.commit()

    def ids(**query):  # type: ignore[no-untyped-def]
        answer = client.get("/v1/designs", headers=headers, query_string=query)
        assert answer.status_code == 200, answer.get_json()
        return {d["designId"] for d in answer.get_json()["data"]}

    assert ids(status="failed") == {failed.id}
    assert ids(productId="mug-b") == {other_product.id}  # the brand's external id works
    assert ids(productId=mug_a.id) == {old.id, failed.id}
    since = (utcnow() - timedelta(days=1)).isoformat()
    assert ids(createdAfter=since) == {failed.id, other_product.id}
    assert ids(createdBefore=since) == {old.id}


def test_lists_show_only_the_callers_brand(app, client):
    mine, headers = _brand(app, "Mine")
    theirs, their_headers = _brand(app, "Theirs")
    my_design = make_design(mug(app, mine, external_id="mine"))
    their_product = mug(app, theirs, external_id="theirs")
    make_design(their_product)

    designs = client.get("/v1/designs", headers=headers).get_json()["data"]
    products = client.get("/v1/products", headers=headers).get_json()["data"]
    foreign_filter = client.get(f"/v1/designs?productId={their_product.id}", headers=headers)

    assert [d["designId"] for d in designs] == [my_design.id]
    assert [p["externalId"] for p in products] == ["mine"]
    assert foreign_filter.status_code == 422  # another brand's product is "unknown" here
    assert foreign_filter.get_json()["error"]["details"] == {"productId": "unknown product"}


def test_orders_list_filters_by_status_and_product(app, client):
    brand, headers = _brand(app)
    mug_a = mug(app, brand, external_id="mug-a")
    mug_b = mug(app, brand, external_id="mug-b")
    made = {}
    for name, product in (("SO-1", mug_a), ("SO-2", mug_b)):
        answer = client.post(
            "/v1/orders",
            json={"designId": make_design(product).id, "externalOrderId": name},
            headers={**headers, "Idempotency-Key": name},
        )
        assert answer.status_code == 201, answer.get_json()
        made[name] = answer.get_json()["orderId"]
    db.session.get(Order, made["SO-1"]).status = "closed"
    db.session.commit()

    every, _ = _walk(client, "/v1/orders", headers, limit=1)
    closed = client.get("/v1/orders?status=closed", headers=headers).get_json()["data"]
    of_b = client.get("/v1/orders?productId=mug-b", headers=headers).get_json()["data"]

    assert [o["orderId"] for o in every] == [made["SO-2"], made["SO-1"]]
    assert [o["orderId"] for o in closed] == [made["SO-1"]]
    assert [o["orderId"] for o in of_b] == [made["SO-2"]]
    assert every[0]["items"][0]["designId"]


def test_bad_cursors_and_filters_are_422_in_the_error_body(app, client):
    brand, headers = _brand(app)
    for i in range(3):
        make_design(mug(app, brand, external_id=f"m{i}"))
    designs_cursor = client.get("/v1/designs?limit=1", headers=headers).get_json()["nextCursor"]
    tampered = designs_cursor[:-2] + ("AA" if not designs_cursor.endswith("AA") else "BB")

    cases = {
        "/v1/designs?cursor=garbage": "invalid_cursor",
        f"/v1/designs?cursor={tampered}": "invalid_cursor",
        f"/v1/orders?cursor={designs_cursor}": "invalid_cursor",  # another list's cursor
        "/v1/designs?limit=0": "validation_failed",
        "/v1/designs?limit=101": "validation_failed",
        "/v1/designs?status=shipped": "validation_failed",
        "/v1/orders?createdAfter=yesterday": "validation_failed",
        "/v1/orders?createdAfter=2026-02-01T00:00:00Z&createdBefore=2026-01-01T00:00:00Z": (
            "invalid_filter"
        ),
    }
    for url, code in cases.items():
        answer = client.get(url, headers=headers)
        assert answer.status_code == 422, (url, answer.get_json())
        assert answer.get_json()["error"]["code"] == code, url
        assert answer.get_json()["error"]["message"]


def test_lists_need_a_credential_with_the_read_scope(app, client):
    brand = make_brand()
    writer = create_api_key(brand, scopes=["designs:write"])
    db.session.commit()

    anonymous = client.get("/v1/orders")
    no_scope = client.get("/v1/designs", headers={"Authorization": f"Bearer {writer.plaintext}"})

    assert anonymous.status_code == 401
    assert no_scope.status_code == 403
    assert no_scope.get_json()["error"]["code"] == "insufficient_scope"
