"""A product's photo kept in storage, whichever platform it came from."""

from __future__ import annotations

import hashlib
import io

from flask import current_app
from PIL import Image, UnidentifiedImageError

from ..files.storage import brand_prefix
from ..models import Product

FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}


def store_photo(product: Product, data: bytes, source: str | None = None) -> None:
    """Keep ``data`` as the product's photo after checking it is a picture (caller commits)."""
    key = store_picture(data, f"{brand_prefix(product.brand_id)}products/{product.id}/photo")
    product.image_key = key
    product.images = [{"key": key, "alt": product.title, **({"source": source} if source else {})}]


def store_picture(data: bytes, stem: str) -> str:
    """Keep ``data`` at ``<stem>-<sha>.<ext>`` after checking it is a picture of an allowed
    format and size; returns the key. ``ValueError`` says why a file was refused."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = image.width * image.height
            image.verify()
            fmt = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError("not a picture") from exc
    if pixels > current_app.config["UPLOAD_MAX_PIXELS"]:
        raise ValueError("the picture has too many pixels")
    if fmt not in FORMATS:
        raise ValueError(f"unsupported picture format {fmt}")
    digest = hashlib.sha256(data).hexdigest()[:12]
    extension, mimetype = FORMATS[fmt]
    key = f"{stem}-{digest}.{extension}"
    current_app.extensions["luneo.storage"].put(key, data, mimetype)
    return key
