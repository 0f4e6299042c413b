"""Fonts shipped with the engine: catalog, loading, and glyph coverage with fallback.

Each font lives in ``render/fonts/<id>/`` beside its licence file. Text is shaped
with Pillow's Raqm layout (HarfBuzz: kerning, ligatures, combining accents) when the
Pillow build has it. Characters a font lacks are drawn with a fallback font that has
them; a character no shipped font has raises ``SpecError('unsupported_character')``.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from render.errors import SpecError

FONT_DIR = Path(__file__).resolve().parent
LAYOUT = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@dataclass(frozen=True)
class FontInfo:
    """One font of the catalog: ``id`` is what a design spec names."""

    id: str
    name: str
    category: str  # serif | sans | script | handwriting | monospace | display | slab
    path: Path
    licence: str


def _info(font_id: str, name: str, category: str, file: str, licence: str) -> FontInfo:
    return FontInfo(font_id, name, category, FONT_DIR / font_id / file, licence)


_CATALOG: tuple[FontInfo, ...] = (
    _info("playfair-display", "Playfair Display", "serif", "PlayfairDisplay-wght.ttf", "OFL-1.1"),
    _info("eb-garamond", "EB Garamond", "serif", "EBGaramond12-Regular.otf", "OFL-1.1"),
    _info("lato", "Lato", "sans", "Lato-Regular.ttf", "OFL-1.1"),
    _info("dejavu-sans", "DejaVu Sans", "sans", "DejaVuSans.ttf", "Bitstream-Vera"),
    _info("dancing-script", "Dancing Script", "script", "DancingScript-Regular.otf", "OFL-1.1"),
    _info("kaushan-script", "Kaushan Script", "script", "KaushanScript-Regular.otf", "OFL-1.1"),
    _info("kristi", "Kristi", "handwriting", "Kristi.ttf", "OFL-1.1"),
    _info("comic-neue", "Comic Neue", "handwriting", "ComicNeue-Regular.otf", "OFL-1.1"),
    _info("courier-prime", "Courier Prime", "monospace", "CourierPrime-Regular.otf", "OFL-1.1"),
    _info("bebas-neue", "Bebas Neue", "display", "BebasNeue-Regular.otf", "OFL-1.1"),
    _info("lobster-two", "Lobster Two", "display", "LobsterTwo-Regular.otf", "OFL-1.1"),
    _info("roboto-slab", "Roboto Slab", "slab", "RobotoSlab-Regular.otf", "Apache-2.0"),
)
_BY_ID = {f.id: f for f in _CATALOG}
FALLBACKS: tuple[str, ...] = ("dejavu-sans",)
# Variation selectors only pick emoji vs text presentation; we always draw text style.
IGNORED = frozenset("\ufe0e\ufe0f")
_PROBE_PX = 40
_ABSENT = "\U0010fffd"  # a private-use code point no font here maps: renders as .notdef
_probe_lock = threading.Lock()


def catalog() -> list[FontInfo]:
    """Every shipped font, in the order a font picker should show them."""
    return list(_CATALOG)


def get(font_id: str) -> FontInfo:
    """The catalog entry for ``font_id``; ``SpecError('unknown_font')`` if there is none."""
    try:
        return _BY_ID[font_id]
    except (KeyError, TypeError):
        known = ", ".join(_BY_ID)
        raise SpecError("unknown_font", f"unknown font {font_id!r}; known fonts: {known}") from None


_local = threading.local()


def load(font_id: str, size_px: int) -> ImageFont.FreeTypeFont:
    """The font ``font_id`` at ``size_px`` pixels (em size), cached per size.

    The cache is per thread: a FreeType face must not be used by two threads at once.
    """
    cache: OrderedDict = getattr(_local, "fonts", None) or _new_cache()
    key = (font_id, max(1, int(size_px)))
    font = cache.get(key)
    if font is None:
        font = ImageFont.truetype(str(get(font_id).path), key[1], layout_engine=LAYOUT)
        cache[key] = font
        if len(cache) > 96:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return font


def _new_cache() -> OrderedDict:
    _local.fonts = OrderedDict()
    return _local.fonts


@lru_cache(maxsize=16)
def _probe(font_id: str) -> tuple[ImageFont.FreeTypeFont, tuple]:
    font = ImageFont.truetype(
        str(get(font_id).path), _PROBE_PX, layout_engine=ImageFont.Layout.BASIC
    )
    with _probe_lock:
        return font, _signature(font, _ABSENT)


def _signature(font: ImageFont.FreeTypeFont, ch: str) -> tuple:
    im = Image.new("L", (_PROBE_PX * 3, _PROBE_PX * 3), 0)
    ImageDraw.Draw(im).text((_PROBE_PX, _PROBE_PX // 2), ch, font=font, fill=255)
    return (font.getlength(ch), im.tobytes())


@lru_cache(maxsize=8192)
def covers(font_id: str, ch: str) -> bool:
    """Whether ``font_id`` has a glyph for the single character ``ch``.

    Pillow exposes no cmap, so a character counts as missing when it draws exactly
    like the font's .notdef glyph (what FreeType substitutes for unmapped code points).
    """
    if ch.isspace() or ch in IGNORED:
        return True
    font, notdef = _probe(font_id)
    with _probe_lock:  # the probe font is shared between threads
        return _signature(font, ch) != notdef


def clean_text(text: str) -> str:
    """NFC-normalise ``text`` (so accents use precomposed glyphs) and drop selectors."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch not in IGNORED)


def missing_characters(font_id: str, text: str) -> list[str]:
    """Characters of ``text`` that neither ``font_id`` nor any fallback font can draw."""
    missing: list[str] = []
    for ch in dict.fromkeys(clean_text(text)):
        if ch == "\n":
            continue
        if not any(covers(f, ch) for f in (font_id, *FALLBACKS)):
            missing.append(ch)
    return missing


def runs(font_id: str, text: str) -> list[tuple[str, str]]:
    """Split one line of text into ``(font_id, chunk)`` runs, using fallbacks per glyph.

    Raises ``SpecError('unsupported_character')`` naming the first character that no
    shipped font can draw (emoji, most CJK ...).
    """
    out: list[tuple[str, str]] = []
    for ch in text:
        use = font_id
        if not covers(font_id, ch):
            use = next((f for f in FALLBACKS if covers(f, ch)), "")
            if not use:
                name = unicodedata.name(ch, "unnamed character").lower()
                raise SpecError(
                    "unsupported_character",
                    f"{ch!r} (U+{ord(ch):04X}, {name}) cannot be engraved or printed: "
                    f"no available font has it",
                )
        if out and out[-1][0] == use:
            out[-1] = (use, out[-1][1] + ch)
        else:
            out.append((use, ch))
    return out
