"""What the shopper chose, said the way the print shop and the merchant read it.

One description per design, used by the production ZIP's manifest, the admin's order rows
and the Shopify order write-back, so the three never disagree: each visible option the
shopper used with its label and the chosen value's label, and each layer with its text,
font, finish (material) and how it is made (``render.materials.process``: engrave / foil /
uv / print), colour, photo crop, or who made its artwork.
"""

from __future__ import annotations

from typing import Any

from render import fonts
from render import materials as render_materials
from render.errors import SpecError
from render.profiles import DEFAULTS

from ..ai import providers as ai_providers


def _visible(option: dict[str, Any], options: dict[str, Any]) -> bool:
    cond = option.get("showWhen")
    if not isinstance(cond, dict) or not cond.get("option"):
        return True
    return options.get(cond["option"]) == cond.get("equals")


def _used(option: dict[str, Any], options: dict[str, Any]) -> bool:
    value = options.get(option.get("id"))
    return bool(value.strip()) if isinstance(value, str) else value is not None


FINISH_NAMES = {
    None: "Printed colour",
    "gold": "Gold",
    "silver": "Silver",
    "rose-gold": "Rose gold",
    "black-anodized": "Black anodized",
    "wood-burn": "Wood burn",
    "glass-etch": "Glass etch",
}
PROCESS_NAMES = {"engrave": "engraved", "foil": "foil", "uv": "UV print", "print": "printed"}
TYPE_NAMES = {"text": "Text", "image": "Photo", "ai": "Artwork"}


def finish_label(material: str | None, option: dict[str, Any] | None = None) -> str:
    """The merchant's label for a finish (a material option's value), else its name."""
    for entry in (option or {}).get("values") or []:
        if isinstance(entry, dict) and entry.get("value") == material and entry.get("label"):
            return str(entry["label"])
    return FINISH_NAMES.get(material, str(material))


def _value_label(option: dict[str, Any], value: Any) -> str:
    if option.get("type") == "material":
        return finish_label(value, option)
    for entry in option.get("values") or []:
        if isinstance(entry, dict) and entry.get("value") == value and entry.get("label"):
            return str(entry["label"])
    if option.get("type") == "image":
        return "photo uploaded"
    return str(value)


def _font_name(font_id: Any) -> str | None:
    try:
        return fonts.get(str(font_id)).name if font_id else None
    except SpecError:  # a font withdrawn from the catalog since: keep its id
        return str(font_id)


def _profile_kind(template: dict[str, Any], area_id: Any) -> str:
    for area in template.get("printAreas") or []:
        if isinstance(area, dict) and area.get("id") == area_id:
            kind = (area.get("profile") or {}).get("kind")
            return kind if kind in DEFAULTS else "print-srgb"
    return "print-srgb"


def _material_option(template: dict[str, Any], area_id: Any) -> dict[str, Any] | None:
    for option in template.get("options") or []:
        if isinstance(option, dict) and option.get("type") == "material":
            if option.get("printArea") in (None, area_id):
                return option
    return None


def describe_choices(
    template: dict[str, Any], options: dict[str, Any], layers: list[dict[str, Any]]
) -> dict[str, Any]:
    """``{"options": [...], "layers": [...], "summary": "Name: Anna · Finish: Gold (foil)"}``.

    ``options`` lists the visible options the shopper used (``option``, ``label``, ``value``,
    ``valueLabel``); ``layers`` what each layer is and how it is made.
    """
    template = template or {}
    options = options or {}
    chosen = []
    for option in template.get("options") or []:
        if not isinstance(option, dict) or not _visible(option, options):
            continue
        if not _used(option, options):
            continue
        value = options[option["id"]]
        chosen.append(
            {
                "option": option["id"],
                "label": str(option.get("label") or option["id"]),
                "type": option.get("type"),
                "value": value,
                "valueLabel": _value_label(option, value),
            }
        )
    described = []
    for index, layer in enumerate(layers or []):
        if not isinstance(layer, dict):
            continue
        kind = layer.get("type")
        area = layer.get("printArea")
        entry: dict[str, Any] = {"layer": index, "type": kind, "printArea": area}
        if layer.get("optionId"):
            entry["option"] = layer["optionId"]
        if kind in ("text", "image"):
            material = layer.get("material")
            process = render_materials.process(material, _profile_kind(template, area))
            entry["finish"] = material
            entry["finishLabel"] = finish_label(material, _material_option(template, area))
            entry["process"] = process
            if process != "engrave":
                entry["printedColor"] = _printed_color(layer, material)
        if kind == "text":
            entry["text"] = layer.get("text")
            entry["font"] = layer.get("font")
            entry["fontName"] = _font_name(layer.get("font"))
            if layer.get("size") is not None:
                entry["size"] = layer["size"]
            if layer.get("curve"):
                entry["curve"] = layer["curve"]
        elif kind == "image":
            entry["uploadId"] = layer.get("uploadId")
            entry["crop"] = layer.get("crop") or {"x": 0, "y": 0, "width": 1, "height": 1}
            if layer.get("scale") not in (None, 1):
                entry["scale"] = layer["scale"]
        elif kind == "ai":
            provider = layer.get("artworkProvider")
            entry["artworkProvider"] = provider
            entry["artworkLabel"] = ai_providers.LABELS.get(provider) if provider else None
            entry["prompt"] = layer.get("prompt")
        described.append(entry)
    return {"options": chosen, "layers": described, "summary": summary_text(chosen, described)}


def _printed_color(layer: dict[str, Any], material: str | None) -> str:
    if material is not None:
        r, g, b = render_materials.PRINTED_COLORS.get(material, render_materials.PRODUCTION_INK)
        return f"#{r:02x}{g:02x}{b:02x}"
    color = layer.get("color")
    return str(color).lower() if isinstance(color, str) else "#1a1a1a"


def summary_text(chosen: list[dict[str, Any]], layers: list[dict[str, Any]]) -> str:
    """One line for people: the options, then each layer's font, finish and process."""
    marked = any(layer["type"] in ("text", "image") for layer in layers)
    # finishes and colours are said per layer (with how they are made) when there are layers
    skip = {"image", "material", "color"} if marked else {"image"}
    parts = [f"{c['label']}: {c['valueLabel']}" for c in chosen if c.get("type") not in skip]
    for layer in layers:
        if layer["type"] == "text":
            if not any(c["valueLabel"] == layer.get("text") for c in chosen):
                parts.append(f"Text: {layer.get('text')}")
            if layer.get("fontName"):
                parts.append(f"Font: {layer['fontName']}")
        elif layer["type"] == "image":
            crop = layer.get("crop") or {}
            zoom = ""
            if crop.get("width", 1) < 0.999:
                zoom = f", cropped to {round(100 * crop['width'])}%"
            parts.append(f"Photo{zoom}")
        elif layer["type"] == "ai" and layer.get("artworkLabel"):
            parts.append(layer["artworkLabel"])
        if layer["type"] in ("text", "image"):
            process = PROCESS_NAMES[layer["process"]]
            if layer.get("finish") is None and layer.get("printedColor"):
                parts.append(f"Colour: {layer['printedColor']} ({process})")
            else:
                parts.append(f"Finish: {layer['finishLabel']} ({process})")
    out: list[str] = []
    for part in parts:  # one mention each, in order
        if part not in out:
            out.append(part)
    return " · ".join(out)


def design_choices(design: Any, product: Any | None = None) -> dict[str, Any]:
    """``describe_choices`` of a stored design: the template as finalized (the snapshot keeps
    its options and print areas), else the product's current template."""
    snapshot = design.snapshot or {}
    template = snapshot.get("template")
    if template is None:
        template = dict((product.template if product is not None else None) or {})
        if snapshot.get("printAreas") is not None:
            template["printAreas"] = snapshot["printAreas"]
    return describe_choices(template, design.options or {}, design.layers or [])
