"""Turn a stored design into the render engine's spec (plain values and bytes)."""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..ai import layers as ai_layers
from ..core.errors import ValidationFailed
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Product, Upload
from . import variants

PREVIEW_WIDTHS = {"fast": 600, "standard": 1200, "hd": 2000}


def build_spec(
    product: Product,
    layers: list[dict[str, Any]],
    template: dict[str, Any] | None = None,
    placeholders: bool = False,
) -> dict[str, Any]:
    """The design spec for ``render``: product photo bytes, print areas, layers with bytes.

    Image layers name an upload (``uploadId``) of the same brand; its bytes are filled in.
    AI layers become image layers of their artwork (``artworkKey``); with ``placeholders``
    an AI layer whose artwork is not made yet gets a transparent stand-in, so the rest of
    the design can be checked before the artwork exists.
    """
    storage = current_app.extensions["luneo.storage"]
    template = template if template is not None else (product.template or {})
    product_spec: dict[str, Any] = dict(template.get("product") or {})
    # a variant's own photo (designs.variants.for_variant), only ever one stored for it
    photo_key = product_spec.pop("photoKey", None)
    if not (
        isinstance(photo_key, str)
        and photo_key.startswith(variants.photo_prefix(product.brand_id, product.id))
    ):
        photo_key = product.image_key
    if photo_key:
        product_spec["image"] = storage.get(photo_key)
    resolved = []
    upload_ids = [
        la.get("uploadId") for la in layers if isinstance(la, dict) and la.get("uploadId")
    ]
    uploads = {}
    if upload_ids:
        rows = db.session.scalars(
            select(Upload).where(Upload.brand_id == product.brand_id, Upload.id.in_(upload_ids))
        ).all()
        uploads = {row.id: row for row in rows}
    for index, layer in enumerate(layers):
        layer = copy.deepcopy(layer)
        layer.pop("optionId", None)
        if ai_layers.is_ai(layer):
            layer = ai_layers.spec_layer(layer, _artwork(storage, product, layer, placeholders))
        elif layer.get("type") == "image":
            upload_id = layer.pop("uploadId", None)
            row = uploads.get(upload_id) if upload_id else None
            if row is None:
                raise ValidationFailed(
                    "An image layer must name an upload of this shop.",
                    code="unknown_upload",
                    details={f"layers[{index}].uploadId": "unknown upload"},
                )
            layer["image"] = storage.get(row.key)
        resolved.append(layer)
    return {
        "product": product_spec,
        "printAreas": template.get("printAreas", []),
        "layers": resolved,
    }


def _artwork(storage: Any, product: Product, layer: dict[str, Any], placeholders: bool) -> bytes:
    """The bytes of an AI layer's artwork (only ever from the brand's own artwork folder)."""
    key = layer.get("artworkKey")
    if isinstance(key, str) and key.startswith(f"{brand_prefix(product.brand_id)}artwork/"):
        return storage.get(key)
    if placeholders:
        return ai_layers.PLACEHOLDER_PNG
    raise ValidationFailed("The artwork of this design is not ready yet.", code="artwork_not_ready")
