"""Shared set-up for the designs tests: a brand with an API key and a personalizable mug."""

from __future__ import annotations

import io

from PIL import Image

from luneo_app.auth.apikeys import create_api_key
from luneo_app.extensions import db
from luneo_app.files.storage import brand_prefix
from render import samples
from tests.support.factories import make_brand, make_product

MUG_TEMPLATE = {
    **samples.demo_template("mug"),
    "options": [
        {
            "id": "name",
            "type": "text",
            "label": "Name",
            "printArea": "front",
            "maxChars": 12,
            "fonts": ["playfair-display", "dancing-script", "lato"],
        },
        {"id": "photo", "type": "image", "label": "Photo", "printArea": "front", "minDpi": 150},
    ],
}


def brand_with_key(app, name: str = "Acme Mugs"):  # type: ignore[no-untyped-def]
    """A brand, its API key headers and a personalizable mug product with a photo."""
    brand = make_brand(name=name)
    issued = create_api_key(brand)
    product = make_product(brand, template=MUG_TEMPLATE, external_id="mug-1", title="Mug")
    key = f"{brand_prefix(brand.id)}products/{product.id}/photo.png"
    app.extensions["luneo.storage"].put(key, _photo(), "image/png")
    product.image_key = key
    db.session.commit()
    return brand, {"Authorization": f"Bearer {issued.plaintext}"}, product


_PHOTO: bytes | None = None


def _photo() -> bytes:
    global _PHOTO
    if _PHOTO is None:
        _PHOTO = samples.demo_product_photo("mug", size=800)
    return _PHOTO


def text_design(
    product_id: str,
    text: str = "Jessica",
    font: str = "dancing-script",
    previewMode: str | None = None,  # noqa: N803 - the API's field name
    **layer: object,
) -> dict:
    design = {
        "productId": product_id,
        "layers": [
            {
                "type": "text",
                "printArea": "front",
                "text": text,
                "font": font,
                "autoFit": True,
                "color": "#1f2a44",
                **layer,
            }
        ],
    }
    if previewMode:
        design["previewMode"] = previewMode
    return design


def png_bytes(width: int, height: int, color=(200, 30, 30)) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def photo_fills_area(product) -> None:  # type: ignore[no-untyped-def]
    """The merchant drew the photo option's slot over its whole print area (the read-time
    layout would give it the top 60 %), so a photo's dpi is the area's, as tests expect."""
    from luneo_app.extensions import db

    template = dict(product.template)
    template["options"] = [
        {**o, "slot": {"x": 0, "y": 0, "width": 1, "height": 1, "rotation": 0}}
        if o.get("type") == "image"
        else o
        for o in template["options"]
    ]
    product.template = template
    db.session.commit()
