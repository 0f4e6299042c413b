"""The picture and mask an image-edit model works on, and the way back to the print area.

The product photo is framed around the print area (which fills about 70 % of the canvas,
so the model sees the product and still spends its pixels on the artwork) at one of the
sizes the images API accepts. The mask is opaque everywhere except the print area's shape,
which is fully transparent: that is where the model may paint. Afterwards the print area
is cut back out of the answer, upright, as the artwork of the design layer.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from render import images

SIZES = ((1024, 1024), (1536, 1024), (1024, 1536))
FILL = 0.70  # share of the canvas the print area's bounding box may take
# Canvases share the render engine's byte-bounded cache (``RENDER_CACHE_MB``).
_cache = images.Shelf("ai_canvas")


@dataclass(frozen=True)
class EditCanvas:
    """The edit request's pictures and where the print area sits on them."""

    image_png: bytes
    mask_png: bytes
    size: tuple[int, int]
    center: tuple[float, float]  # print area centre, canvas pixels
    area_px: tuple[float, float]  # print area width and height, canvas pixels
    rotation: float  # degrees, clockwise

    @property
    def size_param(self) -> str:
        """The ``size`` argument of the images API (``"1536x1024"``)."""
        return f"{self.size[0]}x{self.size[1]}"


def _photo(product_image: bytes | None, background: str, aspect: float) -> Image.Image:
    if product_image:
        with Image.open(io.BytesIO(product_image)) as src:
            src.load()
            flat = Image.new("RGB", src.size, background)
            rgba = src.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
    return Image.new("RGB", (1000, max(1, round(1000 / max(aspect, 0.01)))), background)


def _corners(
    cx: float, cy: float, w: float, h: float, rotation: float
) -> list[tuple[float, float]]:
    t = math.radians(rotation)
    c, s = math.cos(t), math.sin(t)
    pts = []
    for dx, dy in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        pts.append((cx + dx * c - dy * s, cy + dx * s + dy * c))
    return pts


def _shape(cx: float, cy: float, w: float, h: float, rotation: float, mask: Any) -> list:
    if mask == "ellipse":
        t = math.radians(rotation)
        c, s = math.cos(t), math.sin(t)
        pts = []
        for i in range(96):
            a = 2 * math.pi * i / 96
            dx, dy = w / 2 * math.cos(a), h / 2 * math.sin(a)
            pts.append((cx + dx * c - dy * s, cy + dx * s + dy * c))
        return pts
    return _corners(cx, cy, w, h, rotation)  # rect, rounded and picture masks: the box


def edit_canvas(
    product_image: bytes | None,
    area: dict[str, Any],
    background: str = "#ffffff",
    aspect: float = 1.0,
) -> EditCanvas:
    """Frame the photo around ``area`` and draw the transparent-where-editable mask.

    A product's canvas never changes, so it is made once per process and kept while the
    engine's cache budget allows.
    """
    key = hashlib.sha256(
        json.dumps([area, background, aspect], sort_keys=True, default=str).encode()
        + (product_image or b"")
    ).hexdigest()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    made = _make_canvas(product_image, area, background, aspect)
    _cache.put(key, made)
    return made


def _make_canvas(
    product_image: bytes | None, area: dict[str, Any], background: str, aspect: float
) -> EditCanvas:
    photo = _photo(product_image, background, aspect)
    pw, ph = photo.size
    cx = (float(area["x"]) + float(area["width"]) / 2) * pw
    cy = (float(area["y"]) + float(area["height"]) / 2) * ph
    aw, ah = float(area["width"]) * pw, float(area["height"]) * ph
    rotation = float(area.get("rotation") or 0.0)
    xs, ys = zip(*_corners(cx, cy, aw, ah, rotation), strict=True)
    bw, bh = max(xs) - min(xs), max(ys) - min(ys)
    ratio = bw / max(bh, 1e-6)
    size = SIZES[1] if ratio > 1.25 else SIZES[2] if ratio < 0.8 else SIZES[0]
    scale = min(size[0] * FILL / max(bw, 1e-6), size[1] * FILL / max(bh, 1e-6))
    # canvas pixel (u, v) shows photo pixel (ox + u / scale, oy + v / scale)
    ox, oy = cx - size[0] / (2 * scale), cy - size[1] / (2 * scale)
    framed = photo.transform(
        size,
        Image.Transform.AFFINE,
        (1 / scale, 0, ox, 0, 1 / scale, oy),
        Image.Resampling.BICUBIC,
        fillcolor=background,
    )
    ccx, ccy = size[0] / 2, size[1] / 2
    mask = Image.new("RGBA", size, (255, 255, 255, 255))
    ImageDraw.Draw(mask).polygon(
        _shape(ccx, ccy, aw * scale, ah * scale, rotation, area.get("mask")), fill=(0, 0, 0, 0)
    )
    return EditCanvas(
        image_png=_png(framed),
        mask_png=_png(mask),
        size=size,
        center=(ccx, ccy),
        area_px=(aw * scale, ah * scale),
        rotation=rotation,
    )


def cut_area(result_png: bytes, canvas: EditCanvas, long_side: int = 1024) -> Image.Image:
    """The print area cut out of the model's answer, upright, ``long_side`` px at most."""
    with Image.open(io.BytesIO(result_png)) as src:
        src.load()
        result = src.convert("RGBA")
    sx, sy = result.width / canvas.size[0], result.height / canvas.size[1]
    cw, ch = canvas.area_px[0] * sx, canvas.area_px[1] * sy
    k = min(1.0, long_side / max(cw, ch)) if max(cw, ch) > long_side else 1.0
    out_w, out_h = max(1, round(cw * k)), max(1, round(ch * k))
    cx, cy = canvas.center[0] * sx, canvas.center[1] * sy
    if canvas.rotation % 360 == 0:  # upright: a (sub-pixel) crop and resize is enough
        box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
        return result.resize((out_w, out_h), Image.Resampling.BICUBIC, box=box)
    t = math.radians(canvas.rotation)
    c, s = math.cos(t), math.sin(t)
    # output pixel (u, v) -> source pixel: rotate the area frame back onto the answer
    a, b = c / k, -s / k
    d, e = s / k, c / k
    tx = cx - (a * out_w / 2 + b * out_h / 2)
    ty = cy - (d * out_w / 2 + e * out_h / 2)
    return result.transform(
        (out_w, out_h), Image.Transform.AFFINE, (a, b, tx, d, e, ty), Image.Resampling.BICUBIC
    )


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)
    return buf.getvalue()
