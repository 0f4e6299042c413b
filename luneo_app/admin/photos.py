"""Product photos for the admin: light display copies, and photos imported from Shopify.

The render engine works from the full photo; the admin shows a WebP copy a fraction of its
weight (kept beside the original, made once), so pages stay fast. A Shopify product's photo
is fetched from Shopify's CDN only, with a size cap, and checked to be a picture.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from flask import current_app
from PIL import Image

from ..files.derivatives import derivative_bytes, derivative_key
from ..models import Product
from ..products.photos import store_photo

log = logging.getLogger("luneo.admin.photos")

DISPLAY_WIDTH = 1000
THUMB_WIDTH = 160
MAX_PHOTO_BYTES = 20 * 1024 * 1024


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


def _allowed_photo_url(url: str) -> bool:
    """Only Shopify's CDN (``SHOPIFY_CDN_ORIGIN``; a local fake in tests) serves photos."""
    origin = (current_app.config.get("SHOPIFY_CDN_ORIGIN") or "https://cdn.shopify.com").rstrip("/")
    parts = urlsplit(url)
    return url.startswith(origin + "/") and not parts.username and ".." not in parts.path


def import_shopify_photo(product: Product, url: str | None) -> bool:
    """Fetch the product's photo from Shopify's CDN and keep it; False when that failed."""
    if not url or not _allowed_photo_url(url):
        return False
    try:
        with httpx.stream("GET", url, timeout=10.0, follow_redirects=False) as response:
            if response.status_code != 200:
                return False
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_PHOTO_BYTES:
                    return False
                chunks.append(chunk)
        store_photo(product, b"".join(chunks), source=url)
    except (httpx.HTTPError, ValueError):
        log.warning("could not import the photo of product %s", product.id, exc_info=True)
        return False
    return True
