"""Golden images: each material's preview must keep looking the way it was approved.

The references in golden/ are crops of the print area from a 480 px preview. After
an intended change of look, regenerate them with ``LUNEO_UPDATE_GOLDEN=1`` and look
at every PNG before committing.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import render
from render import samples

GOLDEN = Path(__file__).parent / "golden"
SPECS = json.loads((GOLDEN / "specs.json").read_text(encoding="utf-8"))
NAMES = sorted(k for k in SPECS if not k.startswith("_"))
WIDTH = 480
TOLERANCE = 1.0  # mean absolute difference, 0..255, over the print area crop
DESIGN_TOLERANCE = 4.0  # the same over the pixels the design changes (a stricter look)
UPDATE = os.environ.get("LUNEO_UPDATE_GOLDEN") == "1"


def _spec(name: str) -> tuple[dict, str]:
    golden = SPECS[name]
    kind = golden["product"].removeprefix("demo:")
    template = samples.demo_template(kind)
    spec = {
        "product": {"image": samples.demo_product_photo(kind, 400)},
        "printAreas": template["printAreas"],
        "layers": golden["layers"],
    }
    return spec, kind


def _area_crop(image: Image.Image, spec: dict) -> Image.Image:
    area = spec["printAreas"][0]
    w, h = image.size
    m = 0.03
    box = (
        round(max(0.0, area["x"] - m) * w),
        round(max(0.0, area["y"] - m) * h),
        round(min(1.0, area["x"] + area["width"] + m) * w),
        round(min(1.0, area["y"] + area["height"] + m) * h),
    )
    return image.crop(box)


def _preview_crop(spec: dict) -> np.ndarray:
    image = Image.open(io.BytesIO(render.preview(spec, width=WIDTH, fmt="png"))).convert("RGB")
    return np.asarray(_area_crop(image, spec), np.float32)


@pytest.mark.parametrize("name", NAMES)
def test_material_preview_matches_its_golden_image(name):
    spec, _ = _spec(name)
    actual = _preview_crop(spec)
    ref_path = GOLDEN / f"{name}.png"
    if UPDATE:
        Image.fromarray(actual.astype(np.uint8)).save(ref_path, optimize=True)
        pytest.skip(f"golden image {ref_path.name} rewritten; review it before committing")
    assert ref_path.exists(), f"missing {ref_path}; run with LUNEO_UPDATE_GOLDEN=1"
    expected = np.asarray(Image.open(ref_path).convert("RGB"), np.float32)
    assert actual.shape == expected.shape
    diff = np.abs(actual - expected)
    assert diff.mean() <= TOLERANCE, f"{name}: mean abs difference {diff.mean():.2f}"
    bare = _preview_crop(dict(spec, layers=[]))
    design = np.abs(expected - bare).max(axis=-1) > 8
    on_design = diff[design].mean()
    assert on_design <= DESIGN_TOLERANCE, f"{name}: {on_design:.2f} on the design's pixels"


@pytest.mark.parametrize("name", NAMES)
def test_golden_design_is_visible_on_the_product(name):
    """Guards the goldens themselves: a blank or invisible design must not be approved."""
    spec, _ = _spec(name)
    bare = _preview_crop(dict(spec, layers=[]))
    designed = _preview_crop(spec)
    changed = (np.abs(designed - bare).max(axis=-1) > 25).mean()
    assert changed > 0.02, f"{name}: the design changes only {changed:.1%} of the print area"
