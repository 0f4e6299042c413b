"""Designs (what shoppers made) and Orders (what to produce) in the admin."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.admin.helpers import SHOP_A, bearer, design_for, mug, order_for
from tests.shopify.helpers import seed_install


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand, title="Engraved Mug")
    ordered = design_for(brand, product, text="Ada", order=True)
    browsing = design_for(brand, product, text="Grace")
    order_for(brand, [ordered], name="#1001")
    return {"brand": brand, "ordered": ordered, "browsing": browsing,
            "token": lambda: fake_shopify.session_token(SHOP_A)}  # fmt: skip


def _download(client, url):  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    return client.get(parts.path + "?" + parts.query)


def test_the_designs_list_shows_thumbnail_status_product_and_date_newest_first(client, shop):
    headers = bearer(shop["token"]())
    body = client.get("/admin/api/designs", headers=headers).get_json()
    drafts = client.get("/admin/api/designs?status=draft", headers=headers).get_json()

    # Committed designs only; the shopper's previews while browsing are drafts.
    assert [d["designId"] for d in body["designs"]] == [shop["ordered"].id]
    assert body["designs"][0]["committed"] is True
    assert [d["designId"] for d in drafts["designs"]] == [shop["browsing"].id]
    first = drafts["designs"][0]
    assert first["productTitle"] == "Engraved Mug" and first["status"] == "preview_ready"
    assert first["committed"] is False
    assert first["createdAt"] and first["source"] == "storefront"
    thumb = _download(client, first["thumbnailUrl"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"


def test_designs_filter_by_status_and_refuse_unknown_ones(client, shop):
    headers = bearer(shop["token"]())

    ready = client.get("/admin/api/designs?status=production_ready", headers=headers).get_json()
    bad = client.get("/admin/api/designs?status=shipped", headers=headers)

    assert [d["designId"] for d in ready["designs"]] == [shop["ordered"].id]
    assert bad.status_code == 422 and "status" in bad.get_json()["error"]["details"]


def test_a_design_page_shows_preview_layers_timings_and_print_files(client, shop):
    design_id = shop["ordered"].id

    html = client.get(
        f"/admin/designs/{design_id}", query_string={"shop": SHOP_A, "id_token": shop["token"]()}
    ).get_data(as_text=True)
    body = client.get(f"/admin/api/designs/{design_id}", headers=bearer(shop["token"]())).get_json()

    assert "“Ada”" in html and "Drawing the preview" in html and "#1001" in html
    assert body["timings"]["previewRenderMs"] >= 0 and body["jobs"]
    pdf = _download(client, body["production"][0]["pdfUrl"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_orders_show_production_status_and_file_downloads(client, shop):
    body = client.get("/admin/api/orders", headers=bearer(shop["token"]())).get_json()
    html = client.get(
        "/admin/orders", query_string={"shop": SHOP_A, "id_token": shop["token"]()}
    ).get_data(as_text=True)

    (order,) = body["orders"]
    assert order["name"] == "#1001" and order["productionStatus"] == "ready"
    (item,) = order["items"]
    assert item["designId"] == shop["ordered"].id and item["thumbnailUrl"]
    kinds = sorted(f["kind"] for f in item["files"])
    assert kinds[:2] == ["pdf", "png"]
    pdf = next(f for f in item["files"] if f["kind"] == "pdf")
    assert _download(client, pdf["url"]).data.startswith(b"%PDF")
    assert "front PDF" in html and "Files ready" in html
    assert _download(client, order["zipUrl"]).data[:2] == b"PK"


def test_pages_of_lists_are_numbered_from_one(client, shop):
    response = client.get("/admin/api/orders?page=0", headers=bearer(shop["token"]()))

    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"page": "a page number from 1"}


def test_an_order_line_shows_its_print_checks(client, app, fake_shopify):  # type: ignore[no-untyped-def]
    from luneo_app.auth.principal import Principal
    from luneo_app.designs.service import create_design, finalize_design
    from luneo_app.extensions import db
    from tests.designs.helpers import text_design

    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand, title="Press Mug")
    template = dict(product.template)
    template["printAreas"] = [
        dict(a, profile={"kind": "print-cmyk"}) for a in template["printAreas"]
    ]
    product.template = template
    db.session.commit()
    principal = Principal(brand.id, "api_key", frozenset({"designs:write"}), "test")
    body = {**text_design(product.id, text="Neon", color="#00ff00"), "previewMode": "fast"}
    design, _ = create_design(principal, body, source="storefront")
    order_for(brand, [finalize_design(design)], name="#2002")

    html = client.get(
        "/admin/orders",
        query_string={"shop": SHOP_A, "id_token": fake_shopify.session_token(SHOP_A)},
    ).get_data(as_text=True)
    body = client.get("/admin/api/orders", headers=bearer(fake_shopify.session_token(SHOP_A)))
    (item,) = body.get_json()["orders"][0]["items"]

    assert [f["code"] for f in item["preflight"]] == ["out_of_gamut"]
    assert 'aria-label="Print checks"' in html
    assert "changes visibly in CMYK print" in html
