"""Composite the layers of one print area onto its canvas.

A print area is rendered on its own upright canvas (``size`` pixels). Layers paint
in order into a premultiplied design buffer; each one sees what is already under
it (the product photo plus earlier layers), so a wood burn darkens the wood and a
print picks up the mug's shading. The buffer is finally clipped to the area's mask.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw

from render import images, materials, text
from render.images import ImageData
from render.layout import Slot
from render.spec import DesignSpec, ImageLayer, PrintArea, TextLayer

Look = Literal["preview", "production", "texture"]
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)
_masks = images.Shelf("masks")
_image_tiles = images.Shelf("image_tiles")
# rendered layers by (layer, index, size, look, base identity)
_layers = images.Shelf("layers")


@dataclass(frozen=True)
class AreaPixels:
    """A rendered print area: premultiplied colour (HxWx3) and alpha (HxW), 0..1."""

    rgb: np.ndarray
    alpha: np.ndarray
    box: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1) any layer touched

    def over(self, base: np.ndarray) -> np.ndarray:
        """The design composited over ``base`` (HxWx3 float)."""
        return base * (1.0 - self.alpha[..., None]) + self.rgb

    def to_image(self, box: tuple[int, int, int, int] | None = None) -> Image.Image:
        """Straight-alpha RGBA image of the design alone (or of ``box`` of it).

        Quantises the premultiplied buffers to 8 bits and lets Pillow unpremultiply in
        C: at print sizes (10+ megapixels) float division in numpy is slow and large.
        """
        x0, y0, x1, y1 = box or (0, 0, self.alpha.shape[1], self.alpha.shape[0])
        rgb = Image.fromarray(_to_u8(self.rgb[y0:y1, x0:x1]), "RGB")
        alpha = Image.fromarray(_to_u8(self.alpha[y0:y1, x0:x1]), "L")
        return Image.merge("RGBa", (*rgb.split(), alpha)).convert("RGBA")


def render_area(
    spec: DesignSpec,
    area: PrintArea,
    size: tuple[int, int],
    base: np.ndarray | None = None,
    look: Look = "preview",
    shade: np.ndarray | None = None,
    base_key: Hashable | None = None,
    pad: int = 0,
) -> AreaPixels:
    """Render every layer of ``area`` on a ``size`` (w, h) canvas.

    ``base`` holds the product photo under the area (previews); without it the
    design is rendered alone. ``look="production"`` draws materials flat instead of their
    simulated look: the solid black laser mask where they are engraved, the finish's printed
    colour where they are foil or UV print (``materials.production_ink``).
    ``shade`` may pass ``shading(base)`` when the caller has it cached, and
    ``base_key`` a hashable identity of ``base``, which lets layers that did not
    change since the last render (the photo while the shopper types) come from cache.
    ``pad`` px of bleed are added on every side: layers are laid out on ``size`` but what
    reaches past its edge is kept up to ``pad`` px (the result is ``size + 2 * pad``).
    """
    w, h = size[0] + 2 * pad, size[1] + 2 * pad
    rgb = np.zeros((h, w, 3), np.float32)
    alpha = np.zeros((h, w), np.float32)
    if look != "preview" or base is None:
        shade = None
    elif shade is None:
        shade = shading(base)
    ctx = _Context(
        area,
        size,
        math.sqrt((size[0] / area.width_mm) * (size[1] / area.height_mm)),
        look,
        base,
        shade,
        pad,
    )
    box: tuple[int, int, int, int] | None = None
    for index, layer in enumerate(spec.layers_in(area.id)):
        depends_on_under = base is not None and _material(layer, look) in materials.NEEDS_UNDER
        # only previews are cached: production canvases are far too big to keep around
        cacheable = base_key is not None and look == "preview" and not (depends_on_under and box)
        key = (layer, index, size, look, base_key) if cacheable else None
        got = _layers.get(key) if key is not None else None
        if got is None:
            got = _layer_pixels(ctx, layer, index, rgb, alpha)
            if key is not None:
                _layers.put(key, got)
        if got is _EMPTY:
            continue
        (ys, xs), premult, la = got
        # "over", in place on views of the canvas
        dst, dst_a = rgb[ys, xs], alpha[ys, xs]
        if box is None:  # nothing painted yet: the canvas is empty
            dst[...] = premult
            dst_a[...] = la
        else:
            inv = 1.0 - la
            dst *= inv[..., None]
            dst += premult
            dst_a *= inv
            dst_a += la
        touched = (xs.start, ys.start, xs.stop, ys.stop)
        box = touched if box is None else _union(box, touched)
    # the mask covers the trim (what the PNG shows); the bleed continues its edge, so a
    # shape that reaches the edge bleeds and one inside it stays where the PNG has it
    clip = area_mask(area, size)
    if clip is not None and pad:
        clip = np.pad(clip, pad, mode="edge")
    if clip is not None:
        rgb *= clip[..., None]
        alpha *= clip
    return AreaPixels(rgb, alpha, box)


@dataclass(frozen=True)
class _Context:
    area: PrintArea
    size: tuple[int, int]
    px_per_mm: float
    look: Look
    base: np.ndarray | None
    shade: np.ndarray | None
    pad: int = 0


_EMPTY = ()


def _material(layer: TextLayer | ImageLayer, look: Look) -> str | None:
    return None if look == "production" else layer.material


def _layer_pixels(ctx: _Context, layer, index: int, rgb: np.ndarray, alpha: np.ndarray):
    """One layer's canvas slices, premultiplied colour and alpha (or ``_EMPTY``)."""
    seed = zlib.crc32(f"{ctx.area.id}:{index}".encode())
    if isinstance(layer, TextLayer):
        placed = text.render_text(layer, ctx.size, ctx.px_per_mm, ctx.area.profile.safe_mm)
        relief = max(0.6, placed.font_px * 0.03)
        mask, x0, y0 = placed.mask, placed.x0, placed.y0
        color, tile_rgb = layer.color, None
    else:
        tile_rgb, mask, x0, y0 = _image_tile(layer, ctx.size)
        if layer.clip is not None:
            mask = mask * _slot_coverage(layer.clip, ctx.size, mask.shape, x0, y0)
        relief = max(0.6, ctx.px_per_mm * 0.12)
        color = (0, 0, 0)
        if layer.material is not None:
            # photo engraving: the marks carry the picture's tones; where marking
            # lightens the surface (anodized, glass) bright parts are marked, else dark
            lum = tile_rgb @ _LUMA
            mask = mask * (lum if layer.material in materials.LIGHTENS else 1.0 - lum)
    material = _material(layer, ctx.look)
    if layer.material is not None and material is None:  # production: mask or printed colour
        color, tile_rgb = materials.production_ink(layer.material, ctx.area.profile.kind), None
    margin = math.ceil(relief * 4) + 2 if material else 0
    full = (ctx.size[0] + 2 * ctx.pad, ctx.size[1] + 2 * ctx.pad)
    x0, y0 = x0 + ctx.pad, y0 + ctx.pad
    region = _intersect(x0 - margin, y0 - margin, mask.shape, margin, full)
    if region is None:
        return _EMPTY
    (ys, xs), (mys, mxs) = region
    m = _padded(mask, margin)[mys, mxs]
    under = None
    if ctx.base is not None and material in materials.NEEDS_UNDER:
        under = ctx.base[ys, xs] * (1.0 - alpha[ys, xs, None]) + rgb[ys, xs]
    sh = ctx.shade[ys, xs] if ctx.shade is not None else None
    if tile_rgb is not None and material is None:
        lrgb = _padded3(tile_rgb, margin)[mys, mxs]
        if sh is not None:
            lrgb = lrgb * sh[..., None]
        la = m
    else:
        lrgb, la = materials.apply(material, m, under, sh, color=color, relief_px=relief, seed=seed)
    premult = lrgb * la[..., None]
    premult.setflags(write=False)
    return (ys, xs), premult, la


def _slot_coverage(
    slot: Slot, size: tuple[int, int], shape: tuple[int, ...], x0: int, y0: int
) -> np.ndarray:
    """How much of each tile pixel lies inside ``slot`` (anti-aliased by one pixel)."""
    w, h = size
    cx, cy = slot.center[0] * w, slot.center[1] * h
    half_w, half_h = slot.width * w / 2, slot.height * h / 2
    t = math.radians(slot.rotation)
    cos, sin = math.cos(t), math.sin(t)
    xs = np.arange(shape[1], dtype=np.float32) + (x0 + 0.5 - cx)
    ys = np.arange(shape[0], dtype=np.float32) + (y0 + 0.5 - cy)
    # into the slot's own frame (the slot turns clockwise by ``rotation``)
    u = np.abs(xs[None, :] * cos + ys[:, None] * sin)
    v = np.abs(-xs[None, :] * sin + ys[:, None] * cos)
    cover = np.clip(half_w - u + 0.5, 0.0, 1.0)
    cover *= np.clip(half_h - v + 0.5, 0.0, 1.0)
    return cover


def area_mask(area: PrintArea, size: tuple[int, int]) -> np.ndarray | None:
    """The area's clip mask (HxW float, 1 = printable) or None for a plain rectangle."""
    if area.mask is None:
        return None
    key = (area.mask.sha256 if isinstance(area.mask, ImageData) else area.mask, size)
    cached = _masks.get(key)
    if cached is not None:
        return cached
    w, h = size
    if isinstance(area.mask, ImageData):
        src = images.rgba(area.mask)
        lum = src.convert("L")
        a = np.asarray(lum.resize(size, Image.Resampling.BILINEAR), np.float32) / 255.0
        a *= (
            np.asarray(src.getchannel("A").resize(size, Image.Resampling.BILINEAR), np.float32)
            / 255.0
        )
    else:
        ss = 4  # supersample the shape for smooth edges
        im = Image.new("L", (w * ss, h * ss), 0)
        draw = ImageDraw.Draw(im)
        box = (0, 0, w * ss - 1, h * ss - 1)
        if area.mask == "ellipse":
            draw.ellipse(box, fill=255)
        else:
            draw.rounded_rectangle(box, radius=min(w, h) * ss * 0.12, fill=255)
        a = np.asarray(im.reduce(ss), np.float32) / 255.0
    a.setflags(write=False)
    _masks.put(key, a)
    return a


def shading(base: np.ndarray) -> np.ndarray:
    """The photo's lighting relative to its brightest part (1 = fully lit).

    Prints and engravings are multiplied by it so they follow the product's shape.
    """
    lum = base @ _LUMA
    sample = lum[::4, ::4].ravel()
    ref = (
        float(np.partition(sample, int(len(sample) * 0.97))[int(len(sample) * 0.97)])
        if sample.size
        else 1.0
    )
    return np.clip(1.0 + 0.85 * (lum / max(ref, 0.02) - 1.0), 0.25, 1.1).astype(np.float32)


_OVERSAMPLE = 3  # keep at least 3 source pixels per tile pixel before the final resample
_reductions = images.Shelf("reduced")


def _reduced(image: ImageData, src: Image.Image, factor: int) -> Image.Image:
    """``src`` premultiplied (RGBa) and box-reduced by ``factor``; cached per photo."""
    key = (image.sha256, factor)
    got = _reductions.get(key)
    if got is None:
        got = src.convert("RGBa")
        if factor > 1:
            got = got.reduce(factor)
        _reductions.put(key, got)
    return got


def _image_tile(
    layer: ImageLayer, size: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The layer's picture cropped, fitted, scaled and rotated: (rgb, alpha, x0, y0)."""
    w, h = size
    c = layer.crop
    key = (layer.image.sha256, c, layer.scale, layer.fit, layer.rotation, layer.opacity, size)
    tile = _image_tiles.get(key)
    if tile is None:
        src = images.rgba(layer.image)
        fw, fh = layer.fit  # a slot: scale 1.0 fits the slot, not the whole area
        fit = min(w * fw / (c.width * src.width), h * fh / (c.height * src.height)) * layer.scale
        # A big photo shown small (a 2400 px upload in a 300 px preview) is first reduced
        # by a whole factor, cached per photo, so each zoom or crop step works on a copy a
        # few times the tile's size, not on every pixel of the original.
        factor = max(1, int(1 / (fit * _OVERSAMPLE)))
        src = _reduced(layer.image, src, factor)
        fit *= factor
        # crop first: resizing with a box would blend in pixels from outside the crop
        left, top = round(c.x * src.width), round(c.y * src.height)
        right = max(left + 1, round((c.x + c.width) * src.width))
        bottom = max(top + 1, round((c.y + c.height) * src.height))
        cropped = src.crop((left, top, right, bottom))
        tw, th = max(1, round(cropped.width * fit)), max(1, round(cropped.height * fit))
        im = cropped.resize((tw, th), Image.Resampling.LANCZOS, reducing_gap=3.0)
        if layer.rotation:
            im = im.rotate(-layer.rotation, Image.Resampling.BICUBIC, expand=True)
        arr = np.asarray(im.convert("RGBA"), np.float32) / 255.0
        rgb = np.ascontiguousarray(arr[..., :3])
        a = np.ascontiguousarray(arr[..., 3] * layer.opacity)
        rgb.setflags(write=False)
        a.setflags(write=False)
        tile = (rgb, a)
        _image_tiles.put(key, tile)
    rgb, a = tile
    x0 = round(layer.x * w - a.shape[1] / 2)
    y0 = round(layer.y * h - a.shape[0] / 2)
    return rgb, a, x0, y0


def _union(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _padded(a: np.ndarray, margin: int) -> np.ndarray:
    return np.pad(a, margin) if margin else a


def _padded3(a: np.ndarray, margin: int) -> np.ndarray:
    return np.pad(a, ((margin, margin), (margin, margin), (0, 0))) if margin else a


def _intersect(x0: int, y0: int, shape: tuple[int, ...], margin: int, size: tuple[int, int]):
    """Slices of the canvas and of the (padded) tile where they overlap, or None."""
    th, tw = shape[0] + 2 * margin, shape[1] + 2 * margin
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(size[0], x0 + tw), min(size[1], y0 + th)
    if cx1 <= cx0 or cy1 <= cy0:
        return None
    canvas = (slice(cy0, cy1), slice(cx0, cx1))
    tile = (slice(cy0 - y0, cy1 - y0), slice(cx0 - x0, cx1 - x0))
    return canvas, tile


def _to_u8(a: np.ndarray) -> np.ndarray:
    out = np.multiply(a, 255.0, dtype=np.float32)
    out += 0.5
    np.clip(out, 0.0, 255.0, out=out)
    return out.astype(np.uint8)
