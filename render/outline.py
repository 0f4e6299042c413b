"""Text layers as vector outlines, placed exactly where the raster engine draws them.

The line and cluster layout (font size, alignment, tracking, fallback runs, arc) is the
one ``render.text`` computes for the raster; each run is then shaped with HarfBuzz
(uharfbuzz, the shaper Pillow's Raqm layout uses too) and its glyphs drawn through a
fontTools pen. Coordinates are canvas pixels of a ``canvas`` (w, h) rendering, y down;
``to_mm`` turns them into millimetres of the print area.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import uharfbuzz as hb
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import DecomposingRecordingPen, RecordingPen
from fontTools.pens.transformPen import TransformPen  # noqa: F401 - used by press
from fontTools.ttLib import TTFont

from render import fonts, text
from render.spec import PrintArea, TextLayer

Affine = tuple[float, float, float, float, float, float]  # x' = a x + c y + e; y' = b x + d y + f
Commands = tuple[tuple[str, tuple[tuple[float, float], ...]], ...]


@dataclass(frozen=True)
class TextOutline:
    """A text layer's glyph outlines as pen commands (moveTo/lineTo/qCurveTo/curveTo/closePath)."""

    layer_index: int
    commands: Commands
    bounds: tuple[float, float, float, float] | None  # (x0, y0, x1, y1), y down
    font_px: float
    color: tuple[int, int, int]
    material: str | None


# fontTools decompiles tables and glyphs on first use and is not safe to share between
# threads while it does (web processes run several request threads): each font is used
# under its own lock.
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(font_id: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(font_id, threading.Lock())


@lru_cache(maxsize=32)
def _face(font_id: str) -> tuple[TTFont, hb.Font, int]:
    path = str(fonts.get(font_id).path)
    tt = TTFont(path, lazy=True)
    blob = hb.Blob.from_file_path(path)
    font = hb.Font(hb.Face(blob))
    upem = tt["head"].unitsPerEm
    font.scale = (upem, upem)
    return tt, font, upem


def _mul(m: Affine, n: Affine) -> Affine:
    """``m`` after ``n``."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


def _rotate(degrees_cw: float) -> Affine:
    """Clockwise on screen (y down) by ``degrees_cw``."""
    t = math.radians(degrees_cw)
    return (math.cos(t), math.sin(t), -math.sin(t), math.cos(t), 0.0, 0.0)


def _chunk(pen: RecordingPen, font_id: str, chunk: str, size: int, at: Affine) -> float:
    """Draw ``chunk`` shaped at ``size`` px with its origin (left, baseline) mapped by
    ``at``; returns its advance in px."""
    with _lock(font_id):
        return _draw_chunk(pen, font_id, chunk, size, at)


def _draw_chunk(pen: RecordingPen, font_id: str, chunk: str, size: int, at: Affine) -> float:
    tt, font, upem = _face(font_id)
    buf = hb.Buffer()
    buf.add_str(chunk)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    glyphs = tt.getGlyphSet()
    order = tt.getGlyphOrder()
    k = size / upem
    x = 0.0
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        gx, gy = (x + pos.x_offset) * k, -pos.y_offset * k
        # font units, y up -> px, y down, then the caller's placement
        glyph_to_px: Affine = (k, 0.0, 0.0, -k, gx, gy)
        flat = DecomposingRecordingPen(glyphs)  # accented letters are composites
        glyphs[order[info.codepoint]].draw(flat)
        flat.replay(TransformPen(pen, _mul(at, glyph_to_px)))
        x += pos.x_advance
    return x * k


def text_outline(
    layer: TextLayer,
    canvas: tuple[int, int],
    px_per_mm: float,
    layer_index: int = 0,
    safe_mm: float = 0.0,
) -> TextOutline:
    """The outlines of ``layer`` on a canvas of ``canvas`` px, as ``render.text`` places it
    (``safe_mm``: the print profile's safe zone, which auto-fit keeps to)."""
    px = text.font_px_for(layer, canvas, px_per_mm, safe_mm)
    size = max(1, round(px))
    lines = text._layout(layer, size)
    ascent, descent, lh = text._metrics(layer, size)
    block_w = max(line.width for line in lines)
    pen = RecordingPen()
    cx, cy = layer.x * canvas[0], layer.y * canvas[1]
    place = _mul((1, 0, 0, 1, cx, cy), _rotate(layer.rotation))
    if not layer.curve:
        # the raster centres its padded layout box; the pad is symmetric, so the box centre
        # is the centre of (block width x line stack)
        height = ascent + descent + lh * (len(lines) - 1)
        pad = size // 2 + 2
        tw, th = math.ceil(block_w) + 2 * pad, math.ceil(height) + 2 * pad
        for i, line in enumerate(lines):
            left = pad + text._line_x(layer, line, block_w)
            baseline = pad + ascent + i * lh
            for font_id, chunk, x in line.clusters:
                origin = (1, 0, 0, 1, left + x - tw / 2, baseline - th / 2)
                _chunk(pen, font_id, chunk, size, _mul(place, origin))
        commands = tuple((op, tuple(args)) for op, args in pen.value)
        return TextOutline(
            layer_index, commands, _bounds(commands), px, layer.color, layer.material
        )
    # arc: glyph clusters turned along concentric circles, then the ink box centred
    arc = RecordingPen()
    theta = math.radians(abs(layer.curve))
    radius = max(block_w, 1.0) / theta
    smile = layer.curve > 0
    for i, line in enumerate(lines):
        r = radius + i * lh if smile else radius - i * lh
        if r <= size * 0.2:
            continue
        left = text._line_x(layer, line, block_w)
        for font_id, chunk, x in line.clusters:
            adv = fonts.load(font_id, size).getlength(chunk)
            phi = (left + x + adv / 2 - block_w / 2) / r
            if smile:
                at = _mul(
                    (1, 0, 0, 1, r * math.sin(phi), -radius + r * math.cos(phi)),
                    _rotate(-math.degrees(phi)),
                )
            else:
                at = _mul(
                    (1, 0, 0, 1, r * math.sin(phi), radius - r * math.cos(phi)),
                    _rotate(math.degrees(phi)),
                )
            _chunk(arc, font_id, chunk, size, _mul(at, (1, 0, 0, 1, -adv / 2, 0)))
    arc_cmds = tuple((op, tuple(args)) for op, args in arc.value)
    box = _bounds(arc_cmds)
    if box is None:
        return TextOutline(layer_index, (), None, px, layer.color, layer.material)
    centre = (1, 0, 0, 1, -(box[0] + box[2]) / 2, -(box[1] + box[3]) / 2)
    commands = transform(arc_cmds, _mul(place, centre))
    return TextOutline(layer_index, commands, _bounds(commands), px, layer.color, layer.material)


def transform(commands: Commands, m: Affine) -> Commands:
    """``commands`` with every point mapped by ``m``."""
    a, b, c, d, e, f = m
    return tuple(
        (op, tuple((a * x + c * y + e, b * x + d * y + f) for x, y in pts)) for op, pts in commands
    )


def to_mm(commands: Commands, area: PrintArea, canvas: tuple[int, int]) -> Commands:
    """Canvas px -> mm from the area's top-left corner (y down)."""
    sx, sy = area.width_mm / canvas[0], area.height_mm / canvas[1]
    return transform(commands, (sx, 0, 0, sy, 0, 0))


def _bounds(commands: Commands) -> tuple[float, float, float, float] | None:
    pen = BoundsPen(None)
    replay(commands, pen)
    return pen.bounds


def replay(commands: Commands, pen) -> None:
    """Draw recorded ``commands`` into a fontTools pen."""
    for op, pts in commands:
        getattr(pen, op)(*pts)


def area_outlines(design, area: PrintArea, canvas: tuple[int, int]) -> list[TextOutline]:
    """Every text layer of ``area`` as outlines on a ``canvas`` px rendering, paint order."""
    px_per_mm = math.sqrt((canvas[0] / area.width_mm) * (canvas[1] / area.height_mm))
    out = []
    for index, layer in enumerate(design.layers_in(area.id)):
        if isinstance(layer, TextLayer):
            out.append(text_outline(layer, canvas, px_per_mm, index, area.profile.safe_mm))
    return out
