"""Slots and arcs in the engine: one placement for preview, texture and production."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import render
from render import layout
from render.errors import SpecError

RED = (220, 20, 20)


def _png(color=RED, size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def _spec(*layers: dict) -> dict:
    return {
        "product": {"aspect": 1.5, "background": "#ffffff"},
        "printAreas": [
            {"id": "front", "x": 0.1, "y": 0.1, "width": 0.8, "height": 0.8,
             "widthMm": 120, "heightMm": 80},
        ],
        "layers": list(layers),
    }  # fmt: skip


PHOTO_SLOT = {"x": 0, "y": 0, "width": 0.5, "height": 0.6}
TEXT_SLOT = {"x": 0, "y": 0.6, "width": 1, "height": 0.4}


def _ink(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))[..., 3] > 20


def test_an_enlarged_photo_is_cut_to_its_slot_and_text_fits_its_own():
    photo = {"type": "image", "image": _png(), "slot": PHOTO_SLOT, "scale": 3.0, "x": 0.9}
    text = {"type": "text", "text": "ANNA & TOM", "font": "dejavu-sans", "slot": TEXT_SLOT}
    png = render.production(_spec(photo, text), "front", dpi=100).png
    alpha = _ink(png)
    h, w = alpha.shape
    only_photo = _ink(render.production(_spec(photo), "front", dpi=100).png)
    only_text = _ink(render.production(_spec(text), "front", dpi=100).png)
    ys, xs = np.nonzero(only_photo)
    assert xs.max() < w * 0.5 + 2 and ys.max() < h * 0.6 + 2  # never past its slot
    assert only_photo.mean() == pytest.approx(0.5 * 0.6, abs=0.01)  # and fills it
    ys, xs = np.nonzero(only_text)
    assert ys.min() > h * 0.6 - 1  # the text stays in the lower slot
    assert not (only_photo & only_text).any()
    assert (alpha == (only_photo | only_text)).mean() > 0.999


def test_a_layer_in_a_slot_becomes_the_same_area_layer_for_every_output():
    text = {"type": "text", "text": "Round tag", "font": "dejavu-sans",
            "slot": {"x": 0.5, "y": 0, "width": 0.5, "height": 0.6, "rotation": 10},
            "x": 0.4, "y": 0.5, "rotation": 5}  # fmt: skip
    parsed = render.parse_spec(_spec(text)).layers[0]
    assert parsed.rotation == 15 and not parsed.auto_fit and parsed.size_pt > 4
    cx, cy = layout.to_area(layout.Slot(0.5, 0, 0.5, 0.6, 10), 0.4, 0.5, (120, 80))
    assert (parsed.x, parsed.y) == pytest.approx((cx, cy))
    # production and the 3D texture are the same pixels at the same size
    prod = np.asarray(Image.open(io.BytesIO(render.production(_spec(text), "front").png)))
    tex = np.asarray(render.texture(_spec(text), "front", (prod.shape[1], prod.shape[0])))
    assert np.abs(prod[..., 3].astype(int) - tex[..., 3].astype(int)).mean() < 1.0


def test_the_merchants_arc_radius_sets_the_curve_from_the_set_width():
    base = {"type": "text", "text": "FOREVER", "font": "dejavu-sans", "slot": TEXT_SLOT}
    tight = render.parse_spec(_spec({**base, "arcRadiusMm": -20})).layers[0]
    wide = render.parse_spec(_spec({**base, "arcRadiusMm": -200})).layers[0]
    smile = render.parse_spec(_spec({**base, "arcRadiusMm": 20})).layers[0]
    assert tight.curve < wide.curve < 0 < smile.curve  # arch is negative, smile positive
    # the arc's length is the text's width: angle = width / radius
    from render import text as text_mod

    width_mm = text_mod.line_width(tight, 1000) / 1000 * tight.size_pt * text_mod.MM_PER_PT
    assert abs(tight.curve) == pytest.approx(np.degrees(width_mm / 20), rel=0.05)


def test_the_arc_is_the_same_in_preview_production_and_texture():
    text = {"type": "text", "text": "FOREVER", "font": "dejavu-sans", "color": "#000000",
            "slot": TEXT_SLOT, "arcRadiusMm": -25}  # fmt: skip
    spec = _spec(text)
    prod = Image.open(io.BytesIO(render.production(spec, "front", dpi=150).png))
    tex = render.texture(spec, "front", prod.size)
    a = np.asarray(prod)[..., 3] > 127
    b = np.asarray(tex)[..., 3] > 127
    assert (a & b).sum() / (a | b).sum() > 0.95
    # the ends of an arch sit lower than its middle
    ys, xs = np.nonzero(a)
    middle = ys[np.abs(xs - xs.mean()) < 5].min()
    end = ys[xs < xs.min() + 5].min()
    assert end > middle + 5


@pytest.mark.parametrize(
    "slot,code",
    [
        ({"x": 0.6, "y": 0, "width": 0.5, "height": 0.5}, "slot_outside_print_area"),
        ({"x": 0, "y": 0, "width": 0, "height": 0.5}, "bad_value"),
        ("left", "bad_value"),
    ],
)
def test_a_bad_slot_is_refused(slot, code):
    with pytest.raises(SpecError) as err:
        render.parse_spec(_spec({"type": "text", "text": "A", "slot": slot}))
    assert err.value.code == code
