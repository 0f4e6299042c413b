"""Ready-made templates, so a product works the moment a merchant switches it on.

A product switched on without print areas gets one centred print area and a text field; a
template without declared options shows, in the editor, the options shoppers already see
(one text field per print area, a material picker when materials are offered) so saving
keeps the storefront as it was.
"""

from __future__ import annotations

import copy
from typing import Any

from render import samples

DEFAULT_FONTS = ["playfair-display", "dancing-script", "lato", "bebas-neue"]
MATERIAL_LABELS = {
    None: "Printed colour",
    "gold": "Gold",
    "silver": "Silver",
    "rose-gold": "Rose gold",
    "black-anodized": "Black anodized",
    "wood-burn": "Wood burn",
    "glass-etch": "Glass etch",
}
DEFAULT_MAX_CHARS = 20


def text_option(area_id: str, fonts: list[str] | None, max_chars: int | None) -> dict[str, Any]:
    """A text field for one print area, with the merchant's fonts and a sensible size range."""
    return {
        "id": f"text-{area_id}",
        "type": "text",
        "label": "Your text",
        "printArea": area_id,
        "maxChars": int(max_chars or DEFAULT_MAX_CHARS),
        "fonts": list(fonts or DEFAULT_FONTS),
        "default": "",
        "minSize": 8,
        "maxSize": 72,
        "priceCents": 0,
    }


def suggested_options(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The options a template without declared ones offers shoppers today."""
    fonts = [f for f in template.get("fonts") or [] if isinstance(f, str)] or None
    options = [
        text_option(str(area["id"]), fonts, area.get("maxChars"))
        for area in template.get("printAreas") or []
        if isinstance(area, dict) and area.get("id")
    ]
    materials = template.get("materials")
    if isinstance(materials, list) and materials and materials != [None]:
        options.append(
            {
                "id": "material",
                "type": "material",
                "label": "Finish",
                "values": [
                    {"value": m, "label": MATERIAL_LABELS.get(m, str(m)), "priceCents": 0}
                    for m in materials
                    if m is None or m in MATERIAL_LABELS
                ],
                "priceCents": 0,
            }
        )
    return options


def starter_template(existing: dict[str, Any] | None, kind: str | None = None) -> dict[str, Any]:
    """A valid template for a product switched on without print areas.

    Demo catalog products (``kind``) get the print areas drawn for their photo; others one
    centred print area the merchant then moves onto the product in the editor.
    """
    template = copy.deepcopy(existing or {})
    if kind is not None:
        sample = samples.demo_template(kind)
        sample.pop("exampleLayers", None)
        template.update(sample)
    else:
        template["printAreas"] = [
            {
                "id": "front",
                "x": 0.3,
                "y": 0.35,
                "width": 0.4,
                "height": 0.25,
                "rotation": 0,
                "widthMm": 80,
                "heightMm": 50,
                "mask": "rect",
            }
        ]
    template["options"] = suggested_options(template)
    return template
