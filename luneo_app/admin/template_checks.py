"""The template editor's checks: the designs feature's ``validate_template`` plus what the
admin form promises on top (sizes, choices, conditions), all reported per field.

Field keys are the JSON paths the editor marks: ``printAreas[0].widthMm``,
``options[2].maxChars``, ``options[3].values[1].value``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from render.spec import MATERIALS

from ..core.errors import ValidationFailed
from ..designs.template import validate_template

MAX_PRINT_AREAS = 12
MAX_OPTIONS = 30
MAX_VALUES = 40
MAX_TEMPLATE_BYTES = 100_000
MASKS = ("rect", "ellipse", "rounded")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,39}$")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _area_problems(areas: Any) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not isinstance(areas, list):
        return problems
    if len(areas) > MAX_PRINT_AREAS:
        problems["printAreas"] = f"at most {MAX_PRINT_AREAS} print areas"
    for i, area in enumerate(areas):
        if not isinstance(area, dict):
            continue
        where = f"printAreas[{i}]"
        if isinstance(area.get("id"), str) and area["id"].strip() and not _ID.match(area["id"]):
            problems[f"{where}.id"] = "use up to 40 letters, digits, spaces, - or _"
        if area.get("mask") not in (None, *MASKS):
            problems[f"{where}.mask"] = "shape must be rect, ellipse or rounded"
    return problems


def _values_problems(where: str, option: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    kind = option.get("type")
    values = option.get("values")
    if kind not in ("material", "color", "choice"):
        return problems
    if not isinstance(values, list) or not values:
        return {f"{where}.values": "add at least one choice"}
    if len(values) > MAX_VALUES:
        problems[f"{where}.values"] = f"at most {MAX_VALUES} choices"
    seen: set[Any] = set()
    for j, value in enumerate(values):
        if not isinstance(value, dict):
            continue
        v = value.get("value")
        key = f"{where}.values[{j}].value"
        if kind == "material" and v is not None and v not in MATERIALS:
            problems[key] = f"unknown material {v!r}"
        elif kind == "color" and not (isinstance(v, str) and _HEX.match(v)):
            problems[key] = "a colour is #RRGGBB"
        elif kind == "choice" and not (isinstance(v, str) and v.strip()):
            problems[key] = "give the choice a name"
        if isinstance(v, (str, type(None))) and v in seen:
            problems[key] = "this choice is listed twice"
        seen.add(v if isinstance(v, (str, type(None))) else id(v))
        label = value.get("label")
        if label is not None and (not isinstance(label, str) or len(label) > 80):
            problems[f"{where}.values[{j}].label"] = "at most 80 characters"
    return problems


def _text_problems(where: str, option: dict[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    default = option.get("default")
    limit = option.get("maxChars")
    if default is not None and not isinstance(default, str):
        problems[f"{where}.default"] = "the default text must be text"
    elif isinstance(default, str) and isinstance(limit, int) and len(default) > limit > 0:
        problems[f"{where}.default"] = f"the default text is longer than {limit} characters"
    for key in ("minSize", "maxSize"):
        size = option.get(key)
        if size is not None and (not _number(size) or not 4 <= size <= 500):
            problems[f"{where}.{key}"] = "size must be 4–500 pt"
    return problems


def _option_problems(options: Any) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not isinstance(options, list):
        return problems
    if len(options) > MAX_OPTIONS:
        problems["options"] = f"at most {MAX_OPTIONS} options"
    by_id = {o.get("id"): o for o in options if isinstance(o, dict)}
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        where = f"options[{i}]"
        if isinstance(option.get("id"), str) and not _ID.match(option["id"]):
            problems[f"{where}.id"] = "use up to 40 letters, digits, spaces, - or _"
        label = option.get("label")
        if isinstance(label, str) and len(label) > 80:
            problems[f"{where}.label"] = "at most 80 characters"
        if option.get("type") == "text":
            problems.update(_text_problems(where, option))
        if option.get("type") == "image":
            dpi = option.get("minDpi")
            if dpi is not None and (not isinstance(dpi, int) or not 72 <= dpi <= 600):
                problems[f"{where}.minDpi"] = "minimum print quality must be 72–600 dpi"
        problems.update(_values_problems(where, option))
        cond = option.get("showWhen")
        target = by_id.get(cond.get("option")) if isinstance(cond, dict) else None
        if target is not None and target.get("values"):
            offered = [v.get("value") for v in target["values"] if isinstance(v, dict)]
            if cond.get("equals") not in offered:
                problems[f"{where}.showWhen.equals"] = "pick one of that option's choices"
    return problems


def sync_materials(template: dict[str, Any]) -> dict[str, Any]:
    """Top-level ``materials`` = what the material options offer (printed colour if none),
    so designs are checked against exactly what the editor shows."""
    offered: list[Any] = []
    for option in template.get("options") or []:
        if isinstance(option, dict) and option.get("type") == "material":
            for value in option.get("values") or []:
                if isinstance(value, dict) and value.get("value") not in offered:
                    offered.append(value.get("value"))
    template["materials"] = offered or [None]
    return template


def check_template(template: Any) -> dict[str, Any]:
    """The template when it is valid; else ``ValidationFailed`` with a message per field."""
    if not isinstance(template, dict):
        raise ValidationFailed("The template must be an object.", code="invalid_template")
    if len(json.dumps(template, default=str)) > MAX_TEMPLATE_BYTES:
        raise ValidationFailed(
            "The template is too large.",
            code="invalid_template",
            details={"template": f"at most {MAX_TEMPLATE_BYTES} bytes"},
        )
    problems: dict[str, str] = {}
    try:
        validate_template(template)
    except ValidationFailed as exc:
        problems.update(exc.details or {})
    for key, message in {
        **_area_problems(template.get("printAreas")),
        **_option_problems(template.get("options")),
    }.items():
        problems.setdefault(key, message)
    if problems:
        raise ValidationFailed(
            "The template has problems; see the fields.",
            code="invalid_template",
            details=problems,
        )
    return template
