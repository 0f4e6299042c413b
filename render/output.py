"""The engine's three products: a preview picture, production files, a 3D texture."""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from render import compose, engrave, images, pdf, preflight, press
from render.errors import SpecError
from render.profiles import DEFAULT as DEFAULT_PROFILE
from render.profiles import PrintProfile
from render.spec import DesignSpec, PrintArea, parse_spec

PREVIEW_FORMATS = ("webp", "jpeg", "png")
WEBP_METHOD = 0  # libwebp's fastest setting: ~5x faster than the default for ~40 % more bytes
MAX_PREVIEW_WIDTH = 4096
MAX_PRODUCTION_PIXELS = 120_000_000
_photos = images.Shelf("photos")
# photo pixels under an area, as floats, and their lighting
_area_bases = images.Shelf("area_bases")

Spec = Mapping[str, Any] | DesignSpec


@dataclass(frozen=True)
class ProductionFile:
    """Print-ready files for one print area at its physical size."""

    area_id: str
    png: bytes
    pdf: bytes
    width_px: int
    height_px: int
    dpi: int
    width_mm: float
    height_mm: float
    # every file of the area's print profile by output name (png, pdf, pdfx4, svg, dxf,
    # vector-pdf), the profile and the preflight findings, for the production manifest
    files: Mapping[str, bytes] = dataclasses.field(default_factory=dict)
    profile: PrintProfile = DEFAULT_PROFILE
    findings: tuple[preflight.Finding, ...] = ()


MEDIA_TYPES = {
    "png": ("png", "image/png"),
    "pdf": ("pdf", "application/pdf"),
    "pdfx4": ("x4.pdf", "application/pdf"),
    "svg": ("svg", "image/svg+xml"),
    "dxf": ("dxf", "image/vnd.dxf"),
    "photo": ("photo.png", "image/png"),  # engraving: the pictures the SVG/DXF/PDF place
    "vector-pdf": ("vector.pdf", "application/pdf"),
}


def preview(spec: Spec, width: int = 1200, fmt: str = "webp", quality: int = 85) -> bytes:
    """The product photo scaled to ``width`` px with every print area's design on it.

    Without a product image, a blank of the product's background colour and aspect
    stands in. ``fmt`` is ``webp``, ``jpeg`` or ``png``. Raises ``SpecError``.
    """
    design = parse_spec(spec)
    if fmt not in PREVIEW_FORMATS:
        raise SpecError("bad_value", f"format must be one of {', '.join(PREVIEW_FORMATS)}", "fmt")
    if not (1 <= int(quality) <= 100):
        raise SpecError("bad_value", "quality must be 1..100", "quality")
    if not (16 <= int(width) <= MAX_PREVIEW_WIDTH):
        raise SpecError("bad_value", f"width must be 16..{MAX_PREVIEW_WIDTH}", "width")
    canvas = preview_image(design, int(width))
    return encode(canvas, fmt, quality)


def preview_image(design: DesignSpec, width: int) -> Image.Image:
    """The preview as an RGB Pillow image (what ``preview`` encodes)."""
    canvas = _product_photo(design, width).copy()
    for area in design.print_areas:
        if design.layers_in(area.id):
            _composite_area(canvas, design, area)
    return canvas


def encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    """Encode an RGB preview (``webp`` / ``jpeg`` / ``png``) with our speed settings."""
    buf = io.BytesIO()
    if fmt == "webp":
        image.save(buf, "WEBP", quality=quality, method=WEBP_METHOD)
    elif fmt == "jpeg":
        image.save(buf, "JPEG", quality=quality, optimize=False)
    else:
        image.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


def production(
    spec: Spec, area_id: str | None = None, dpi: int | None = None, title: str | None = None
) -> ProductionFile:
    """Print files for ``area_id`` (default: the first area) at its size in mm.

    The area's print profile decides the files (``ProductionFile.files``): the PNG is
    ``round(mm / 25.4 * dpi)`` pixels each way (``dpi`` defaults to the profile's) with a
    transparent background and the dpi recorded; ``pdf`` holds the same pixels losslessly
    on a page of the area's size; ``pdfx4`` is the press-ready CMYK PDF/X-4 with bleed and
    vector text; ``svg`` / ``dxf`` / ``vector-pdf`` are the outlined engraving files.
    Materials come out as a solid engraving mask in the PNG.
    """
    design = parse_spec(spec)
    area = design.area(area_id)
    profile = area.profile
    dpi = profile.dpi if dpi is None else dpi
    if not (72 <= dpi <= 1200):
        raise SpecError("bad_value", "dpi must be 72..1200", "dpi")
    w, h = production_size(area, dpi)
    if w * h > MAX_PRODUCTION_PIXELS:
        raise SpecError("bad_value", f"{w}x{h} px is too large to render; lower the dpi", "dpi")
    title = title or f"Luneo {area.id}"
    image = compose.render_area(design, area, (w, h), None, "production").to_image()
    buf = io.BytesIO()
    image.save(buf, "PNG", dpi=(dpi, dpi), compress_level=3)
    files: dict[str, bytes] = {"png": buf.getvalue()}
    outputs = profile.outputs
    if "pdf" in outputs or not {"pdfx4", "vector-pdf"} & set(outputs):
        files["pdf"] = pdf.image_pdf(image, area.width_mm, area.height_mm, title)
    if "pdfx4" in outputs:
        files["pdfx4"] = press.pdfx4(design, area, (w, h), title)
    photo = None
    if {"svg", "dxf", "vector-pdf"} & set(outputs):
        # pictures have no vector form: the engraving files place them as a raster, and the
        # DXF refers to this file beside it
        photo = engrave.photo_raster(design, area, (w, h))
        if photo is not None:
            files["photo"] = photo.png
    if "svg" in outputs:
        files["svg"] = engrave.svg(design, area, (w, h), title, photo)
    if "dxf" in outputs:
        files["dxf"] = engrave.dxf(design, area, (w, h), photo)
    if "vector-pdf" in outputs:
        files["vector-pdf"] = engrave.vector_pdf(design, area, (w, h), title, photo)
    return ProductionFile(
        area_id=area.id,
        png=files["png"],
        pdf=files.get("pdf") or files.get("pdfx4") or files["vector-pdf"],
        width_px=w,
        height_px=h,
        dpi=dpi,
        width_mm=area.width_mm,
        height_mm=area.height_mm,
        files=files,
        profile=profile,
        findings=tuple(preflight.check_area(design, area)),
    )


def production_size(area: PrintArea, dpi: int = 300) -> tuple[int, int]:
    """Pixel size of a print area at ``dpi``: ``round(mm / 25.4 * dpi)`` each way."""
    return max(1, round(area.width_mm / 25.4 * dpi)), max(1, round(area.height_mm / 25.4 * dpi))


def texture(
    spec: Spec, area_id: str | None = None, size_px: int | tuple[int, int] = 1024
) -> Image.Image:
    """The design of one print area alone as RGBA (transparent background), for 3D.

    An int ``size_px`` is the width; the height follows the area's mm aspect.
    Materials keep their look (metal, frost ...) without any product photo.
    """
    design = parse_spec(spec)
    area = design.area(area_id)
    if isinstance(size_px, int):
        size = (size_px, max(1, round(size_px * area.height_mm / area.width_mm)))
    else:
        size = (int(size_px[0]), int(size_px[1]))
    if not (1 <= size[0] <= 8192 and 1 <= size[1] <= 8192):
        raise SpecError("bad_value", "texture size must be 1..8192 px", "size_px")
    return compose.render_area(design, area, size, None, "texture").to_image()


def _product_photo(design: DesignSpec, width: int) -> Image.Image:
    """The product photo (or blank) at ``width``, cached by content. Do not mutate."""
    product = design.product
    key = _photo_key(design, width)
    cached = _photos.get(key)
    if cached is not None:
        return cached
    if product.image is None:
        height = max(1, round(width / product.aspect))
        photo = Image.new("RGB", (width, height), product.background)
    else:
        src = images.rgba(product.image)
        height = max(1, round(width * src.height / src.width))
        flat = Image.new("RGB", src.size, product.background)
        flat.paste(src, mask=src.getchannel("A"))
        photo = flat.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    _photos.put(key, photo)
    return photo


def _photo_key(design: DesignSpec, width: int) -> tuple:
    product = design.product
    if product.image is None:
        return ("blank", product.background, product.aspect, width)
    return (product.image.sha256, product.background, width)


def _composite_area(canvas: Image.Image, design: DesignSpec, area: PrintArea) -> None:
    """Render ``area`` at preview scale and paint it onto ``canvas`` in place."""
    width, height = canvas.size
    bx, by, bw, bh = area.x * width, area.y * height, area.width * width, area.height * height
    if area.rotation % 360 == 0:
        x0, y0 = round(bx), round(by)
        x1, y1 = max(x0 + 1, round(bx + bw)), max(y0 + 1, round(by + bh))
        key = (_photo_key(design, width), (x0, y0, x1, y1))
        cached = _area_bases.get(key)
        if cached is None:
            base = np.asarray(canvas.crop((x0, y0, x1, y1)), np.float32) * (1 / 255.0)
            base.setflags(write=False)
            cached = (base, compose.shading(base))
            _area_bases.put(key, cached)
        base, shade = cached
        size = (x1 - x0, y1 - y0)
        pixels = compose.render_area(design, area, size, base, "preview", shade, key)
        if pixels.box is not None:  # paste only what the layers touched, in C
            bx0, by0, _, _ = pixels.box
            design_im = pixels.to_image(pixels.box)
            canvas.paste(design_im, (x0 + bx0, y0 + by0), design_im)
        return
    # rotated area: sample the photo into the area's upright frame, render, rotate back
    cw, ch = max(1, round(bw)), max(1, round(bh))
    cx, cy = bx + bw / 2, by + bh / 2
    t = math.radians(area.rotation)
    cos, sin = math.cos(t), math.sin(t)
    to_photo = (
        cos,
        -sin,
        cx - cos * cw / 2 + sin * ch / 2,
        sin,
        cos,
        cy - sin * cw / 2 - cos * ch / 2,
    )
    upright = canvas.transform(
        (cw, ch), Image.Transform.AFFINE, to_photo, Image.Resampling.BILINEAR
    )
    base = np.asarray(upright, np.float32) * (1 / 255.0)
    pixels = compose.render_area(design, area, (cw, ch), base, "preview")
    # premultiplied RGBa resamples without dark fringes
    rgba = np.concatenate([pixels.rgb, pixels.alpha[..., None]], axis=-1)
    design_im = Image.fromarray(compose._to_u8(rgba), "RGBa")
    ex = (abs(cw * cos) + abs(ch * sin)) / 2 + 2
    ey = (abs(cw * sin) + abs(ch * cos)) / 2 + 2
    px0, py0 = math.floor(cx - ex), math.floor(cy - ey)
    pw, ph = math.ceil(cx + ex) - px0, math.ceil(cy + ey) - py0
    # inverse map: photo pixel -> upright canvas pixel
    dx, dy = px0 - cx, py0 - cy
    to_area = (cos, sin, cos * dx + sin * dy + cw / 2, -sin, cos, -sin * dx + cos * dy + ch / 2)
    back = design_im.transform((pw, ph), Image.Transform.AFFINE, to_area, Image.Resampling.BILINEAR)
    canvas.paste(back.convert("RGBA"), (px0, py0), back.convert("RGBA"))
