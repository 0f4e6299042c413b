"""Shipped fonts: licences beside them, shaping, accents, coverage and fallback."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageFont, features

from render import fonts
from render.errors import SpecError
from render.spec import TextLayer
from render.text import render_text


def _mask(text: str, font: str = "lato", **extra) -> np.ndarray:
    layer = TextLayer(
        print_area="a", text=fonts.clean_text(text), font=font, size_pt=36, auto_fit=False, **extra
    )
    return render_text(layer, (1200, 600), 300 / 25.4).mask


def test_catalog_ships_at_least_eight_licensed_fonts_in_every_style():
    catalog = fonts.catalog()
    assert len(catalog) >= 8
    assert {"serif", "sans", "script", "monospace", "handwriting", "display", "slab"} <= {
        f.category for f in catalog
    }
    total = 0
    for info in catalog:
        assert info.path.is_file(), info.id
        assert (info.path.parent / "LICENSE").is_file(), f"{info.id} has no licence file"
        assert info.licence in ("OFL-1.1", "Apache-2.0", "Bitstream-Vera")
        total += sum(p.stat().st_size for p in info.path.parent.iterdir())
    assert total < 8 * 1024 * 1024


def test_every_font_loads_and_draws_latin_text():
    for info in fonts.catalog():
        font = fonts.load(info.id, 48)
        assert font.getlength("Hamburgefonstiv") > 100, info.id


def test_unknown_font_id_raises_spec_error():
    with pytest.raises(SpecError) as info:
        fonts.load("papyrus", 20)
    assert info.value.code == "unknown_font"


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow built without Raqm")
def test_text_is_shaped_with_kerning():
    assert fonts.load("lato", 20).layout_engine == ImageFont.Layout.RAQM
    font = fonts.load("playfair-display", 100)
    assert font.getlength("AV") < font.getlength("A") + font.getlength("V") - 2


def test_accents_draw_above_the_capital():
    plain, accented = _mask("Elodie"), _mask("Élodie")
    height = lambda m: np.ptp(np.argwhere(m > 0.5)[:, 0])  # noqa: E731
    assert height(accented) > height(plain) + 10  # the acute accent sits above the E
    assert accented.sum() > plain.sum()
    assert fonts.missing_characters("playfair-display", "Ærøskøbing Straße Zoë Ñandú ČŠŽ") == []


def test_combining_accents_render_like_precomposed_letters():
    assert np.array_equal(_mask("E\u0301lodie"), _mask("Élodie"))


def test_missing_glyph_falls_back_to_a_font_that_has_it():
    assert not fonts.covers("bebas-neue", "\u2665")  # the display font has no heart ...
    assert fonts.covers("dejavu-sans", "\u2665")  # ... the fallback does
    assert fonts.runs("bebas-neue", "I \u2665 NY") == [
        ("bebas-neue", "I "),
        ("dejavu-sans", "\u2665"),
        ("bebas-neue", " NY"),
    ]
    with_heart = _mask("I \u2665 NY", font="bebas-neue")
    without = _mask("I   NY", font="bebas-neue")
    assert with_heart.sum() > without.sum() + 500


def test_emoji_draws_in_monochrome_when_a_font_has_it_and_is_refused_otherwise():
    smiley = "\U0001f600\ufe0f"  # with the emoji-style selector, which is dropped
    assert fonts.missing_characters("lato", smiley) == []
    assert _mask(smiley).sum() > 1000
    assert fonts.missing_characters("lato", "\U0001f984") == ["\U0001f984"]
    with pytest.raises(SpecError) as info:
        fonts.runs("lato", "go \U0001f984")
    assert info.value.code == "unsupported_character" and "U+1F984" in info.value.message
