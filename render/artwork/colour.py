"""Colours of procedural artwork: named colours, metals with a polished look, and painting
the coverage masks into the final RGBA picture."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageChops, ImageFilter

RGB = tuple[int, int, int]

METALS: dict[str, list[tuple[float, RGB]]] = {
    "gold": [
        (0.0, (122, 82, 22)),
        (0.42, (201, 153, 58)),
        (0.7, (240, 208, 122)),
        (0.86, (255, 240, 190)),
        (1.0, (214, 170, 80)),
    ],
    "silver": [
        (0.0, (96, 100, 108)),
        (0.45, (170, 174, 182)),
        (0.75, (228, 230, 234)),
        (0.88, (255, 255, 255)),
        (1.0, (186, 190, 198)),
    ],
    "rose gold": [
        (0.0, (128, 70, 62)),
        (0.45, (203, 137, 120)),
        (0.72, (236, 190, 172)),
        (0.88, (255, 228, 214)),
        (1.0, (212, 150, 132)),
    ],
    "copper": [
        (0.0, (102, 46, 20)),
        (0.45, (184, 100, 52)),
        (0.75, (232, 160, 108)),
        (1.0, (196, 112, 62)),
    ],
    "bronze": [
        (0.0, (86, 58, 24)),
        (0.45, (160, 112, 52)),
        (0.75, (214, 170, 104)),
        (1.0, (170, 122, 60)),
    ],
}
COLOURS: dict[str, RGB] = {
    "black": (24, 24, 28),
    "white": (250, 250, 247),
    "ivory": (244, 238, 220),
    "cream": (240, 228, 200),
    "beige": (216, 196, 160),
    "navy": (28, 42, 84),
    "blue": (40, 92, 180),
    "royal blue": (38, 70, 170),
    "sky blue": (110, 170, 226),
    "baby blue": (150, 196, 232),
    "teal": (20, 118, 122),
    "turquoise": (48, 180, 178),
    "green": (46, 130, 70),
    "emerald": (16, 122, 86),
    "forest green": (34, 84, 52),
    "sage": (140, 160, 120),
    "olive": (110, 116, 52),
    "mint": (150, 214, 180),
    "red": (196, 36, 44),
    "crimson": (170, 20, 50),
    "burgundy": (118, 24, 44),
    "maroon": (112, 28, 36),
    "pink": (232, 122, 160),
    "hot pink": (226, 40, 128),
    "blush": (232, 176, 170),
    "coral": (240, 112, 92),
    "orange": (236, 120, 36),
    "peach": (246, 170, 130),
    "yellow": (240, 196, 40),
    "mustard": (212, 164, 40),
    "purple": (110, 52, 150),
    "lavender": (170, 150, 210),
    "lilac": (196, 160, 210),
    "violet": (128, 64, 180),
    "plum": (104, 40, 90),
    "brown": (110, 70, 40),
    "chocolate": (86, 50, 30),
    "grey": (120, 122, 128),
    "gray": (120, 122, 128),
    "charcoal": (54, 56, 62),
    "rainbow": (220, 60, 90),
}
# Tasteful pairs for prompts that name no colour: (ink, ornament, accent).
PALETTES: tuple[tuple[str, str, str], ...] = (
    ("navy", "gold", "gold"),
    ("forest green", "gold", "sage"),
    ("burgundy", "rose gold", "blush"),
    ("charcoal", "copper", "copper"),
    ("teal", "gold", "coral"),
    ("black", "silver", "silver"),
)


def paint(canvas: Any) -> Image.Image:
    """Colour the masks (metals get a polished gradient and bevel) into RGBA.

    Each role is coloured only inside its own bounding box and alpha-composited in
    order: ornaments, accents, then the words on top.
    """
    w, h = canvas.w, canvas.h
    out = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ink = Image.fromarray((canvas.ink * 255.0 + 0.5).astype(np.uint8), "L")
    halo = None
    if ink.getbbox():  # keep ornaments off the letters so the words stay legible
        radius = max(2, round(min(w, h) / 300))
        halo = ink.filter(ImageFilter.BoxBlur(radius)).point(lambda v: min(255, v * 4))
    covs: dict[str, Image.Image] = {}
    for role in ("orn", "acc", "ink"):
        cov = ink if role == "ink" else canvas.masks[role].reduce(canvas.ss)
        if halo is not None and role != "ink":
            cov = ImageChops.subtract(cov, halo)
        covs[role] = cov
    fills: dict[str, Image.Image] = {}
    for role in ("orn", "acc", "ink"):  # roles in one metal share one lit surface
        name = canvas.colours[role]
        if name in METALS and name not in fills:
            union = None
            for other, cov in covs.items():
                if canvas.colours[other] == name:
                    union = cov if union is None else ImageChops.lighter(union, cov)
            fills[name] = _metal(canvas.w, canvas.h, name, union)
    for role, cov in covs.items():
        box = cov.getbbox()
        if box is None:
            continue
        name = canvas.colours[role]
        if name in METALS:
            piece = fills[name].crop(box)
        else:
            piece = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), COLOURS[name])
        piece.putalpha(cov.crop(box))
        out.alpha_composite(piece, (box[0], box[1]))
    if getattr(canvas, "rotated", False):
        out = out.transpose(Image.Transpose.ROTATE_90)
    return out


def _metal(w: int, h: int, name: str, cov: Image.Image) -> Image.Image:
    """A metal's polished gradient, lit from the upper left at the edges of ``cov``."""
    box = cov.getbbox() or (0, 0, 1, 1)
    soft = cov.crop(box).filter(ImageFilter.BoxBlur(max(1, round(min(w, h) / 300))))
    shade = ImageChops.add(_sheen(w, h).crop(box), soft.filter(_BEVEL), 1.0, -128)
    lit = Image.merge("RGB", [shade.point(channel) for channel in _metal_lut(name)])
    out = Image.new("RGB", (w, h))
    out.paste(lit, box[:2])
    return out


# A diagonal slope: coverage rising towards the lower right (an edge facing the upper
# left, where the light comes from) reads positive, so it is drawn brighter.
_BEVEL = ImageFilter.Kernel(
    (3, 3), [-2.0, -1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 1.0, 2.0], scale=3.0, offset=128
)


@lru_cache(maxsize=4)
def _sheen(w: int, h: int) -> Image.Image:
    """Broad diagonal bands of light across the canvas (L, 0..255), as on polished metal."""
    ys = (np.arange(h, dtype=np.float32) / h)[:, None]
    xs = (np.arange(w, dtype=np.float32) / w)[None, :]
    t = 0.5 + 0.32 * np.sin((ys * 2.6 + xs * 0.9) * (math.pi * 1.4)) + 0.12 * (xs - ys)
    return Image.fromarray((np.clip(t, 0.0, 1.0) * 255.0).astype(np.uint8), "L")


@lru_cache(maxsize=8)
def _metal_lut(name: str) -> tuple[list[int], list[int], list[int]]:
    """Per channel, 256 values along a metal's gradient (index = shade 0..255)."""
    stops = METALS[name]
    pos = np.array([p for p, _ in stops], np.float32)
    t = np.linspace(0.0, 1.0, 256, dtype=np.float32)
    return tuple(  # type: ignore[return-value]
        [int(v + 0.5) for v in np.interp(t, pos, np.array([c[i] for _, c in stops], np.float32))]
        for i in range(3)
    )
