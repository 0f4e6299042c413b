"""Products: the shop's catalog from Admin GraphQL (pages, search) and the personalization
switch, which brings the product and its photo into Luneo with a working starter template."""

from __future__ import annotations

import pytest

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Product
from tests.admin.helpers import SHOP_A, SHOP_B, bearer, mug, photo
from tests.shopify.helpers import seed_install

CATALOG = [f"{n:03d}" for n in range(1, 26)]  # 25 products: two pages of 20


def _node(number: str) -> dict:
    return {
        "id": f"gid://shopify/Product/{number}",
        "legacyResourceId": number,
        "title": f"Mug {number}",
        "handle": f"mug-{number}",
        "status": "ACTIVE",
        "featuredMedia": None,
    }


@pytest.fixture()
def catalog(app, fake_shopify, cdn):  # type: ignore[no-untyped-def]
    """Shop A's catalog in the fake Admin API; remembers the variables it was asked with."""
    asked: list[dict] = []

    def products(shop, variables, _body):  # type: ignore[no-untyped-def]
        asked.append(variables)
        if shop != SHOP_A:
            return {"data": {"products": {"nodes": [], "pageInfo": {}}}}
        items = CATALOG
        if variables.get("query"):
            items = [n for n in items if n.startswith(variables["query"].split(":")[1][:-1])]
        start = int(variables["after"]) if variables.get("after") else 0
        if variables.get("before"):
            start = max(0, int(variables["before"]) - 1 - variables["last"])
        size = variables.get("first") or variables.get("last")
        page = items[start : start + size]
        return {"data": {"products": {"nodes": [_node(n) for n in page], "pageInfo": {
            "hasNextPage": start + size < len(items), "hasPreviousPage": start > 0,
            "startCursor": str(start + 1), "endCursor": str(start + len(page))}}}}  # fmt: skip

    fake_shopify.on_graphql("LuneoProducts", products)
    for number in CATALOG:  # read one by one through the connector's product query
        photo_url = cdn.add(f"/s/files/{number}.png", photo())
        fake_shopify.orders.add_product(SHOP_A, number, f"Mug {number}", [photo_url])
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    return {"brand": brand, "asked": asked, "headers": bearer(fake_shopify.session_token(SHOP_A))}


def test_the_products_page_lists_the_shops_products_page_by_page(client, catalog):
    first = client.get("/admin/api/products", headers=catalog["headers"]).get_json()
    second = client.get(
        "/admin/api/products",
        query_string={"after": first["pageInfo"]["endCursor"]},
        headers=catalog["headers"],
    ).get_json()

    assert [p["externalId"] for p in first["products"]] == CATALOG[:20]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [p["externalId"] for p in second["products"]] == CATALOG[20:]
    assert second["pageInfo"] == {
        "hasNextPage": False, "hasPreviousPage": True, "startCursor": "21", "endCursor": "25"
    }  # fmt: skip
    assert catalog["asked"][1] == {"query": None, "first": 20, "after": "20"}


def test_search_sends_a_title_search_nobody_can_turn_into_another_query(client, catalog):
    body = client.get(
        "/admin/api/products", query_string={"query": "00"}, headers=catalog["headers"]
    ).get_json()
    client.get(
        "/admin/api/products",
        query_string={"query": 'x" OR status:draft) vendor:(evil'},
        headers=catalog["headers"],
    )

    assert [p["externalId"] for p in body["products"]] == CATALOG[:9]
    assert catalog["asked"][0]["query"] == "title:00*"
    assert (
        catalog["asked"][1]["query"] == "title:x* title:OR* title:status* title:draft* "
        "title:vendor* title:evil*"
    )


def test_switching_a_product_on_brings_it_in_with_its_photo_and_a_starter_template(
    client, catalog, cdn
):
    response = client.put(
        "/admin/api/products/007/personalizable",
        json={"personalizable": True},
        headers=catalog["headers"],
    )

    assert response.status_code == 200, response.get_json()
    state = response.get_json()
    assert state["personalizable"] is True and state["printAreas"] == 1 and state["options"] == 1
    product = db.session.get(Product, state["productId"])
    assert (product.brand_id, product.external_id, product.title) == (
        catalog["brand"].id, "007", "Mug 007"
    )  # fmt: skip
    assert cdn.requests == ["/s/files/007.png"]
    assert app_storage().get(product.image_key) == photo()
    listed = client.get("/admin/api/products", headers=catalog["headers"]).get_json()
    row = next(p for p in listed["products"] if p["externalId"] == "007")
    assert row["productId"] == product.id and row["personalizable"] is True
    editor = client.get(
        f"/admin/api/products/{product.id}/template", headers=catalog["headers"]
    ).get_json()
    assert editor["suggested"] is False and editor["photo"] is not None


def app_storage():  # type: ignore[no-untyped-def]
    from flask import current_app

    return current_app.extensions["luneo.storage"]


def test_switching_off_keeps_the_template_and_switching_on_again_reuses_it(app, client, catalog):
    product = mug(app, catalog["brand"], external_id="003")
    template = dict(product.template)
    url = "/admin/api/products/003/personalizable"

    off = client.put(url, json={"personalizable": False}, headers=catalog["headers"])
    on = client.put(url, json={"personalizable": True}, headers=catalog["headers"])

    assert off.get_json()["personalizable"] is False
    assert on.get_json()["productId"] == product.id
    db.session.expire_all()
    assert db.session.get(Product, product.id).template == template
    actions = [a.action for a in db.session.query(AuditEvent).order_by(AuditEvent.created_at)]
    assert actions[-2:] == ["product.personalization_off", "product.personalization_on"]


@pytest.mark.parametrize(
    ("external_id", "status"),
    [("999", 404), ("not-a-product", 422), ("1234567890123456789012", 422)],
)
def test_a_product_that_is_not_the_shops_cannot_be_switched_on(
    client, catalog, external_id, status
):
    response = client.put(
        f"/admin/api/products/{external_id}/personalizable",
        json={"personalizable": True},
        headers=catalog["headers"],
    )

    assert response.status_code == status
    assert db.session.query(Product).count() == 0


def test_another_shops_token_switches_nothing_in_this_shop(app, client, fake_shopify, catalog):
    seed_install(app, fake_shopify, SHOP_B)

    response = client.put(
        "/admin/api/products/007/personalizable",
        json={"personalizable": True},
        headers=bearer(fake_shopify.session_token(SHOP_B)),
    )

    assert response.status_code == 404  # Shopify knows no product 007 in shop B
    assert db.session.query(Product).count() == 0


def test_the_switch_wants_true_or_false(client, catalog):
    response = client.put(
        "/admin/api/products/007/personalizable",
        json={"personalizable": "yes"},
        headers=catalog["headers"],
    )

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"personalizable": "must be true or false"}


def test_the_demo_shop_lists_sample_products_and_switches_one_on(demo_client, demo_app):
    token = demo_client.get("/auth/demo-session-token").get_json()["token"]

    listed = demo_client.get("/admin/api/products", headers=bearer(token)).get_json()
    switched = demo_client.put(
        "/admin/api/products/demo-ring/personalizable",
        json={"personalizable": True},
        headers=bearer(token),
    ).get_json()

    assert listed["source"] == "demo"
    assert [p["externalId"] for p in listed["products"]][:2] == ["demo-mug", "demo-ring"]
    assert listed["products"][0]["personalizable"] is True
    ring = db.session.get(Product, switched["productId"])
    assert ring.template["printAreas"][0]["id"] == "band" and ring.image_key
    unknown = demo_client.put(
        "/admin/api/products/demo-spaceship/personalizable",
        json={"personalizable": True},
        headers=bearer(token),
    )
    assert unknown.status_code == 422


def test_when_shopify_does_not_answer_the_products_api_says_so_in_the_uniform_shape(
    client, fake_shopify, catalog
):
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    fake_shopify.fail_next("graphql", 200, throttled)

    response = client.get("/admin/api/products", headers=catalog["headers"])

    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "shopify_failed"
