"""The template editor's API: field-level refusals, saving, versions, and the live preview."""

from __future__ import annotations

import copy
import io

import pytest
from PIL import Image

from luneo_app.extensions import db
from luneo_app.models import AuditEvent, Product
from tests.admin.helpers import SHOP_A, SHOP_B, bearer, mug
from tests.shopify.helpers import seed_install

GOOD = {
    "printAreas": [
        {"id": "front", "x": 0.3, "y": 0.35, "width": 0.3, "height": 0.3, "rotation": 0,
         "widthMm": 70, "heightMm": 70, "mask": "rect"},
    ],
    "options": [
        {"id": "name", "type": "text", "label": "Name", "printArea": "front", "maxChars": 12,
         "fonts": ["lato", "playfair-display"], "default": "", "minSize": 8, "maxSize": 40,
         "priceCents": 0},
        {"id": "finish", "type": "material", "label": "Finish", "priceCents": 0,
         "values": [{"value": None, "label": "Printed", "priceCents": 0},
                    {"value": "gold", "label": "Gold", "priceCents": 500}]},
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front", "minDpi": 150,
         "priceCents": 300, "showWhen": {"option": "finish", "equals": None}},
    ],
}  # fmt: skip


@pytest.fixture()
def shop(app, fake_shopify):  # type: ignore[no-untyped-def]
    brand, _, _ = seed_install(app, fake_shopify, SHOP_A)
    product = mug(app, brand)
    return {
        "brand": brand,
        "product": product,
        "headers": bearer(fake_shopify.session_token(SHOP_A)),
    }


def _put(client, shop, template, version=None):  # type: ignore[no-untyped-def]
    body = {"template": template}
    if version is not None:
        body["templateVersion"] = version
    return client.put(
        f"/admin/api/products/{shop['product'].id}/template", json=body, headers=shop["headers"]
    )


def _with(**changes):  # type: ignore[no-untyped-def]
    template = copy.deepcopy(GOOD)
    for path, value in changes.items():
        kind, index, key = path.split("__")
        template[kind][int(index)][key] = value
    return template


@pytest.mark.parametrize(
    ("template", "field", "words"),
    [
        pytest.param(_with(printAreas__0__x=0.8), "printAreas[0]", "inside the product photo",
                     id="print-area-outside-the-image"),
        pytest.param(_with(options__0__maxChars=0), "options[0].maxChars", "at least 1",
                     id="max-characters-zero"),
        pytest.param(_with(options__0__fonts=["lato", "comic-sans-ms"]), "options[0].fonts",
                     "unknown font 'comic-sans-ms'", id="unknown-font"),
        pytest.param(_with(printAreas__0__widthMm=0), "printAreas[0].widthMm", "1–2000 mm",
                     id="no-physical-size"),
        pytest.param(_with(options__0__default="far too long a default"), "options[0].default",
                     "longer than 12", id="default-longer-than-limit"),
        pytest.param(_with(options__2__showWhen={"option": "finish", "equals": "platinum"}),
                     "options[2].showWhen.equals", "choices", id="condition-on-unknown-value"),
        pytest.param(_with(options__1__values=[{"value": "unobtainium"}]),
                     "options[1].values[0].value", "unknown material", id="unknown-material"),
        pytest.param(_with(options__0__priceCents=-5), "options[0].priceCents", "≥ 0",
                     id="negative-price"),
    ],
)  # fmt: skip
def test_an_invalid_template_is_refused_with_a_message_on_the_field(
    client, shop, template, field, words
):
    before = copy.deepcopy(shop["product"].template)

    response = _put(client, shop, template)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_template"
    assert words in error["details"][field]
    db.session.expire_all()
    stored = db.session.get(Product, shop["product"].id)
    assert stored.template == before and stored.template_version == 1


def test_several_problems_are_reported_together(client, shop):
    template = _with(options__0__maxChars=0, printAreas__0__y=0.9)

    details = _put(client, shop, template).get_json()["error"]["details"]

    assert {"options[0].maxChars", "printAreas[0]"} <= set(details)


def test_a_valid_template_is_saved_and_its_version_goes_up(client, shop):
    response = _put(client, shop, GOOD, version=1)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["templateVersion"] == 2
    db.session.expire_all()
    stored = db.session.get(Product, shop["product"].id)
    assert stored.template["options"][0]["maxChars"] == 12
    assert stored.template["materials"] == [None, "gold"]  # what the finish option offers
    assert db.session.query(AuditEvent).filter_by(action="product.template_saved").count() == 1
    again = _put(client, shop, body["template"], version=2)
    assert again.get_json()["templateVersion"] == 2  # unchanged: same version


def test_a_save_based_on_an_old_version_is_refused(client, shop):
    assert _put(client, shop, GOOD, version=1).status_code == 200

    stale = _put(client, shop, _with(options__0__maxChars=30), version=1)

    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "template_changed"
    db.session.expire_all()
    assert db.session.get(Product, shop["product"].id).template["options"][0]["maxChars"] == 12


def test_the_editor_loads_the_options_shoppers_see_today_when_none_are_declared(client, shop):
    body = client.get(
        f"/admin/api/products/{shop['product'].id}/template", headers=shop["headers"]
    ).get_json()

    assert body["suggested"] is False  # the mug template declares options
    shop["product"].template = {k: v for k, v in shop["product"].template.items() if k != "options"}
    db.session.commit()
    body = client.get(
        f"/admin/api/products/{shop['product'].id}/template", headers=shop["headers"]
    ).get_json()
    assert body["suggested"] is True
    assert [o["type"] for o in body["template"]["options"]] == ["text", "material"]
    assert body["photo"]["width"] == 480  # the photo is smaller than the display width
    assert body["photo"]["url"].split("?")[0].endswith(".w1000.webp")


def test_the_live_preview_is_the_render_engines_picture_of_the_draft(client, shop):
    response = client.post(
        f"/admin/api/products/{shop['product'].id}/preview",
        json={"template": GOOD, "values": {"name": "Ada"}},
        headers=shop["headers"],
    )

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (640, 640)
    assert max(image.convert("L").getextrema()) - min(image.convert("L").getextrema()) > 50


def test_a_draft_with_problems_gets_no_preview_but_the_field_messages(client, shop):
    response = client.post(
        f"/admin/api/products/{shop['product'].id}/preview",
        json={"template": _with(options__0__maxChars=0)},
        headers=shop["headers"],
    )

    assert response.status_code == 422
    assert "options[0].maxChars" in response.get_json()["error"]["details"]


def test_another_shop_cannot_preview_or_save_this_product(client, app, fake_shopify, shop):
    seed_install(app, fake_shopify, SHOP_B)
    other = bearer(fake_shopify.session_token(SHOP_B))
    url = f"/admin/api/products/{shop['product'].id}"

    assert client.post(f"{url}/preview", json={"template": GOOD}, headers=other).status_code == 404
    assert client.put(f"{url}/template", json={"template": GOOD}, headers=other).status_code == 404


def _png(color=(12, 12, 14)) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", (300, 300), color).save(out, "PNG")
    return out.getvalue()


def _variant_photo(client, shop, variant_id, data):  # type: ignore[no-untyped-def]
    return client.post(
        f"/admin/api/products/{shop['product'].id}/variants/{variant_id}/photo",
        data={"file": (io.BytesIO(data), "v.png")},
        headers=shop["headers"],
        content_type="multipart/form-data",
    )


def test_a_variant_with_its_photo_and_areas_is_saved_and_previewed_on_its_photo(client, shop):
    uploaded = _variant_photo(client, shop, "44012", _png())
    assert uploaded.status_code == 200, uploaded.get_json()
    key = uploaded.get_json()["photoKey"]
    own = {**GOOD["printAreas"][0], "x": 0.1, "widthMm": 90}
    template = {**GOOD, "variants": [{"id": "44012", "label": "Black", "photoKey": key,
                                      "printAreas": [own]}]}  # fmt: skip
    saved = _put(client, shop, template)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["variantPhotos"]["44012"]["url"]
    preview = client.post(
        f"/admin/api/products/{shop['product'].id}/preview",
        json={"template": template, "variantId": "44012"},
        headers=shop["headers"],
    )
    assert preview.status_code == 200
    corner = Image.open(io.BytesIO(preview.data)).convert("RGB").getpixel((630, 630))
    assert sum(corner) < 60  # drawn on the black variant's photo
    unknown = client.post(
        f"/admin/api/products/{shop['product'].id}/preview",
        json={"template": template, "variantId": "nope"},
        headers=shop["headers"],
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["code"] == "unknown_variant"


@pytest.mark.parametrize(
    ("variant", "field"),
    [
        ({"id": "a b", "label": "X"}, "variants[0].id"),
        ({"id": "1", "label": ""}, "variants[0].label"),
        ({"id": "1", "label": "X", "printAreas": [{**GOOD["printAreas"][0], "id": "back"}]},
         "variants[0].printAreas"),
        ({"id": "1", "label": "X", "printAreas": [{**GOOD["printAreas"][0], "x": 0.9}]},
         "variants[0].printAreas[0]"),
        ({"id": "1", "label": "X", "photoKey": "brands/other/products/p/variant-1-a.png"},
         "variants[0].photoKey"),
    ],
)  # fmt: skip
def test_a_bad_variant_is_refused_with_a_message_on_its_field(client, shop, variant, field):
    answer = _put(client, shop, {**GOOD, "variants": [variant]})
    assert answer.status_code == 422
    assert field in answer.get_json()["error"]["details"], answer.get_json()


def test_a_variant_photo_that_is_not_a_picture_is_refused(client, shop):
    answer = _variant_photo(client, shop, "44012", b"not a picture")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "invalid_photo"
    assert _variant_photo(client, shop, "a b", _png()).status_code == 422
