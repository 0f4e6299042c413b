"""Light copies of stored pictures: a WebP at most N pixels wide, made once beside the
original (``<key>.w<N>.webp``) and reused by every page and process that needs that width.

The admin shows product photos through them; the storefront widget picks the copy that
fits its canvas instead of downloading the original (a 1600 px PNG is 2.5 MB).
"""

from __future__ import annotations

import io
import logging

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from .storage import StorageError

log = logging.getLogger("luneo.files.derivatives")

# Widths the storefront offers (a srcset): phone canvas at 2x and 3x, desktop at 2x.
STOREFRONT_WIDTHS = (480, 800, 1200)


def _storage():  # type: ignore[no-untyped-def]
    return current_app.extensions["luneo.storage"]


def derivative_key(key: str, width: int) -> str:
    return f"{key}.w{width}.webp"


def ensure(key: str, width: int) -> bytes | None:
    """Make the ``width`` copy of ``key`` when it is missing; its bytes when just made, None
    when it already existed. Raises ``StorageError`` / ``ValueError`` for unusable originals."""
    storage = _storage()
    target = derivative_key(key, width)
    if storage.exists(target):
        return None
    data = shrink(storage.get(key), width)
    storage.put(target, data, "image/webp")
    return data


def derivative_bytes(key: str, width: int) -> bytes | None:
    """The ``width`` copy's bytes (made when missing), or None when the original is unusable."""
    try:
        made = ensure(key, width)
        return made if made is not None else _storage().get(derivative_key(key, width))
    except (StorageError, UnidentifiedImageError, OSError, ValueError):
        log.warning("no display copy of %s", key, exc_info=True)
        return None


def srcset(key: str, widths: tuple[int, ...] = STOREFRONT_WIDTHS) -> list[dict[str, object]]:
    """Signed URLs of the copies at ``widths`` (made when missing), smallest first; empty
    when the original cannot be read as a picture."""
    out: list[dict[str, object]] = []
    for width in widths:
        try:
            ensure(key, width)
        except (StorageError, UnidentifiedImageError, OSError, ValueError):
            log.warning("no display copy of %s", key, exc_info=True)
            return []
        out.append({"width": width, "url": _storage().url(derivative_key(key, width))})
    return out


def shrink(data: bytes, width: int) -> bytes:
    """``data`` (any picture) as a WebP at most ``width`` wide, upright."""
    with Image.open(io.BytesIO(data)) as source:
        image = ImageOps.exif_transpose(source)
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    if image.width > width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()
