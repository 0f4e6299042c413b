"""The edit canvas: the mask's transparent part is exactly the print area (rotated and
shaped), and cutting the answer back out returns that part upright."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from luneo_app.ai.canvas import cut_area, edit_canvas
from render import samples

PHOTO = samples.demo_product_photo("mug", 600)


def _paint_editable(canvas) -> bytes:  # type: ignore[no-untyped-def]
    """What a model that paints only where allowed would answer: red inside the mask."""
    mask = Image.open(io.BytesIO(canvas.mask_png)).convert("RGBA").getchannel("A")
    out = Image.new("RGB", canvas.size, (255, 255, 255))
    out.paste((220, 20, 20), (0, 0), mask.point(lambda a: 255 if a == 0 else 0))
    buf = io.BytesIO()
    out.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("rotation", [0, 30, -90])
@pytest.mark.parametrize("shape", ["rect", "ellipse"])
def test_cutting_the_answer_returns_the_painted_print_area(rotation, shape):
    area = {
        "x": 0.3,
        "y": 0.3,
        "width": 0.4,
        "height": 0.2,
        "rotation": rotation,
        "widthMm": 80,
        "heightMm": 40,
        "mask": shape,
    }
    canvas = edit_canvas(PHOTO, area)
    art = cut_area(_paint_editable(canvas), canvas)
    assert abs(art.width / art.height - 2.0) < 0.05  # the area's own proportions
    rgb = np.asarray(art.convert("RGB"), int)
    red = (rgb[..., 0] > 180) & (rgb[..., 1] < 80)
    expected = 1.0 if shape == "rect" else np.pi / 4  # an ellipse fills pi/4 of its box
    assert abs(red.mean() - expected) < 0.04


def test_wide_areas_get_the_landscape_size_and_the_photo_around_them():
    area = {"x": 0.1, "y": 0.45, "width": 0.8, "height": 0.1, "widthMm": 160, "heightMm": 20}
    canvas = edit_canvas(PHOTO, area)
    assert canvas.size_param == "1536x1024"
    image = Image.open(io.BytesIO(canvas.image_png))
    assert image.size == canvas.size and image.mode == "RGB"
    top = np.asarray(image.crop((0, 0, 1536, 300))).reshape(-1, 3)
    assert len(np.unique(top, axis=0)) > 50  # the photo, not a blank


def test_the_canvas_of_a_product_is_made_once():
    area = {"x": 0.2, "y": 0.2, "width": 0.3, "height": 0.3, "widthMm": 50, "heightMm": 50}
    assert edit_canvas(PHOTO, area) is edit_canvas(PHOTO, area)
