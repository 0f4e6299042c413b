"""Product variants with their own photo and print areas: a black mug shows the black photo,
a phone case model prints at its own size; the design records the variant; unknown -> 422."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select

from luneo_app.designs import variants
from luneo_app.extensions import db
from luneo_app.models import Design
from tests.designs.helpers import brand_with_key, png_bytes, text_design

BLACK_AREA = {
    "id": "front",
    "x": 0.1,
    "y": 0.1,
    "width": 0.5,
    "height": 0.5,
    "rotation": 0,
    "widthMm": 100,
    "heightMm": 60,
    "mask": "rect",
}


def _with_black_variant(app, product, **variant):  # type: ignore[no-untyped-def]
    """The merchant's black mug: its own (black) photo and a larger print area."""
    key = f"{variants.photo_prefix(product.brand_id, product.id)}black-abc.png"
    app.extensions["luneo.storage"].put(key, png_bytes(800, 800, (10, 10, 10)), "image/png")
    template = dict(product.template)
    template["variants"] = [
        {"id": "4001", "label": "White"},
        {"id": "4002", "label": "Black", "photoKey": key, "printAreas": [BLACK_AREA], **variant},
    ]
    product.template = template
    db.session.commit()
    return key


def _preview(app, client, headers, design_id):  # type: ignore[no-untyped-def]
    got = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    data = client.get(got["previewUrl"].replace(app.config["APP_URL"], "")).data
    return got, Image.open(io.BytesIO(data)).convert("RGB")


def test_a_design_for_a_variant_uses_its_photo_and_print_area(app, client):
    _, headers, product = brand_with_key(app)
    _with_black_variant(app, product)
    base = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    black = client.post(
        "/v1/designs", json={**text_design(product.id), "variantId": "4002"}, headers=headers
    )
    assert black.status_code == 202, black.get_json()
    assert black.get_json()["designId"] != base.get_json()["designId"]
    got, black_img = _preview(app, client, headers, black.get_json()["designId"])
    _, base_img = _preview(app, client, headers, base.get_json()["designId"])
    assert got["variantId"] == "4002"
    # a corner far from every print area: the mug photo is light, the black variant's is black
    assert sum(black_img.getpixel((1150, 1150))) < 60
    assert sum(base_img.getpixel((1150, 1150))) > 300

    design_id = black.get_json()["designId"]
    done = client.post(f"/v1/designs/{design_id}/finalize", json={}, headers=headers)
    assert done.status_code == 200, done.get_json()
    body = client.get(f"/v1/designs/{design_id}", headers=headers).get_json()
    (files,) = body["production"]
    # the black variant's area is 100 x 60 mm (the white mug's is 72 x 82): 300 dpi
    expected = (round(100 / 25.4 * 300), round(60 / 25.4 * 300))
    assert (files["widthPx"], files["heightPx"]) == expected
    assert db.session.get(Design, design_id).snapshot["variantId"] == "4002"


def test_a_variant_without_its_own_photo_is_recorded_and_drawn_as_the_product(app, client):
    _, headers, product = brand_with_key(app)
    _with_black_variant(app, product)
    white = client.post(
        "/v1/designs", json={**text_design(product.id), "variantId": "4001"}, headers=headers
    )
    plain = client.post("/v1/designs", json=text_design(product.id), headers=headers)
    assert white.status_code == plain.status_code == 202
    assert white.get_json()["designId"] != plain.get_json()["designId"]  # each its variant
    assert db.session.get(Design, white.get_json()["designId"]).variant_id == "4001"
    _, img = _preview(app, client, headers, white.get_json()["designId"])
    assert sum(img.getpixel((1150, 1150))) > 300


def test_an_unknown_variant_is_a_422_and_nothing_is_written(app, client):
    _, headers, product = brand_with_key(app)
    answer = client.post(
        "/v1/designs", json={**text_design(product.id), "variantId": "4002"}, headers=headers
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "unknown_variant"
    assert "no variants" in answer.get_json()["error"]["details"]["variantId"]
    _with_black_variant(app, product)
    answer = client.post(
        "/v1/designs", json={**text_design(product.id), "variantId": "9999"}, headers=headers
    )
    assert answer.status_code == 422
    assert "4001, 4002" in answer.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Design)) == 0


def test_the_storefront_widget_gets_each_variants_photo_and_areas(app, client):
    from luneo_app.embed.catalog import storefront_product
    from luneo_app.models import Brand

    brand, _, product = brand_with_key(app)
    _with_black_variant(app, product)
    with app.test_request_context():
        seen = storefront_product(product, db.session.get(Brand, brand.id))
    white, black = seen["variants"]
    assert white["id"] == "4001" and white["printAreas"] == seen["printAreas"]
    assert white["imageUrl"].split("?")[0] == seen["imageUrl"].split("?")[0]
    assert black["label"] == "Black" and black["printAreas"][0]["widthMm"] == 100
    assert "variant-black" in black["imageUrl"] and black["imageUrl"] != seen["imageUrl"]
    assert "photoKey" not in str(seen)  # storage keys stay on the server
