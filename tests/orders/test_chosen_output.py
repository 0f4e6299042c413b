"""Output that says what the shopper chose: the production PNG carries a printed finish's
colour, and the ZIP manifest, the admin's order row and the Shopify write-back name the
options, text, font, finish and how it is made."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile

import numpy as np
from PIL import Image

from luneo_app.extensions import db
from luneo_app.models import Design
from luneo_app.orders.describe import describe_order
from tests.orders.helpers import mug, only_order, order_body
from tests.shopify.helpers import SHOP, post_webhook, seed_install

FINISH_OPTION = {
    "id": "finish",
    "type": "material",
    "label": "Finish",
    "values": [{"value": "gold", "label": "Gold", "priceCents": 500}, {"value": "silver"}],
}


def _gold_design(product, text: str = "ANNA & TOM") -> Design:  # type: ignore[no-untyped-def]
    layers = [
        {
            "type": "text",
            "printArea": "front",
            "optionId": "name",
            "text": text,
            "font": "playfair-display",
            "autoFit": True,
            "color": "#1f2a44",
            "material": "gold",
        }
    ]
    options = {"name": text, "finish": "gold"}
    design = Design(
        brand_id=product.brand_id,
        product_id=product.id,
        source="storefront",
        layers=layers,
        options=options,
        content_hash=hashlib.sha256(json.dumps([layers, options]).encode()).hexdigest(),
        status="preview_ready",
    )
    db.session.add(design)
    db.session.commit()
    return design


def _product(app, brand, kind: str | None = None):  # type: ignore[no-untyped-def]
    product = mug(app, brand)
    template = copy.deepcopy(product.template)
    template["options"].append(FINISH_OPTION)
    template["materials"] = [None, "gold", "silver"]
    if kind:
        template["printAreas"][0]["profile"] = {"kind": kind}
    product.template = template
    db.session.commit()
    return product


def test_gold_text_is_gold_in_the_png_and_named_in_manifest_admin_and_shopify(
    app, client, fake_shopify
):
    brand, _install, _grant = seed_install(app, fake_shopify)
    product = _product(app, brand)
    design = _gold_design(product)
    body = order_body(7001, [{"design": design.id}], name="#2001")
    fake_shopify.orders.add(SHOP, body)
    assert post_webhook(client, "orders/create", body).status_code == 200
    order = only_order()
    assert order.production_status == "ready", order.problems
    storage = app.extensions["luneo.storage"]

    # the production PNG: gold foil carries its colour, never the black laser mask
    archive = zipfile.ZipFile(io.BytesIO(storage.get(order.zip_key)))
    png_name = next(n for n in archive.namelist() if n.endswith(".png"))
    png = Image.open(io.BytesIO(archive.read(png_name))).convert("RGBA")
    pixels = np.asarray(png)
    solid = pixels[pixels[..., 3] == 255][:, :3]
    assert len(solid) > 100 and (solid == (212, 175, 55)).all()

    # the manifest says Gold, foil, the text and the font
    line = json.loads(archive.read("manifest.json"))["lines"][0]
    chosen = line["chosen"]
    assert {"label": "Finish", "valueLabel": "Gold"}.items() <= next(
        c for c in chosen["options"] if c["option"] == "finish"
    ).items()
    layer = chosen["layers"][0]
    assert (layer["text"], layer["fontName"]) == ("ANNA & TOM", "Playfair Display")
    assert (layer["finish"], layer["finishLabel"], layer["process"]) == ("gold", "Gold", "foil")
    assert layer["printedColor"] == "#d4af37"
    assert "Finish: Gold (foil)" in chosen["summary"]
    assert "Name: ANNA & TOM" in chosen["summary"]

    # the admin's order row
    item = describe_order(order)["items"][0]
    assert item["chosen"]["summary"] == chosen["summary"]
    page = client.get(
        "/admin/orders", query_string={"shop": SHOP, "id_token": fake_shopify.session_token(SHOP)}
    )
    assert page.status_code == 200
    assert "Name: ANNA &amp; TOM · Font: Playfair Display · Finish: Gold (foil)" in page.get_data(
        as_text=True
    )

    # the Shopify write-back: the metafield and the note attribute
    written = json.loads(fake_shopify.orders.metafield(SHOP, 7001, "luneo", "production")["value"])
    assert written["lines"][0]["summary"] == chosen["summary"]
    assert {"label": "Finish", "value": "Gold"} in written["lines"][0]["chosen"]
    attributes = {a["key"]: a["value"] for a in fake_shopify.orders.attributes(SHOP, 7001)}
    assert "Line 1: Name: ANNA & TOM" in attributes["Luneo"]
    assert "Gold (foil)" in attributes["Luneo"]


def test_gold_on_an_engraving_area_stays_the_black_laser_mask(app, client, fake_shopify):
    brand, _install, _grant = seed_install(app, fake_shopify)
    product = _product(app, brand, kind="engraving")
    design = _gold_design(product, "LASER")
    body = order_body(7002, [{"design": design.id}], name="#2002")
    fake_shopify.orders.add(SHOP, body)
    assert post_webhook(client, "orders/create", body).status_code == 200
    order = only_order()
    archive = zipfile.ZipFile(io.BytesIO(app.extensions["luneo.storage"].get(order.zip_key)))
    png_name = next(n for n in archive.namelist() if n.endswith(".png"))
    pixels = np.asarray(Image.open(io.BytesIO(archive.read(png_name))).convert("RGBA"))
    solid = pixels[pixels[..., 3] == 255][:, :3]
    assert len(solid) > 100 and solid.max() == 0
    layer = json.loads(archive.read("manifest.json"))["lines"][0]["chosen"]["layers"][0]
    assert layer["process"] == "engrave" and "printedColor" not in layer
    assert "Finish: Gold (engraved)" in describe_order(order)["items"][0]["chosen"]["summary"]
