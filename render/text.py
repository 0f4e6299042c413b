"""Set a text layer into a coverage mask: size or auto-fit, alignment, tracking, arc, rotation.

All lengths are pixels of the canvas being rendered; ``px_per_mm`` links them to the
physical print size, so a preview and a production file set the same text alike.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from render import fonts
from render.errors import SpecError
from render.spec import TextLayer

MM_PER_PT = 25.4 / 72.0
MIN_PT = 4.0  # smaller than this is not legible once engraved or printed
FIT_MARGIN = 0.90  # auto-fit fills at most this share of the free width/height
_REF_PX = 200


@dataclass(frozen=True)
class PlacedMask:
    """A text mask (float 0..1) whose top-left corner sits at ``(x0, y0)`` on the canvas."""

    mask: np.ndarray
    x0: int
    y0: int
    font_px: float


@dataclass(frozen=True)
class _Line:
    clusters: tuple[tuple[str, str, float], ...]  # (font_id, cluster, x offset)
    width: float


def font_px_for(
    layer: TextLayer, canvas: tuple[int, int], px_per_mm: float, safe_mm: float = 0.0
) -> float:
    """The em size in pixels: ``size`` points at print size, or the auto-fitted size.

    Auto-fit keeps the text inside the print profile's safe zone (``safe_mm`` from
    every edge).
    """
    if layer.size_pt is not None and not layer.auto_fit:
        return layer.size_pt * MM_PER_PT * px_per_mm
    w, h = _extent(layer, _REF_PX)
    inset = safe_mm * px_per_mm
    free_w = max(0.0, 2 * min(layer.x * canvas[0], (1 - layer.x) * canvas[0]) - 2 * inset)
    free_h = max(0.0, 2 * min(layer.y * canvas[1], (1 - layer.y) * canvas[1]) - 2 * inset)
    free_w, free_h = free_w * FIT_MARGIN, free_h * FIT_MARGIN
    px = _REF_PX * min(free_w / max(w, 1e-6), free_h / max(h, 1e-6))
    if layer.size_pt is not None:  # autoFit with a size: the size is the upper bound
        px = min(px, layer.size_pt * MM_PER_PT * px_per_mm)
    if px < MIN_PT * MM_PER_PT * px_per_mm:
        raise SpecError(
            "text_does_not_fit",
            f"the text only fits below {MIN_PT:g} pt; shorten it or use a bigger print area",
            "text",
        )
    return px


def line_width(layer: TextLayer, size_px: int) -> float:
    """The widest line of ``layer`` set at ``size_px`` (tracking included, no arc)."""
    return max(line.width for line in _layout(layer, size_px))


def render_text(
    layer: TextLayer, canvas: tuple[int, int], px_per_mm: float, safe_mm: float = 0.0
) -> PlacedMask:
    """Lay out ``layer`` on a canvas of ``canvas`` (w, h) pixels and return its mask."""
    px = font_px_for(layer, canvas, px_per_mm, safe_mm)
    size = max(1, round(px))
    lines = _layout(layer, size)
    if layer.curve:
        tile = _draw_arc(layer, lines, size)
    else:
        tile = _draw_straight(layer, lines, size)
    if layer.rotation:
        tile = tile.rotate(-layer.rotation, Image.Resampling.BICUBIC, expand=True)
    cx, cy = layer.x * canvas[0], layer.y * canvas[1]
    x0, y0 = round(cx - tile.width / 2), round(cy - tile.height / 2)
    ink = tile.getbbox()  # the layout pads generously; effects only need the ink
    if ink:
        tile = tile.crop(ink)
        x0, y0 = x0 + ink[0], y0 + ink[1]
    return PlacedMask(np.asarray(tile, np.float32) * (1 / 255.0), x0, y0, px)


def _clusters(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _layout(layer: TextLayer, size: int) -> list[_Line]:
    tracking = layer.letter_spacing * size
    per_cluster = bool(tracking) or bool(layer.curve)
    lines = []
    for text in layer.text.split("\n"):
        clusters: list[tuple[str, str, float]] = []
        x, n = 0.0, 0
        for font_id, chunk in fonts.runs(layer.font, text):
            font = fonts.load(font_id, size)
            if not per_cluster:
                clusters.append((font_id, chunk, x))
            else:
                # offsets from prefix advances keep the font's pair kerning
                prefix = ""
                for cl in _clusters(chunk):
                    offset = font.getlength(prefix) if prefix else 0.0
                    clusters.append((font_id, cl, x + offset + n * tracking))
                    prefix += cl
                    n += 1
            x += font.getlength(chunk)
        width = x + tracking * max(n - 1, 0)
        lines.append(_Line(tuple(clusters), width))
    return lines


def _metrics(layer: TextLayer, size: int) -> tuple[int, int, float]:
    ascent, descent = fonts.load(layer.font, size).getmetrics()
    return ascent, descent, layer.line_height * size


def _extent(layer: TextLayer, size: int) -> tuple[float, float]:
    """Width and height of the laid-out block (arc and rotation included) at ``size``."""
    lines = _layout(layer, size)
    ascent, descent, lh = _metrics(layer, size)
    w = max(line.width for line in lines)
    h = ascent + descent + lh * (len(lines) - 1)
    theta = math.radians(abs(layer.curve))
    if theta > 1e-3:
        r = w / theta
        half = min(theta / 2, math.pi)
        chord = 2 * r * math.sin(min(half, math.pi / 2))
        sag = r * (1 - math.cos(half))
        w, h = chord + 2 * h * math.sin(min(half, math.pi / 2)), h + sag
    if layer.rotation:
        a = math.radians(layer.rotation)
        c, s = abs(math.cos(a)), abs(math.sin(a))
        w, h = w * c + h * s, w * s + h * c
    return w, h


def _line_x(layer: TextLayer, line: _Line, block_w: float) -> float:
    if layer.align == "left":
        return 0.0
    if layer.align == "right":
        return block_w - line.width
    return (block_w - line.width) / 2


def _draw_straight(layer: TextLayer, lines: list[_Line], size: int) -> Image.Image:
    ascent, descent, lh = _metrics(layer, size)
    block_w = max(line.width for line in lines)
    pad = size // 2 + 2
    height = ascent + descent + lh * (len(lines) - 1)
    tile = Image.new("L", (math.ceil(block_w) + 2 * pad, math.ceil(height) + 2 * pad), 0)
    draw = ImageDraw.Draw(tile)
    for i, line in enumerate(lines):
        left = pad + _line_x(layer, line, block_w)
        baseline = pad + ascent + i * lh
        for font_id, chunk, x in line.clusters:
            draw.text(
                (left + x, baseline), chunk, fill=255, font=fonts.load(font_id, size), anchor="ls"
            )
    return tile


def _draw_arc(layer: TextLayer, lines: list[_Line], size: int) -> Image.Image:
    """Bend each line along concentric arcs; ``curve`` > 0 smiles, < 0 frowns."""
    ascent, descent, lh = _metrics(layer, size)
    block_w = max(line.width for line in lines)
    theta = math.radians(abs(layer.curve))
    radius = max(block_w, 1.0) / theta
    smile = layer.curve > 0
    glyphs: list[tuple[Image.Image, float, float]] = []
    g = size * 2 + 4  # glyph tile: baseline centre at its middle
    for i, line in enumerate(lines):
        r = radius + i * lh if smile else radius - i * lh
        if r <= size * 0.2:
            continue
        left = _line_x(layer, line, block_w)
        for font_id, chunk, x in line.clusters:
            font = fonts.load(font_id, size)
            adv = font.getlength(chunk)
            s = left + x + adv / 2 - block_w / 2  # arc length from the middle
            phi = s / r
            tile = Image.new("L", (g, g), 0)
            ImageDraw.Draw(tile).text((g / 2, g / 2), chunk, fill=255, font=font, anchor="ms")
            if smile:
                px, py = r * math.sin(phi), -radius + r * math.cos(phi)
                tile = tile.rotate(math.degrees(phi), Image.Resampling.BICUBIC)
            else:
                px, py = r * math.sin(phi), radius - r * math.cos(phi)
                tile = tile.rotate(-math.degrees(phi), Image.Resampling.BICUBIC)
            glyphs.append((tile, px, py))
    if not glyphs:
        raise SpecError("text_does_not_fit", "the curve is too tight for this text", "curve")
    xs = [px for _, px, _ in glyphs]
    ys = [py for _, _, py in glyphs]
    minx, maxx = min(xs) - g / 2, max(xs) + g / 2
    miny, maxy = min(ys) - g / 2, max(ys) + g / 2
    out = Image.new("L", (math.ceil(maxx - minx) + 1, math.ceil(maxy - miny) + 1), 0)
    for tile, px, py in glyphs:
        box = (round(px - g / 2 - minx), round(py - g / 2 - miny))
        region = out.crop((box[0], box[1], box[0] + g, box[1] + g))
        out.paste(ImageChops.lighter(region, tile), box)
    # centre on the ink (pixels at least half covered), keeping the faint fringe around it:
    # the vector outlines (render.outline) centre on their exact bounds the same way
    ink = out.point(lambda v: 255 if v > 127 else 0).getbbox()
    if not ink:
        return out
    m = 3
    return out.crop((ink[0] - m, ink[1] - m, ink[2] + m, ink[3] + m))
