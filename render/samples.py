"""Demo products drawn in code: a studio photo and a matching personalization template.

``demo_product_photo(kind)`` is what a merchant sees as the demo product before
uploading photos of their own; ``demo_template(kind)`` gives print areas (image
fractions + millimetres) that sit on that photo. Both are deterministic.
"""

from __future__ import annotations

import copy
import io
from functools import lru_cache

from PIL import Image

from render import _studio as st
from render._products import DRAW

KINDS = ("mug", "ring", "tshirt", "phone-case", "pendant", "cutting-board", "tumbler")


def demo_product_photo(kind: str = "mug", size: int = 1600) -> bytes:
    """A square studio photo of a demo product, drawn in code, as PNG bytes.

    ``kind`` is one of ``KINDS``. The same arguments always give the same bytes.
    """
    if kind not in DRAW:
        raise ValueError(f"unknown demo product {kind!r}; choose one of {', '.join(KINDS)}")
    return _photo_png(kind, int(size))


def demo_template(kind: str = "mug") -> dict:
    """Personalization template for ``demo_product_photo(kind)``.

    Returns ``{"kind", "name", "product", "printAreas", "materials", "fonts",
    "exampleLayers"}``: print areas use the spec's fraction-of-image geometry and
    carry their physical size in millimetres, so the dict plus a product image and
    layers is a valid design spec (see render/SPEC.md).
    """
    if kind not in _TEMPLATES:
        raise ValueError(f"unknown demo product {kind!r}; choose one of {', '.join(KINDS)}")
    return copy.deepcopy(_TEMPLATES[kind])


@lru_cache(maxsize=8)
def _photo_png(kind: str, size: int) -> bytes:
    canvas = st.Canvas(size)
    DRAW[kind](canvas)
    canvas.grain(seed=7)
    buf = io.BytesIO()
    Image.fromarray(canvas.to_uint8(), "RGB").save(buf, "PNG", optimize=False)
    return buf.getvalue()


_TEMPLATES: dict[str, dict] = {
    "mug": {
        "kind": "mug",
        "name": "Ceramic mug 11 oz",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "front", "x": 0.32, "y": 0.36, "width": 0.30, "height": 0.34,
             "rotation": 0, "widthMm": 72, "heightMm": 82, "mask": "rect"},
        ],
        "materials": [None, "gold", "silver", "rose-gold"],
        "fonts": ["playfair-display", "dancing-script", "lato", "bebas-neue"],
        "exampleLayers": [
            {"type": "text", "printArea": "front", "text": "Jessica", "font": "dancing-script",
             "autoFit": True, "align": "center", "color": "#1f2a44", "x": 0.5, "y": 0.5},
        ],
    },
    "ring": {
        "kind": "ring",
        "name": "Gold band ring",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "band", "x": 0.36, "y": 0.545, "width": 0.28, "height": 0.09,
             "rotation": 0, "widthMm": 25, "heightMm": 8, "mask": "rect"},
        ],
        "materials": ["gold", "silver", "rose-gold"],
        "fonts": ["playfair-display", "eb-garamond", "dancing-script", "kristi"],
        "exampleLayers": [
            {"type": "text", "printArea": "band", "text": "Forever", "font": "eb-garamond",
             "autoFit": True, "material": "gold", "curve": 12, "x": 0.5, "y": 0.5, "maxChars": 20},
        ],
    },
    "tshirt": {
        "kind": "tshirt",
        "name": "Organic cotton T-shirt",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "chest", "x": 0.35, "y": 0.26, "width": 0.30, "height": 0.32,
             "rotation": 0, "widthMm": 280, "heightMm": 300, "mask": "rect"},
        ],
        "materials": [None],
        "fonts": ["bebas-neue", "lato", "roboto-slab", "kaushan-script", "comic-neue"],
        "exampleLayers": [
            {"type": "text", "printArea": "chest", "text": "TEAM\nLUNEO", "font": "bebas-neue",
             "autoFit": True, "color": "#c0392b", "x": 0.5, "y": 0.4},
        ],
    },
    "phone-case": {
        "kind": "phone-case",
        "name": "Aluminium phone case",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "back", "x": 0.34, "y": 0.40, "width": 0.32, "height": 0.40,
             "rotation": 0, "widthMm": 56, "heightMm": 70, "mask": "rounded"},
        ],
        "materials": [None, "black-anodized"],
        "fonts": ["lato", "courier-prime", "roboto-slab", "bebas-neue"],
        "exampleLayers": [
            {"type": "text", "printArea": "back", "text": "A.M.", "font": "playfair-display",
             "autoFit": True, "material": "black-anodized", "x": 0.5, "y": 0.5},
        ],
    },
    "pendant": {
        "kind": "pendant",
        "name": "Silver disc pendant",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "face", "x": 0.30, "y": 0.36, "width": 0.40, "height": 0.40,
             "rotation": 0, "widthMm": 25, "heightMm": 25, "mask": "ellipse"},
        ],
        "materials": ["silver", "gold", "rose-gold"],
        "fonts": ["dancing-script", "playfair-display", "kristi", "eb-garamond"],
        "exampleLayers": [
            {"type": "text", "printArea": "face", "text": "Mia", "font": "dancing-script",
             "autoFit": True, "material": "silver", "x": 0.5, "y": 0.5, "maxChars": 12},
        ],
    },
    "cutting-board": {
        "kind": "cutting-board",
        "name": "Oak cutting board",
        "product": {"background": "#eeeeee", "aspect": 1.0},
        "printAreas": [
            {"id": "front", "x": 0.22, "y": 0.40, "width": 0.56, "height": 0.36,
             "rotation": 0, "widthMm": 240, "heightMm": 155, "mask": "rect"},
        ],
        "materials": ["wood-burn"],
        "fonts": ["kaushan-script", "playfair-display", "roboto-slab", "lobster-two"],
        "exampleLayers": [
            {"type": "text", "printArea": "front", "text": "The Millers\nEst. 2024",
             "font": "kaushan-script", "autoFit": True, "material": "wood-burn"},
        ],
    },
    "tumbler": {
        "kind": "tumbler",
        "name": "Glass tumbler",
        "product": {"background": "#333a44", "aspect": 1.0},
        "printAreas": [
            {"id": "front", "x": 0.34, "y": 0.32, "width": 0.32, "height": 0.36,
             "rotation": 0, "widthMm": 60, "heightMm": 68, "mask": "rect"},
        ],
        "materials": ["glass-etch"],
        "fonts": ["playfair-display", "eb-garamond", "dancing-script", "bebas-neue"],
        "exampleLayers": [
            {"type": "text", "printArea": "front", "text": "Cheers", "font": "dancing-script",
             "autoFit": True, "material": "glass-etch", "x": 0.5, "y": 0.5},
        ],
    },
}  # fmt: skip
