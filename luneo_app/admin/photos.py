"""Product photos for the admin: light display copies.

The render engine works from the full photo; the admin shows a WebP copy a fraction of its
weight (kept beside the original, made once), so pages stay fast. A Shopify product's photo
is imported with the product (``commerce/catalog.py``: Shopify's CDN only, size cap).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask import current_app
from PIL import Image

from ..files.derivatives import derivative_bytes, derivative_key
from ..models import Product

DISPLAY_WIDTH = 1000
THUMB_WIDTH = 160


@dataclass(frozen=True)
class Photo:
    """A picture the browser can load: signed URL and pixel size."""

    url: str
    width: int
    height: int


def _storage():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.storage"]


def derivative(key: str, width: int) -> Photo | None:
    """A WebP copy of a stored picture at most ``width`` wide (made once, then reused)."""
    data = derivative_bytes(key, width)
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as image:
        size = image.size
    return Photo(_storage().url(derivative_key(key, width)), size[0], size[1])


def product_photo(product: Product, width: int = DISPLAY_WIDTH) -> Photo | None:
    """The product's photo for the admin (``None`` when it has none)."""
    return derivative(product.image_key, width) if product.image_key else None
