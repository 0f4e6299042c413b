"""Preflight: what a print shop would flag in a design before it is produced.

Per print area, against its print profile: the effective resolution of every photo at its
placed size, the smallest text height, content outside the safe zone, colours the press
cannot reach (CMYK profiles), characters drawn with a fallback font, and pictures that an
engraving profile cannot turn into vectors. Each finding is a warning, or an error when the
profile lists its code in ``block`` (the app then refuses the design).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageCms
from scipy import ndimage

from render import fonts, images, outline, text
from render.spec import DesignSpec, ImageLayer, PrintArea, TextLayer

CHECK_PX_PER_MM = 4.0  # layout resolution for the geometric checks (~100 dpi)
GAMUT_DELTA_E = 10.0  # CIE76 ΔE beyond which a colour visibly changes in CMYK
GAMUT_SHARE = 0.05  # a photo is flagged when this share of it is out of gamut
SEE_THROUGH_SHARE = 0.10  # a picture is flagged when this share of it is partly transparent
STROKE_PX = 5.0  # the stroke floor spans this many pixels in the stroke check
STROKE_MAX_PX = 6_000_000  # the stroke check's raster stays under this many pixels
STROKE_PERCENTILE = 5  # the thinnest stroke ignores the thinnest 5 % (terminals, joins)
_lock = threading.Lock()


@dataclass(frozen=True)
class Finding:
    """One preflight result. ``layer`` indexes ``DesignSpec.layers`` (None: the area)."""

    code: str
    severity: str  # "warning" | "error"
    message: str
    area: str
    layer: int | None = None
    value: float | None = None

    def as_json(self) -> dict:
        """camelCase JSON for manifests and API answers."""
        out = {"code": self.code, "severity": self.severity, "message": self.message}
        out["printArea"] = self.area
        if self.layer is not None:
            out["layer"] = self.layer
        if self.value is not None:
            out["value"] = round(self.value, 2)
        return out


def check(design: DesignSpec) -> list[Finding]:
    """Preflight every print area that has layers."""
    out: list[Finding] = []
    for area in design.print_areas:
        if design.layers_in(area.id):
            out.extend(check_area(design, area))
    return out


def check_area(design: DesignSpec, area: PrintArea) -> list[Finding]:
    """Preflight one print area against its profile."""
    profile = area.profile
    found: list[Finding] = []
    canvas = (
        max(1, round(area.width_mm * CHECK_PX_PER_MM)),
        max(1, round(area.height_mm * CHECK_PX_PER_MM)),
    )
    sx, sy = area.width_mm / canvas[0], area.height_mm / canvas[1]
    safe = area.safe_box_mm()

    def add(code: str, message: str, layer: int | None, value: float | None = None) -> None:
        severity = "error" if code in profile.block else "warning"
        found.append(Finding(code, severity, message, area.id, layer, value))

    for index, layer in enumerate(design.layers):
        if layer.print_area != area.id:
            continue
        if isinstance(layer, TextLayer):
            shape = outline.text_outline(layer, canvas, CHECK_PX_PER_MM, index, profile.safe_mm)
            box = shape.bounds
            cap_mm = shape.font_px / CHECK_PX_PER_MM * _cap_ratio(layer.font)
            if cap_mm < profile.min_text_mm:
                add(
                    "text_too_small",
                    f"text is {cap_mm:.2f} mm high (capitals); this print needs at least "
                    f"{profile.min_text_mm:g} mm",
                    index,
                    cap_mm,
                )
            if profile.min_stroke_mm > 0 and box is not None:
                stroke = thinnest_stroke_mm(layer, area, box)
                process = _PROCESS.get(profile.kind, "print")
                if stroke is not None and stroke < profile.min_stroke_mm:
                    add(
                        "stroke_too_thin",
                        f"the thinnest strokes of the letters are {stroke:.2f} mm wide; this "
                        f"{process} needs at least {profile.min_stroke_mm:g} mm: "
                        "use a bolder font or a larger size",
                        index,
                        stroke,
                    )
            fallback = {
                f for line in layer.text.split("\n") for f, _ in fonts.runs(layer.font, line)
            }
            if fallback - {layer.font}:
                add(
                    "font_fallback",
                    f"some characters are not in {fonts.get(layer.font).name} and are drawn "
                    f"with {', '.join(sorted(fallback - {layer.font}))}",
                    index,
                )
            if profile.color_space == "cmyk" and layer.material is None:
                de = _gamut_delta(layer.color, profile.icc or "fogra39")
                if de > GAMUT_DELTA_E:
                    add(
                        "out_of_gamut",
                        f"the text colour changes visibly in CMYK print (ΔE {de:.0f})",
                        index,
                        de,
                    )
        else:
            box = _image_box(layer, canvas)
            dpi = effective_dpi(layer, area)
            if dpi < profile.min_photo_dpi:
                add(
                    "low_photo_resolution",
                    f"the photo prints at {dpi:.0f} dpi; this print needs "
                    f"{profile.min_photo_dpi} dpi: use a larger photo or place it smaller",
                    index,
                    dpi,
                )
            if profile.vector:
                add(
                    "photo_not_vector",
                    "a photo has no vector paths: the engraving files place it as a "
                    "greyscale raster",
                    index,
                )
            see_through = _see_through_share(layer)
            if not profile.vector and layer.material is None and see_through > SEE_THROUGH_SHARE:
                add(
                    "semi_transparent",
                    f"{see_through:.0%} of the picture is partly see-through: it prints lighter "
                    "than on screen, and the product's own colour shows through it",
                    index,
                    see_through * 100,
                )
            if profile.color_space == "cmyk" and layer.material is None:
                share = _photo_gamut_share(layer, profile.icc or "fogra39")
                if share > GAMUT_SHARE:
                    add(
                        "out_of_gamut",
                        f"{share:.0%} of the photo has colours the press cannot print",
                        index,
                        share * 100,
                    )
        if box is not None and profile.safe_mm > 0:
            x0, y0, x1, y1 = box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy
            over = max(safe[0] - x0, safe[1] - y0, x1 - safe[2], y1 - safe[3])
            if over > 0.05:
                add(
                    "outside_safe_zone",
                    f"content reaches {over:.1f} mm past the safe zone "
                    f"({profile.safe_mm:g} mm from the edge) and may be trimmed",
                    index,
                    over,
                )
    return found


_PROCESS = {
    "engraving": "engraving",
    "uv": "UV print",
    "print-srgb": "print",
    "print-cmyk": "print",
}


def thinnest_stroke_mm(
    layer: TextLayer, area: PrintArea, box: tuple[float, float, float, float]
) -> float | None:
    """The width in mm of the thinnest strokes of a text layer as printed (None: no ink).

    The text is drawn by the raster engine at a resolution where the profile's floor spans
    a few pixels (less for very large text, so the check stays small); the stroke width is
    twice the distance from the stroke's centre line (the ridge of the distance transform,
    pixels not lower than any neighbour) to the nearest blank pixel. The thinnest 5 % of
    ridge pixels are ignored: tapered terminals and joins are no stroke a tool must make.
    """
    floor = area.profile.min_stroke_mm
    ink_mm2 = max(1e-6, (box[2] - box[0]) * (box[3] - box[1])) / CHECK_PX_PER_MM**2
    px_per_mm = STROKE_PX / floor
    px_per_mm = min(px_per_mm, math.sqrt(STROKE_MAX_PX / ink_mm2))
    px_per_mm = max(px_per_mm, CHECK_PX_PER_MM)
    canvas = (
        max(1, round(area.width_mm * px_per_mm)),
        max(1, round(area.height_mm * px_per_mm)),
    )
    placed = text.render_text(layer, canvas, px_per_mm, area.profile.safe_mm)
    ink = (placed.mask >= 0.5).astype(np.uint8)
    if not ink.any():
        return None
    ink = np.pad(ink, 1)
    dist = ndimage.distance_transform_edt(ink)
    ridge = (dist > 0) & (dist >= ndimage.maximum_filter(dist, size=3))
    # a stroke n pixels wide has centre pixels n/2 (+/- 0.5) from the nearest blank one
    widths = 2 * dist[ridge] - 0.5
    return float(np.percentile(widths, STROKE_PERCENTILE)) / px_per_mm


@lru_cache(maxsize=32)
def _cap_ratio(font_id: str) -> float:
    with outline._lock(font_id):  # fontTools tables load on first use: one thread at a time
        tt, _font, upem = outline._face(font_id)
        cap = getattr(tt["OS/2"], "sCapHeight", 0) or int(upem * 0.7)
    return cap / upem


def effective_dpi(layer: ImageLayer, area: PrintArea) -> float:
    """Source pixels per inch of the photo at its placed size (what the print file gets).

    The app refuses photos below their option's ``minDpi`` with this same figure."""
    src_w = layer.image.width * layer.crop.width
    src_h = layer.image.height * layer.crop.height
    fw, fh = layer.fit
    fit_mm = min(area.width_mm * fw / src_w, area.height_mm * fh / src_h) * layer.scale
    return 25.4 / fit_mm


def _image_box(layer: ImageLayer, canvas: tuple[int, int]) -> tuple[float, float, float, float]:
    w, h = canvas
    src_w = layer.image.width * layer.crop.width
    src_h = layer.image.height * layer.crop.height
    fit = min(w * layer.fit[0] / src_w, h * layer.fit[1] / src_h) * layer.scale
    tw, th = src_w * fit, src_h * fit
    t = math.radians(layer.rotation)
    bw = abs(tw * math.cos(t)) + abs(th * math.sin(t))
    bh = abs(tw * math.sin(t)) + abs(th * math.cos(t))
    cx, cy = layer.x * w, layer.y * h
    return (cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2)


@lru_cache(maxsize=4)
def _lab_transforms(icc: str):
    from render.press import PrintProfile

    path = str(PrintProfile(icc=icc, color_space="cmyk").icc_path())
    srgb, lab, press_icc = (
        ImageCms.createProfile("sRGB"),
        ImageCms.createProfile("LAB"),
        ImageCms.getOpenProfile(path),
    )
    intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
    to_lab = ImageCms.buildTransform(srgb, lab, "RGB", "LAB", renderingIntent=intent)
    proof = ImageCms.buildTransform(
        srgb,
        press_icc,
        "RGB",
        "CMYK",
        renderingIntent=intent,
        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    back = ImageCms.buildTransform(press_icc, lab, "CMYK", "LAB", renderingIntent=intent)
    return to_lab, proof, back


def _delta_e(rgb: Image.Image, icc: str) -> np.ndarray:
    to_lab, proof, back = _lab_transforms(icc)
    with _lock:
        want = ImageCms.applyTransform(rgb, to_lab)
        got = ImageCms.applyTransform(ImageCms.applyTransform(rgb, proof), back)
    a = _lab(want)
    b = _lab(got)
    return np.sqrt(((a - b) ** 2).sum(axis=-1))


def _lab(im: Image.Image) -> np.ndarray:
    arr = np.asarray(im, np.float32)
    out = arr.copy()
    out[..., 0] = arr[..., 0] * (100 / 255)
    out[..., 1:] = arr[..., 1:] - 128  # Pillow's LAB mode stores a, b offset by 128
    return out


def _gamut_delta(color: tuple[int, int, int], icc: str) -> float:
    return float(_delta_e(Image.new("RGB", (1, 1), color), icc)[0, 0])


def _see_through_share(layer: ImageLayer) -> float:
    """The share of the picture's visible pixels (of its crop) that are partly transparent
    (5..95 % opaque, the layer's opacity included): soft edges and glows an AI model paints,
    or a faded layer. A clean cut-out's anti-aliased rim stays far below the threshold."""
    src = images.rgba(layer.image)
    if layer.opacity >= 0.95 and src.getchannel("A").getextrema()[0] >= 242:
        return 0.0  # opaque (a photo): nothing to measure
    c = layer.crop
    box = (
        round(c.x * src.width),
        round(c.y * src.height),
        max(round((c.x + c.width) * src.width), round(c.x * src.width) + 1),
        max(round((c.y + c.height) * src.height), round(c.y * src.height) + 1),
    )
    alpha = np.asarray(src.getchannel("A").crop(box).resize((128, 128)), np.float32) / 255
    alpha *= layer.opacity
    visible = alpha > 0.05
    if not visible.any():
        return 0.0
    return float((visible & (alpha < 0.95)).sum() / visible.sum())


def _photo_gamut_share(layer: ImageLayer, icc: str) -> float:
    src = images.rgba(layer.image)
    thumb = src.convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    alpha = np.asarray(src.getchannel("A").resize((64, 64)), np.float32) > 127
    de = _delta_e(thumb, icc)
    visible = alpha.sum()
    return float(((de > GAMUT_DELTA_E) & alpha).sum() / visible) if visible else 0.0
