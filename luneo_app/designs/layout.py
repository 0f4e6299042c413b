"""Where each option's layer goes: a slot per option inside its print area.

A template option that puts something on the product (``text``, ``image``, ``ai``) may carry
a ``slot`` drawn by the merchant in the template editor::

    "slot": {"x": 0, "y": 0.6, "width": 1, "height": 0.4,   # fractions of the print area
             "rotation": 0, "z": 2,                          # degrees; paint order (higher on top)
             "arcRadiusMm": 30, "arcDirection": "arch"}      # text only: along a circle

Templates saved before slots existed have none: ``slots`` lays those options out at read time
(photos and artwork side by side, text below them, or beside them on wide areas) so they no
longer stack on one another; the editor shows that layout and saves it with the template.

``place_layers`` is the one place a design's layers get their slot: the server copies the
template's slot onto each layer (a caller cannot send its own) and orders layers by ``z``.
The engine then places, fits and clips each layer in its slot (``render.layout``).
"""

from __future__ import annotations

import copy
from typing import Any

from ..core.errors import ValidationFailed

PLACEABLE = ("text", "image", "ai")
ARC_DIRECTIONS = ("arch", "smile")
DEFAULT_Z = {"image": 0, "ai": 1, "text": 2}
SLOT_KEYS = ("x", "y", "width", "height", "rotation")
MIN_SLOT = 0.02
MIN_SCALE, MAX_SCALE = 0.1, 5.0
_WIDE = 1.6  # an area this many times wider than tall puts text beside pictures


def _area_ids(template: dict[str, Any]) -> list[str]:
    return [a["id"] for a in template.get("printAreas") or [] if isinstance(a, dict) and "id" in a]


def area_of(template: dict[str, Any], option: dict[str, Any]) -> str | None:
    """The print area an option draws in (its own, else the first one)."""
    ids = _area_ids(template)
    return option.get("printArea") or (ids[0] if ids else None)


def _aspect(template: dict[str, Any], area_id: str | None) -> float:
    for area in template.get("printAreas") or []:
        if isinstance(area, dict) and area.get("id") == area_id:
            try:
                return float(area["widthMm"]) / float(area["heightMm"])
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                return 1.0
    return 1.0


def _valid_slot(slot: Any) -> bool:
    if not isinstance(slot, dict):
        return False
    try:
        x, y, w, h = (float(slot[k]) for k in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        return False
    return (
        0 <= x
        and 0 <= y
        and w >= MIN_SLOT
        and h >= MIN_SLOT
        and x + w <= 1.0001
        and y + h <= 1.0001
    )


def _rows(count: int, box: tuple[float, float, float, float]) -> list[dict[str, float]]:
    x, y, w, h = box
    return [{"x": x, "y": y + h * i / count, "width": w, "height": h / count} for i in range(count)]


def _columns(count: int, box: tuple[float, float, float, float]) -> list[dict[str, float]]:
    x, y, w, h = box
    return [{"x": x + w * i / count, "y": y, "width": w / count, "height": h} for i in range(count)]


def auto_layout(options: list[dict[str, Any]], aspect: float) -> list[dict[str, float]]:
    """Slots that do not overlap for ``options`` of one print area (w/h = ``aspect``)."""
    pictures = [o for o in options if o.get("type") in ("image", "ai")]
    texts = [o for o in options if o.get("type") == "text"]
    whole = (0.0, 0.0, 1.0, 1.0)
    if not pictures or not texts:
        group = pictures or texts
        boxes = _columns(len(group), whole) if pictures and aspect > 1 else _rows(len(group), whole)
    elif aspect >= _WIDE:
        boxes = _columns(len(pictures), (0.0, 0.0, 0.5, 1.0)) + _rows(
            len(texts), (0.5, 0.0, 0.5, 1.0)
        )
    else:
        boxes = _columns(len(pictures), (0.0, 0.0, 1.0, 0.6)) + _rows(
            len(texts), (0.0, 0.6, 1.0, 0.4)
        )
    order = pictures + texts
    out: list[dict[str, float]] = [{}] * len(options)
    for option, box in zip(order, boxes, strict=True):
        out[options.index(option)] = {k: round(v, 4) for k, v in box.items()}
    return out


def slots(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every placeable option's slot by option id: the merchant's, or laid out at read time.

    Options without a slot are laid out together per print area; they never move options
    that have one (the editor warns when slots overlap).
    """
    options = [
        o for o in template.get("options") or []
        if isinstance(o, dict) and o.get("type") in PLACEABLE and o.get("id")
    ]  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    pending: dict[str | None, list[dict[str, Any]]] = {}
    for option in options:
        if _valid_slot(option.get("slot")):
            out[option["id"]] = _normalized(option, option["slot"])
        else:
            pending.setdefault(area_of(template, option), []).append(option)
    for area_id, group in pending.items():
        for option, box in zip(group, auto_layout(group, _aspect(template, area_id)), strict=True):
            out[option["id"]] = _normalized(option, box)
    return out


def _normalized(option: dict[str, Any], slot: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: float(slot.get(k, 0.0)) for k in SLOT_KEYS}
    z = slot.get("z")
    out["z"] = z if isinstance(z, int) and not isinstance(z, bool) else DEFAULT_Z[option["type"]]
    radius = slot.get("arcRadiusMm")
    if option["type"] == "text" and isinstance(radius, (int, float)) and radius >= 1:
        out["arcRadiusMm"] = float(radius)
        out["arcDirection"] = (
            slot.get("arcDirection") if slot.get("arcDirection") in ARC_DIRECTIONS else "arch"
        )
    return out


def with_slots(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``template`` whose placeable options all carry their slot (the editor's view)."""
    out = copy.deepcopy(template)
    found = slots(out)
    for option in out.get("options") or []:
        if isinstance(option, dict) and option.get("id") in found:
            option["slot"] = found[option["id"]]
    return out


def option_for(template: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any] | None:
    """The template option a layer fills: named by ``optionId``, else the only option of
    the layer's kind in its print area (API callers that send bare layers)."""
    options = [o for o in template.get("options") or [] if isinstance(o, dict)]
    if layer.get("optionId"):
        return next((o for o in options if o.get("id") == layer["optionId"]), None)
    kind = layer.get("type")
    area = layer.get("printArea") or (_area_ids(template) or [None])[0]
    same = [o for o in options if o.get("type") == kind and area_of(template, o) == area]
    return same[0] if len(same) == 1 else None


def place_layers(template: dict[str, Any], layers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The layers with their option's slot (and arc) copied from the template, in ``z`` order.

    A slot or arc sent by the caller is dropped: where a layer may go is the merchant's
    choice. Layers of no option keep the whole print area, as before slots existed.
    """
    found = slots(template)
    placed: list[tuple[int, int, dict[str, Any]]] = []
    for index, layer in enumerate(layers):
        if not isinstance(layer, dict):
            placed.append((0, index, layer))
            continue
        layer = {k: v for k, v in layer.items() if k not in ("slot", "arcRadiusMm")}
        option = option_for(template, layer)
        slot = found.get(option.get("id")) if option else None
        if slot is None:
            placed.append((DEFAULT_Z.get(layer.get("type"), 0), index, layer))
            continue
        layer["printArea"] = area_of(template, option)
        layer["slot"] = {k: slot[k] for k in SLOT_KEYS}
        if layer.get("type") == "text" and slot.get("arcRadiusMm"):
            sign = -1.0 if slot["arcDirection"] == "arch" else 1.0
            layer["arcRadiusMm"] = sign * slot["arcRadiusMm"]
        placed.append((slot["z"], index, layer))
    return [layer for _z, _i, layer in sorted(placed, key=lambda p: (p[0], p[1]))]


def check_placement(layers: list[dict[str, Any]]) -> None:
    """Refuse a layer placed outside its slot: centre outside it, or a size or turn out of range."""
    problems: dict[str, str] = {}
    for index, layer in enumerate(layers):
        if not isinstance(layer, dict) or "slot" not in layer:
            continue
        where = f"layers[{index}]"
        for key in ("x", "y"):
            value = layer.get(key, 0.5)
            if not _number(value) or not 0 <= value <= 1:
                problems[f"{where}.{key}"] = "the layer's centre must stay inside its slot (0..1)"
        scale = layer.get("scale", 1.0)
        if layer.get("type") in ("image", "ai") and (
            not _number(scale) or not MIN_SCALE <= scale <= MAX_SCALE
        ):
            problems[f"{where}.scale"] = f"scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}"
        rotation = layer.get("rotation", 0)
        if not _number(rotation) or not -180 <= rotation <= 180:
            problems[f"{where}.rotation"] = "rotation must be between -180 and 180 degrees"
    if problems:
        raise ValidationFailed(
            "A layer is placed outside its slot.", code="placement_outside_slot", details=problems
        )


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
