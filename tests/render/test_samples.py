"""Demo products: decent photos drawn in code and templates whose areas sit on them."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import render
from render import samples


@pytest.mark.parametrize("kind", samples.KINDS)
def test_demo_photo_is_a_square_png_with_a_product_on_a_studio_background(kind):
    data = samples.demo_product_photo(kind, 300)
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (300, 300)
    pixels = np.asarray(image.convert("L"), np.float32)
    assert pixels.std() > 8  # a product, not a flat fill
    corners = [pixels[:10, :10].mean(), pixels[:10, -10:].mean()]
    assert max(corners) - min(corners) < 25  # an even studio backdrop


def test_demo_photo_is_deterministic():
    first = samples._photo_png.__wrapped__("mug", 200)
    assert first == samples._photo_png.__wrapped__("mug", 200)


@pytest.mark.parametrize("kind", samples.KINDS)
def test_demo_template_with_its_example_layers_is_a_valid_spec(kind):
    template = samples.demo_template(kind)
    spec = {
        "product": {"image": samples.demo_product_photo(kind, 300)},
        "printAreas": template["printAreas"],
        "layers": template["exampleLayers"],
    }
    design = render.parse_spec(spec)
    assert all(a.width_mm > 0 and a.height_mm > 0 for a in design.print_areas)
    bare = np.asarray(
        Image.open(io.BytesIO(render.preview(dict(spec, layers=[]), 300, "png"))), np.float32
    )
    shown = np.asarray(Image.open(io.BytesIO(render.preview(spec, 300, "png"))), np.float32)
    assert np.abs(shown - bare).max() > 60  # the example design shows on the product


def test_demo_template_is_a_fresh_copy():
    samples.demo_template("mug")["printAreas"][0]["x"] = 0.9
    assert samples.demo_template("mug")["printAreas"][0]["x"] == 0.32


def test_unknown_demo_kind_is_refused():
    with pytest.raises(ValueError):
        samples.demo_product_photo("sofa")
    with pytest.raises(ValueError):
        samples.demo_template("sofa")
