"""Text setting: physical point sizes, auto-fit, alignment, tracking, arcs, rotation."""

from __future__ import annotations

import numpy as np
import pytest

from render.errors import SpecError
from render.spec import TextLayer
from render.text import font_px_for, render_text

DPI300 = 300 / 25.4  # px per mm at 300 dpi


def _layer(text="Jessica", **extra) -> TextLayer:
    values = {"print_area": "a", "text": text, "font": "lato", "size_pt": None, "auto_fit": True}
    values.update(extra)
    return TextLayer(**values)


def _ink_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask > 0.5)
    return xs.min(), ys.min(), xs.max(), ys.max()


def test_point_size_is_physical_at_print_size():
    layer = _layer(size_pt=72, auto_fit=False)  # 72 pt = 1 inch = 300 px at 300 dpi
    assert font_px_for(layer, (2000, 1000), DPI300) == pytest.approx(300)
    assert font_px_for(layer, (200, 100), DPI300 / 10) == pytest.approx(30)


def test_auto_fit_fills_but_stays_inside_the_area():
    w, h = 900, 300
    placed = render_text(_layer("Alexandria"), (w, h), DPI300)
    x0, y0, x1, y1 = _ink_box(placed.mask)
    x0, x1, y0, y1 = x0 + placed.x0, x1 + placed.x0, y0 + placed.y0, y1 + placed.y0
    assert 0 <= x0 and x1 < w and 0 <= y0 and y1 < h
    assert (x1 - x0) > 0.75 * w or (y1 - y0) > 0.6 * h


def test_auto_fit_with_a_size_never_exceeds_that_size():
    layer = _layer("Hi", size_pt=10)
    assert font_px_for(layer, (3000, 3000), DPI300) == pytest.approx(10 / 72 * 300)


def test_text_that_only_fits_illegibly_small_is_refused():
    with pytest.raises(SpecError) as info:
        font_px_for(_layer("x" * 400), (120, 40), 120 / 25)
    assert info.value.code == "text_does_not_fit"


@pytest.mark.parametrize("align", ["left", "center", "right"])
def test_alignment_moves_short_lines(align):
    placed = render_text(
        _layer("WWWWWW\nii", align=align, size_pt=20, auto_fit=False), (2000, 800), DPI300
    )
    rows = placed.mask.shape[0]
    short_line = placed.mask[rows // 2 :]
    xs = np.nonzero(short_line.max(axis=0) > 0.5)[0]
    centre = (xs.min() + xs.max()) / 2 / placed.mask.shape[1]
    expected = {"left": 0.1, "center": 0.5, "right": 0.9}[align]
    assert abs(centre - expected) < 0.12


def test_letter_spacing_widens_the_text():
    base = _ink_box(render_text(_layer(size_pt=20, auto_fit=False), (3000, 800), DPI300).mask)
    wide = _ink_box(
        render_text(
            _layer(size_pt=20, auto_fit=False, letter_spacing=0.3), (3000, 800), DPI300
        ).mask
    )
    extra = (wide[2] - wide[0]) - (base[2] - base[0])
    em = 20 / 72 * 300
    assert extra == pytest.approx(6 * 0.3 * em, rel=0.1)  # 7 letters: 6 gaps


def test_curve_bends_the_line_up_at_the_ends_for_a_smile():
    size = (3000, 1500)
    straight = render_text(_layer("Happy Birthday", size_pt=20, auto_fit=False), size, DPI300).mask
    smile = render_text(
        _layer("Happy Birthday", size_pt=20, auto_fit=False, curve=90), size, DPI300
    ).mask
    frown = render_text(
        _layer("Happy Birthday", size_pt=20, auto_fit=False, curve=-90), size, DPI300
    ).mask
    height = lambda m: _ink_box(m)[3] - _ink_box(m)[1]  # noqa: E731
    assert height(smile) > height(straight) * 1.5

    def first_ink_row(mask, cols):
        return np.nonzero(mask[:, cols].max(axis=1) > 0.5)[0].min()

    for mask, ends_higher in ((smile, True), (frown, False)):
        w = mask.shape[1]
        end = first_ink_row(mask, slice(0, w // 8))
        middle = first_ink_row(mask, slice(w * 7 // 16, w * 9 // 16))
        assert (end < middle) == ends_higher


def test_rotation_turns_the_text_clockwise():
    flat = render_text(_layer("Jessica", size_pt=20, auto_fit=False), (3000, 3000), DPI300).mask
    turned = render_text(
        _layer("Jessica", size_pt=20, auto_fit=False, rotation=90), (3000, 3000), DPI300
    ).mask

    def ink(m):
        x0, y0, x1, y1 = _ink_box(m)
        return m[y0 : y1 + 1, x0 : x1 + 1]

    turned = ink(turned)
    clockwise, counter = ink(np.rot90(flat, k=-1)), ink(np.rot90(flat, k=1))
    assert (
        abs(turned.shape[0] - clockwise.shape[0]) < 6
        and abs(turned.shape[1] - clockwise.shape[1]) < 6
    )
    h, w = (min(a.shape[i] for a in (turned, clockwise, counter)) for i in (0, 1))
    diff_cw = np.abs(turned[:h, :w] - clockwise[:h, :w]).mean()
    diff_ccw = np.abs(turned[:h, :w] - counter[:h, :w]).mean()
    assert diff_cw < diff_ccw / 3
