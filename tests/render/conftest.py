"""Helpers for the render engine tests: small demo photos and spec builders (no app)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from render import samples

PHOTO_PX = 400  # demo photos small enough to keep the suite fast


@pytest.fixture(scope="session")
def photo() -> Callable[[str], bytes]:
    """``photo(kind)``: the demo product photo at PHOTO_PX, as PNG bytes."""
    return lambda kind="mug": samples.demo_product_photo(kind, PHOTO_PX)


def text_layer(text: str = "Jessica", **extra) -> dict:
    layer = {"type": "text", "printArea": "front", "text": text, "font": "playfair-display"}
    layer.update(extra)
    return layer


def mug_spec(image: bytes | None, *layers: dict, **area_extra) -> dict:
    """The demo mug template with ``layers`` on its ``front`` area."""
    area = dict(samples.demo_template("mug")["printAreas"][0], **area_extra)
    product = {"image": image} if image is not None else {"background": "#ffffff"}
    return {"product": product, "printAreas": [area], "layers": list(layers)}


def png_bytes(size=(8, 8), color=(200, 30, 30, 255), mode="RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, "PNG")
    return buf.getvalue()


def decode(data: bytes) -> np.ndarray:
    """Image bytes -> float array (H, W, C) in 0..255."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), np.float32)
