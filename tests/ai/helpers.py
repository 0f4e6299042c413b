"""Shared set-up for the AI tests: a brand whose mug offers AI artwork, and design bodies."""

from __future__ import annotations

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from render import samples
from tests.designs.helpers import MUG_TEMPLATE, _photo
from tests.support.factories import make_brand, make_product

AI_TEMPLATE = {
    **MUG_TEMPLATE,
    "options": [
        *MUG_TEMPLATE["options"],
        {"id": "art", "type": "ai", "label": "Artwork", "printArea": "front"},
    ],
}


def brand_with_ai_mug(app, name: str = "Acme Mugs", **brand_fields):  # type: ignore[no-untyped-def]
    """A brand, its API key headers and a mug whose template offers AI artwork."""
    brand = make_brand(name=name, **brand_fields)
    issued = create_api_key(brand)
    product = make_product(brand, template=AI_TEMPLATE, external_id="mug-ai", title="Mug")
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, _photo(), "image/png")
    product.image_key = key
    db.session.commit()
    return brand, {"Authorization": f"Bearer {issued.plaintext}"}, product


def ai_design(product_id: str, prompt: str, seed: int = 0, **layer: object) -> dict:
    """A design body with one AI layer on the mug's front."""
    return {
        "productId": product_id,
        "previewMode": "fast",
        "layers": [{"type": "ai", "printArea": "front", "prompt": prompt, "seed": seed, **layer}],
    }


def mug_area() -> dict:
    return samples.demo_template("mug")["printAreas"][0]
