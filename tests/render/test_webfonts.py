"""The widget's fonts: WOFF2 subsets that together cover every code point of each font."""

from __future__ import annotations

import io
import json
import re

import pytest
from fontTools.ttLib import TTFont

from render import fonts, webfonts

CATALOG = fonts.catalog()


def _parse_range(css: str) -> set[int]:
    out: set[int] = set()
    for part in css.split(","):
        match = re.fullmatch(r"\s*U\+([0-9A-F]+)(?:-([0-9A-F]+))?\s*", part)
        assert match, part
        lo = int(match[1], 16)
        out.update(range(lo, int(match[2] or match[1], 16) + 1))
    return out


@pytest.mark.parametrize("info", CATALOG, ids=[f.id for f in CATALOG])
def test_subsets_are_built_current_and_cover_the_whole_font(info):
    index = json.loads((webfonts.web_dir(info.path) / "faces.json").read_text())
    assert index["source"] == webfonts.source_hash(info.path), (
        "font changed: run `python -m render.webfonts`"
    )
    with TTFont(str(info.path)) as source:
        wanted = set(source.getBestCmap())
    covered: set[int] = set()
    for face in index["faces"]:
        data = (webfonts.web_dir(info.path) / f"{face['subset']}.woff2").read_bytes()
        assert data[:4] == b"wOF2"
        with TTFont(io.BytesIO(data)) as subset:
            held = set(subset.getBestCmap())
            assert "GPOS" in subset or "GPOS" not in TTFont(str(info.path)), "kerning dropped"
        declared = _parse_range(face["unicodeRange"])
        assert held == declared  # the browser asks for a subset exactly when it has the glyph
        assert not held & covered  # each code point in one subset only
        covered |= held
    assert covered == wanted


def test_latin_text_needs_a_small_part_of_a_large_font():
    lato = fonts.get("lato")
    latin = webfonts.web_dir(lato.path) / "latin.woff2"
    assert latin.stat().st_size < lato.path.stat().st_size / 10
