"""The demo cart's ``POST cart/change.js``: Shopify's semantics, so editing a design from the
cart replaces its line on the demo shop as it does on a real one."""

from __future__ import annotations

import pytest

from luneo_app.demo.seed import seed_demo
from luneo_app.storefront import cart


@pytest.fixture()
def demo(app):  # type: ignore[no-untyped-def]
    return seed_demo()


def _add(client, variant: int, quantity: int, properties: dict) -> None:  # type: ignore[no-untyped-def]
    item = {"id": variant, "quantity": quantity, "properties": properties}
    assert client.post("/demo/store/cart/add.js", json={"items": [item]}).status_code == 200


def test_new_properties_replace_the_line_in_place_and_keep_its_quantity(demo, client):
    variant = cart.variant_id_for(demo.product_id)
    _add(client, variant, 1, {"_luneo_design_id": "des_other", "Personalization": "Bob"})
    _add(client, variant, 2, {"_luneo_design_id": "des_old", "Personalization": "Anna"})
    before = client.get("/demo/store/cart.js").get_json()["items"]
    old_key = before[1]["key"]
    new = {
        "_luneo_design_id": "des_new",
        "Personalization": "Anna & Tom",
        "_luneo_fee_cents": "450",
        "_luneo_fee_variant": str(cart.FEE_VARIANT_ID),
    }
    changed = client.post(
        "/demo/store/cart/change.js", json={"id": old_key, "quantity": 2, "properties": new}
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert [ln["properties"]["Personalization"] for ln in body["items"]] == ["Bob", "Anna & Tom"]
    line = body["items"][1]
    assert line["properties"] == new and line["quantity"] == 2 and line["key"] != old_key
    # the fee stays the Cart Transform's: one line, the exact fee on each item
    assert line["price"] == cart.PRODUCT_PRICE_CENTS + 450
    assert body["item_count"] == 3
    assert body["total_price"] == 3 * cart.PRODUCT_PRICE_CENTS + 2 * 450
    assert client.get("/demo/store/cart.js").get_json() == body


def test_quantity_zero_removes_the_line_and_lines_can_be_named_by_position(demo, client):
    variant = cart.variant_id_for(demo.product_id)
    _add(client, variant, 1, {"_luneo_design_id": "des_a"})
    _add(client, cart.FEE_VARIANT_ID, 5, {"_luneo_design_id": "des_a", "_luneo_fee_for": "1"})
    body = client.post("/demo/store/cart/change.js", json={"line": 2, "quantity": 0}).get_json()
    assert [ln["id"] for ln in body["items"]] == [variant]
    assert body["item_count"] == 1


def test_a_change_that_makes_two_lines_identical_merges_them(demo, client):
    variant = cart.variant_id_for(demo.product_id)
    _add(client, variant, 1, {"_luneo_design_id": "des_a"})
    _add(client, variant, 2, {"_luneo_design_id": "des_b"})
    key = client.get("/demo/store/cart.js").get_json()["items"][1]["key"]
    body = client.post(
        "/demo/store/cart/change.js", json={"id": key, "properties": {"_luneo_design_id": "des_a"}}
    ).get_json()
    assert [ln["quantity"] for ln in body["items"]] == [3]


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "404:nothing", "quantity": 1},
        {"line": 9, "quantity": 1},
        {"quantity": 1},
        {"id": "k", "line": 1},
        {"line": 1, "quantity": -1},
        {"line": 0},
        {"line": 1, "properties": {"k": "v" * 2000}},
        ["not", "an", "object"],
    ],
)
def test_bad_changes_are_refused_in_shopify_and_luneo_error_shapes(demo, client, payload):
    _add(client, cart.variant_id_for(demo.product_id), 1, {})
    answer = client.post("/demo/store/cart/change.js", json=payload)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["status"] == 422 and body["description"]
    assert body["error"]["code"] == "cart_error"
    assert client.get("/demo/store/cart.js").get_json()["item_count"] == 1
