"""Catalog fonts for browsers: WOFF2 subsets split by script, with exact ``unicode-range``s.

A shopper typing Latin text should not download a font's Greek, Cyrillic or symbol glyphs.
Every code point a font maps lands in exactly one subset (so together the subsets cover
all of it), and each subset's ``unicode-range`` lists just the code points it holds: the
browser fetches a subset only when the text needs one of them. Layout tables (kerning,
ligatures, marks) are kept, so the widget's sketch draws as the engine does.

Brotli at WOFF2's level takes seconds per subset, so the subsets are built ahead, beside
each font (``<font dir>/web/<subset>.woff2`` and ``web/faces.json``, stamped with the
source font's hash): ``python -m render.webfonts`` rebuilds those that are out of date.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont

# Blocks per subset, first match wins; what no block names goes to "other".
_BLOCKS: tuple[tuple[str, tuple[tuple[int, int], ...]], ...] = (
    (
        "latin",
        (
            (0x0000, 0x00FF),  # Basic Latin and Latin-1
            (0x0131, 0x0131),
            (0x0152, 0x0153),
            (0x02C6, 0x02C6),
            (0x02DA, 0x02DA),
            (0x02DC, 0x02DC),
            (0x2000, 0x206F),  # general punctuation: dashes, quotes, ellipsis
            (0x20AC, 0x20AC),  # euro
            (0x2122, 0x2122),
            (0xFEFF, 0xFEFF),
            (0xFFFD, 0xFFFD),
        ),
    ),
    (
        "latin-ext",
        (
            (0x0100, 0x024F),
            (0x0250, 0x02FF),
            (0x0300, 0x036F),  # combining marks (Vietnamese and other accents)
            (0x1E00, 0x1EFF),
            (0x20A0, 0x20CF),
            (0x2C60, 0x2C7F),
            (0xA720, 0xA7FF),
        ),
    ),
    ("greek", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
    ("cyrillic", ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))),
)
SUBSETS = tuple(name for name, _ in _BLOCKS) + ("other",)


@dataclass(frozen=True)
class Face:
    """One subset of a font: its name and the CSS ``unicode-range`` of what it holds."""

    subset: str
    unicode_range: str
    codepoints: frozenset[int]


def _subset_of(codepoint: int) -> str:
    for name, blocks in _BLOCKS:
        if any(lo <= codepoint <= hi for lo, hi in blocks):
            return name
    return "other"


def _css_range(codepoints: list[int]) -> str:
    """``U+41-5A, U+61`` for the sorted code points (runs collapsed)."""
    parts: list[str] = []
    start = prev = codepoints[0]
    for cp in codepoints[1:] + [-1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        start = prev = cp
    return ", ".join(parts)


def web_dir(path: Path) -> Path:
    """Where the built subsets of the font at ``path`` live."""
    return path.parent / "web"


def source_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=64)
def built_faces(path: Path) -> tuple[tuple[str, str], ...]:
    """(subset, unicode-range) of the built subsets, or () when they are missing or stale."""
    index = web_dir(path) / "faces.json"
    if not index.is_file():
        return ()
    data = json.loads(index.read_text())
    if data.get("source") != source_hash(path):
        return ()
    return tuple((face["subset"], face["unicodeRange"]) for face in data["faces"])


def subset_file(path: Path, subset: str) -> Path | None:
    """The built WOFF2 file of ``subset``, when it exists and is current."""
    if subset not in {name for name, _ in built_faces(path)}:
        return None
    return web_dir(path) / f"{subset}.woff2"


@lru_cache(maxsize=64)
def faces(path: Path) -> tuple[Face, ...]:
    """The font's subsets that hold at least one code point, in ``SUBSETS`` order."""
    with TTFont(str(path), lazy=True) as font:
        cmap = font.getBestCmap() or {}
    grouped: dict[str, list[int]] = {}
    for cp in sorted(cmap):
        grouped.setdefault(_subset_of(cp), []).append(cp)
    return tuple(
        Face(name, _css_range(grouped[name]), frozenset(grouped[name]))
        for name in SUBSETS
        if grouped.get(name)
    )


def woff2(path: Path, subset: str) -> bytes:
    """Make the subset as WOFF2 bytes (slow: see ``build``)."""
    face = next((f for f in faces(path) if f.subset == subset), None)
    if face is None:
        raise KeyError(subset)
    options = ft_subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # kerning, ligatures, marks: as the engine shapes
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # browsers hint on their own; hints are a third of a TTF
    font = ft_subset.load_font(str(path), options)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(unicodes=face.codepoints)
    subsetter.subset(font)
    out = io.BytesIO()
    ft_subset.save_font(font, out, options)
    return out.getvalue()


def build(path: Path, force: bool = False) -> bool:
    """Write the font's subsets and ``faces.json``; False when they were already current."""
    if built_faces(path) and not force:
        return False
    out = web_dir(path)
    out.mkdir(exist_ok=True)
    for old in out.glob("*.woff2"):
        old.unlink()
    index = []
    for face in faces(path):
        (out / f"{face.subset}.woff2").write_bytes(woff2(path, face.subset))
        index.append({"subset": face.subset, "unicodeRange": face.unicode_range})
    document = {"source": source_hash(path), "faces": index}
    (out / "faces.json").write_text(json.dumps(document, indent=1) + "\n")
    built_faces.cache_clear()
    return True


def main(argv: list[str] | None = None) -> int:
    """Build the web subsets of every catalog font that lacks current ones."""
    from render import fonts

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    force = "--force" in (argv if argv is not None else sys.argv[1:])
    for info in fonts.catalog():
        made = build(info.path, force)
        print(f"{info.id}: {'built' if made else 'current'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
