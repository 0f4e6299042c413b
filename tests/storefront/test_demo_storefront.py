"""The demo storefront page and its fake Ajax Cart API (embedded default, demo mode)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from luneo_app.demo.seed import seed_demo
from luneo_app.storefront import cart

ROOT = Path(__file__).resolve().parents[2]
BLOCK = ROOT / "extensions" / "luneo-personalizer" / "blocks" / "personalize.liquid"
PAGE = ROOT / "luneo_app" / "storefront" / "templates" / "storefront" / "product.html"


@pytest.fixture()
def demo(app):  # type: ignore[no-untyped-def]
    return seed_demo()


def test_home_page_links_to_the_demo_product_page(demo, client):
    home = client.get("/").get_data(as_text=True)
    assert 'href="/demo/product"' in home


def test_demo_product_page_has_the_block_and_the_deferred_sdk(demo, client):
    page = client.get("/demo/product")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "data-luneo-block" in html and 'data-luneo-product-id="demo-mug"' in html
    assert re.search(r'<script src="[^"]+/widget/sdk\.js" defer></script>', html)
    assert "data-luneo-config" in html and demo.shop_domain in html
    assert "<iframe" not in html


def test_demo_product_page_without_the_app_embed_has_no_luneo_script(demo, client):
    html = client.get("/demo/product?embed=0").get_data(as_text=True)
    assert "sdk.js" not in html and "data-luneo-config" not in html
    assert "data-luneo-block" in html


def test_demo_product_page_speaks_french(demo, client):
    html = client.get("/demo/product?locale=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html and "Personnaliser" in html


def test_unknown_demo_product_is_404(demo, client):
    assert client.get("/demo/product?product=nope").status_code == 404


def test_block_markup_matches_the_theme_app_extension_block():
    attributes = re.compile(r"\b(data-luneo-[a-z-]+)")
    assert set(attributes.findall(PAGE.read_text())) >= set(attributes.findall(BLOCK.read_text()))


def test_fake_cart_adds_a_personalized_line_and_its_fee_line(demo, client):
    variant = cart.variant_id_for(demo.product_id)
    properties = {"_luneo_design_id": "des_x", "Personalization": "Name: Jo"}
    added = client.post(
        "/demo/store/cart/add.js",
        json={
            "items": [
                {"id": variant, "quantity": 2, "properties": properties},
                {
                    "id": cart.FEE_VARIANT_ID,
                    "quantity": 10,
                    "properties": {"_luneo_design_id": "des_x"},
                },
            ]
        },
    )
    assert added.status_code == 200, added.get_json()
    body = client.get("/demo/store/cart.js").get_json()
    assert body["item_count"] == 12
    assert body["total_price"] == 2 * cart.PRODUCT_PRICE_CENTS + 10 * cart.FEE_PRICE_CENTS
    line = body["items"][0]
    assert line["properties"] == properties and line["quantity"] == 2


def test_same_variant_and_properties_merge_into_one_line(demo, client):
    item = {"id": cart.variant_id_for(demo.product_id), "quantity": 1, "properties": {"a": "1"}}
    client.post("/demo/store/cart/add.js", json={"items": [item]})
    client.post("/demo/store/cart/add.js", json={"items": [item]})
    client.post("/demo/store/cart/add.js", json={"items": [{**item, "properties": {"a": "2"}}]})
    lines = client.get("/demo/store/cart.js").get_json()["items"]
    assert [ln["quantity"] for ln in lines] == [2, 1]


@pytest.mark.parametrize(
    "payload",
    [
        {"items": [{"id": 12345, "quantity": 1}]},
        {"items": [{"id": "abc", "quantity": 1}]},
        {"items": [{"id": 1, "quantity": 0}]},
        {"items": []},
        {"items": [{"id": 1, "properties": {"k": "v" * 2000}}]},
    ],
)
def test_fake_cart_refuses_bad_items_like_shopify(demo, client, payload):
    answer = client.post("/demo/store/cart/add.js", json=payload)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["status"] == 422 and body["description"]
    assert body["error"]["code"] == "cart_error"
    assert client.get("/demo/store/cart.js").get_json()["items"] == []


def test_demo_storefront_is_off_outside_demo_mode(demo, app, client):
    app.config["DEMO_MODE"] = False
    assert client.get("/demo/product").status_code == 404
    assert client.get("/demo/store/cart.js").status_code == 404
