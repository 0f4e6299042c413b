"""A product's personalization template, and the checks a design must pass against it.

Template shape (stored on ``Product.template``)::

    {
      "printAreas": [ {id, x, y, width, height, rotation, widthMm, heightMm, mask,
                       profile: {kind, bleedMm, safeMm, dpi, colorSpace, icc, outputs, ...}} ],
      "fonts": ["playfair-display", ...],          # allowed fonts (all when absent)
      "materials": [null, "gold", ...],            # allowed materials (null = printed colour)
      "options": [                                 # what the shopper fills in
        {"id": "name", "type": "text", "label": "Name", "labels": {"fr": "Prénom"},
         "printArea": "front",
         "maxChars": 12, "fonts": [...], "minSize": 10, "maxSize": 48, "default": "",
         "priceCents": 0},
        {"id": "finish", "type": "material", "values": [{"value": "gold", "priceCents": 500}]},
        {"id": "photo", "type": "image", "printArea": "front", "minDpi": 150},
        {"id": "art", "type": "ai", "printArea": "front"},
        ... any option may carry "showWhen": {"option": "finish", "equals": "gold"}
      ],
      "variants": [                                # optional: per-variant photo and areas
        {"id": "44012", "label": "Black", "photoKey": "...", "printAreas": [...]}
      ]                                            # (designs.variants)
    }
"""

from __future__ import annotations

from typing import Any

from render import profiles
from render.errors import SpecError

from ..core.errors import ValidationFailed
from . import layout, variants


def text_options(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in template.get("options", []) if o.get("type") == "text"]


def option_by_id(template: dict[str, Any], option_id: str) -> dict[str, Any] | None:
    for option in template.get("options", []):
        if option.get("id") == option_id:
            return option
    return None


def check_layers(template: dict[str, Any], layers: list[dict[str, Any]]) -> None:
    """Refuse layers the merchant's template does not allow (fields named in details),
    and layers placed outside their slot (``layout.check_placement``)."""
    layout.check_placement(layers)
    problems: dict[str, str] = {}
    fonts = template.get("fonts")
    materials = template.get("materials")
    for index, layer in enumerate(layers):
        where = f"layers[{index}]"
        if not isinstance(layer, dict):
            problems[where] = "must be an object"
            continue
        kind = layer.get("type")
        option = option_by_id(template, layer["optionId"]) if layer.get("optionId") else None
        if layer.get("optionId") and option is None:
            problems[f"{where}.optionId"] = f"unknown option {layer['optionId']!r}"
            continue
        if kind == "text":
            if option is None:
                area_options = [
                    o
                    for o in text_options(template)
                    if o.get("printArea") == layer.get("printArea")
                ]
                option = area_options[0] if len(area_options) == 1 else None
            allowed_fonts = (option or {}).get("fonts") or fonts
            if allowed_fonts and layer.get("font") not in allowed_fonts:
                problems[f"{where}.font"] = (
                    f"font {layer.get('font')!r} is not offered; choose one of "
                    + ", ".join(allowed_fonts)
                )
            limit = (option or {}).get("maxChars")
            text = layer.get("text")
            if limit and isinstance(text, str) and len(text) > int(limit):
                problems[f"{where}.text"] = f"at most {limit} characters ({len(text)} given)"
            size = layer.get("size")
            if option and isinstance(size, (int, float)):
                low, high = option.get("minSize"), option.get("maxSize")
                if (low and size < low) or (high and size > high):
                    problems[f"{where}.size"] = f"size must be between {low} and {high} pt"
        # A null material (printed colour) is allowed only when the list offers null.
        if materials is not None and layer.get("material") not in materials:
            problems[f"{where}.material"] = (
                f"material {layer.get('material')!r} is not offered for this product"
            )
    if problems:
        raise ValidationFailed(
            "The design does not fit this product's template.",
            code="template_violation",
            details=problems,
        )


def check_options(template: dict[str, Any], options: dict[str, Any]) -> None:
    """Option values must name options of the template, and choices must be offered."""
    problems: dict[str, str] = {}
    declared = {o.get("id"): o for o in template.get("options", [])}
    for key, value in options.items():
        option = declared.get(key)
        if option is None:
            if declared:
                problems[f"options.{key}"] = "unknown option"
            continue
        values = option.get("values")
        if values and value not in [v.get("value") for v in values]:
            problems[f"options.{key}"] = f"{value!r} is not one of the offered values"
        if option.get("type") == "text" and option.get("maxChars") and isinstance(value, str):
            if len(value) > int(option["maxChars"]):
                problems[f"options.{key}"] = f"at most {option['maxChars']} characters"
    if problems:
        raise ValidationFailed(
            "Some options are not offered for this product.",
            code="invalid_options",
            details=problems,
        )


OPTION_TYPES = {"text", "material", "color", "image", "ai", "choice"}
MAX_LABEL = 80


def _check_labels(labels: Any, where: str, problems: dict[str, str]) -> None:
    """Per-language labels: ``{"fr": "Prénom", "de": "Vorname"}`` (two-letter codes)."""
    if labels is None:
        return
    if not isinstance(labels, dict):
        problems[where] = 'give labels per language, like {"fr": "Prénom"}'
        return
    for code, text in labels.items():
        if not (isinstance(code, str) and len(code) == 2 and code.isascii() and code.isalpha()):
            problems[where] = f"{code!r} is not a two-letter language code (fr, de, es ...)"
        elif code != code.lower():
            problems[where] = f"write language codes in lower case ({code.lower()!r})"
        elif not isinstance(text, str) or not text.strip() or len(text) > MAX_LABEL:
            problems[f"{where}.{code}"] = f"a label of 1–{MAX_LABEL} characters"


def validate_template(template: Any) -> dict[str, Any]:
    """Check a merchant's template; raises ``ValidationFailed`` with a message per field.

    Print areas must lie inside the photo (fractions 0..1) and have a physical size; text
    options need a positive character limit and known fonts; conditions must name options.
    """
    from render import fonts as font_catalog

    if not isinstance(template, dict):
        raise ValidationFailed("The template must be an object.", code="invalid_template")
    problems: dict[str, str] = {}
    known_fonts = {f.id for f in font_catalog.catalog()}
    areas = template.get("printAreas")
    if not isinstance(areas, list) or not areas:
        problems["printAreas"] = "add at least one print area"
        areas = []
    area_ids: set[str] = set()
    for i, area in enumerate(areas):
        where = f"printAreas[{i}]"
        problems.update(_area_problems(where, area))
        area_id = area.get("id") if isinstance(area, dict) else None
        if isinstance(area_id, str) and area_id.strip():
            if area_id in area_ids:
                problems[f"{where}.id"] = f"another print area is already called {area_id!r}"
            area_ids.add(area_id)
    problems.update(variants.variant_problems(template, _area_problems, _check_labels, area_ids))
    for key in ("fonts",):
        for font in template.get(key) or []:
            if font not in known_fonts:
                problems[key] = f"unknown font {font!r}"
    options = template.get("options") or []
    if not isinstance(options, list):
        problems["options"] = "must be a list"
        options = []
    option_ids = [o.get("id") for o in options if isinstance(o, dict)]
    for i, option in enumerate(options):
        where = f"options[{i}]"
        if not isinstance(option, dict):
            problems[where] = "must be an object"
            continue
        if not option.get("id"):
            problems[f"{where}.id"] = "required"
        elif option_ids.count(option["id"]) > 1:
            problems[f"{where}.id"] = "option ids must be unique"
        if option.get("type") not in OPTION_TYPES:
            problems[f"{where}.type"] = "type must be one of " + ", ".join(sorted(OPTION_TYPES))
        if not str(option.get("label", "")).strip():
            problems[f"{where}.label"] = "give the option a label shoppers will see"
        _check_labels(option.get("labels"), f"{where}.labels", problems)
        if option.get("printArea") is not None and option.get("printArea") not in area_ids:
            problems[f"{where}.printArea"] = f"no print area {option.get('printArea')!r}"
        if option.get("type") == "text":
            max_chars = option.get("maxChars")
            if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
                problems[f"{where}.maxChars"] = "maximum characters must be at least 1"
            elif max_chars > 500:
                problems[f"{where}.maxChars"] = "maximum characters must be at most 500"
            for font in option.get("fonts") or []:
                if font not in known_fonts:
                    problems[f"{where}.fonts"] = f"unknown font {font!r}"
            low, high = option.get("minSize"), option.get("maxSize")
            if low is not None and high is not None and low > high:
                problems[f"{where}.minSize"] = "smallest size must not exceed the largest"
        price = option.get("priceCents", 0)
        if not isinstance(price, int) or price < 0:
            problems[f"{where}.priceCents"] = "price add-on must be a whole number of cents ≥ 0"
        for j, value in enumerate(option.get("values") or []):
            vprice = value.get("priceCents", 0) if isinstance(value, dict) else None
            if not isinstance(value, dict) or "value" not in value:
                problems[f"{where}.values[{j}]"] = "each choice needs a value"
            elif not isinstance(vprice, int) or vprice < 0:
                problems[f"{where}.values[{j}].priceCents"] = "must be a whole number ≥ 0"
            if isinstance(value, dict):
                _check_labels(value.get("labels"), f"{where}.values[{j}].labels", problems)
        if option.get("slot") is not None:
            problems.update(_slot_problems(where, option))
        cond = option.get("showWhen")
        if cond is not None:
            if not isinstance(cond, dict) or cond.get("option") not in option_ids:
                problems[f"{where}.showWhen"] = "the condition must name another option"
            elif cond.get("option") == option.get("id"):
                problems[f"{where}.showWhen"] = "an option cannot depend on itself"
    if problems:
        raise ValidationFailed(
            "The template has problems; see the fields.",
            code="invalid_template",
            details=problems,
        )
    return template


def _slot_problems(where: str, option: dict[str, Any]) -> dict[str, str]:
    """An option's slot: a box inside its print area, a turn, a paint order, a text arc."""
    slot = option["slot"]
    where = f"{where}.slot"
    if option.get("type") not in layout.PLACEABLE:
        return {where: "only text, photo and artwork options have a place on the product"}
    if not isinstance(slot, dict):
        return {where: "must be an object"}
    problems: dict[str, str] = {}
    nums = {}
    for key in ("x", "y", "width", "height"):
        value = slot.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems[f"{where}.{key}"] = "must be a number"
        else:
            nums[key] = float(value)
    if len(nums) == 4:
        if nums["width"] < layout.MIN_SLOT or nums["height"] < layout.MIN_SLOT:
            problems[f"{where}.width"] = "the slot needs a size"
        elif (
            nums["x"] < 0
            or nums["y"] < 0
            or nums["x"] + nums["width"] > 1.0001
            or nums["y"] + nums["height"] > 1.0001
        ):
            problems[where] = "the slot must lie inside its print area"
    rotation = slot.get("rotation", 0)
    if (
        not isinstance(rotation, (int, float))
        or isinstance(rotation, bool)
        or not -180 <= rotation <= 180
    ):
        problems[f"{where}.rotation"] = "rotation must be between -180 and 180 degrees"
    z = slot.get("z", 0)
    if not isinstance(z, int) or isinstance(z, bool) or not 0 <= z <= 99:
        problems[f"{where}.z"] = "the stacking order must be a whole number 0..99"
    radius = slot.get("arcRadiusMm")
    if radius is not None:
        if option.get("type") != "text":
            problems[f"{where}.arcRadiusMm"] = "only text follows an arc"
        elif (
            not isinstance(radius, (int, float))
            or isinstance(radius, bool)
            or not 1 <= radius <= 5000
        ):
            problems[f"{where}.arcRadiusMm"] = "the arc radius must be 1–5000 mm"
    if slot.get("arcDirection") not in (None, *layout.ARC_DIRECTIONS):
        problems[f"{where}.arcDirection"] = "the arc goes over the top (arch) or under (smile)"
    return problems


def _area_problems(where: str, area: Any) -> dict[str, str]:
    """A print area's problems: inside the photo (fractions 0..1), a physical size, a turn."""
    problems: dict[str, str] = {}
    if not isinstance(area, dict):
        problems[where] = "must be an object"
        return problems
    area_id = area.get("id")
    if not isinstance(area_id, str) or not area_id.strip():
        problems[f"{where}.id"] = "give the print area a name"
    nums = {}
    for key in ("x", "y", "width", "height", "widthMm", "heightMm"):
        value = area.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems[f"{where}.{key}"] = "must be a number"
        else:
            nums[key] = float(value)
    if len(nums) == 6:
        if nums["width"] <= 0 or nums["height"] <= 0:
            problems[f"{where}.width"] = "the print area needs a size"
        if (
            nums["x"] < 0
            or nums["y"] < 0
            or nums["x"] + nums["width"] > 1.0001
            or nums["y"] + nums["height"] > 1.0001
        ):
            problems[where] = "the print area must lie inside the product photo"
        if not 1 <= nums["widthMm"] <= 2000:
            problems[f"{where}.widthMm"] = "physical width must be 1–2000 mm"
        if not 1 <= nums["heightMm"] <= 2000:
            problems[f"{where}.heightMm"] = "physical height must be 1–2000 mm"
    if area.get("profile") is not None:
        try:
            profiles.parse_profile(area["profile"], "profile")
        except SpecError as exc:
            problems[f"{where}.{exc.field or 'profile'}"] = exc.message
    rotation = area.get("rotation", 0)
    if not isinstance(rotation, (int, float)) or not -360 <= rotation <= 360:
        problems[f"{where}.rotation"] = "rotation must be between -360 and 360 degrees"
    return problems
