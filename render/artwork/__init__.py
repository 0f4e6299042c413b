"""Procedural artwork: ornamental art drawn from a shopper's words, offline and deterministic.

This is not AI. It reads a prompt for quoted words (set as a text treatment or a monogram),
named colours and metals, motifs (stars, hearts, flowers, leaves, snowflakes, moons, suns,
waves ...) and a few style words (cursive, serif, modern, vintage, pattern, frame), then
composes patterns, frames, monograms and wreaths.

Modules: :mod:`.prompt` reads the prompt, :mod:`.ornaments` draws shapes, :mod:`.pieces`
and :mod:`.layouts` compose them, :mod:`.colour` paints the result.

The same prompt and seed always give the same pixels; another prompt or seed gives other
art. Output is RGBA with a transparent background, ready to print or engrave::

    generate(prompt, seed=0, size=1024) -> PIL.Image.Image  (RGBA)
    generate_png(prompt, seed=0, size=1024) -> bytes
    read_prompt(prompt) -> Brief
"""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image

from render.errors import SpecError

from .layouts import Canvas
from .prompt import Brief, read_prompt

GENERATOR = "luneo-procedural-1"  # bump when output pixels change
MAX_SIDE = 2048

__all__ = ["GENERATOR", "MAX_SIDE", "Brief", "generate", "generate_png", "read_prompt"]


def generate_png(prompt: str, seed: int = 0, size: int | tuple[int, int] = 1024) -> bytes:
    """:func:`generate` encoded as PNG bytes (lossless, deterministic)."""
    buf = io.BytesIO()
    generate(prompt, seed, size).save(buf, "PNG", compress_level=1)
    return buf.getvalue()


def generate(prompt: str, seed: int = 0, size: int | tuple[int, int] = 1024) -> Image.Image:
    """Ornamental art for ``prompt`` as an RGBA image of ``size`` (square int, or (w, h)).

    Deterministic for a given prompt, seed and size. Raises ``SpecError('bad_value')``
    for sizes outside 16..2048 px.
    """
    w, h = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if not (16 <= w <= MAX_SIDE and 16 <= h <= MAX_SIDE):
        raise SpecError("bad_value", f"artwork size must be 16..{MAX_SIDE} px", "size")
    brief = read_prompt(prompt)
    digest = hashlib.sha256(f"{GENERATOR}\x00{' '.join(prompt.split())}\x00{seed}".encode())
    rng = random.Random(int.from_bytes(digest.digest()[:8], "big"))
    canvas = Canvas(w, h, brief, rng)
    if min(w, h) * 2.2 < max(w, h):
        canvas.band()
    else:
        {
            "text": canvas.text_piece,
            "monogram": canvas.monogram,
            "pattern": canvas.pattern,
            "emblem": canvas.emblem,
        }[brief.layout]()
    return canvas.paint()
