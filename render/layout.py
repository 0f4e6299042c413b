"""Slots: where one layer may go inside its print area, and how a layer placed in a slot
becomes a layer of the area (render/SPEC.md, "Slots").

A slot is a box in fractions of its print area (``x``, ``y`` top-left, ``width``,
``height``) rotated ``rotation`` degrees clockwise about its centre. A layer with a slot
is placed in the slot's frame: its ``x``/``y`` are fractions of the slot, text auto-fits
the slot, an image's ``scale`` 1.0 fits the slot, and an image is clipped to the slot.
Text with ``arcRadiusMm`` follows an arc of that radius: the engine's ``curve`` (the arc's
angle) is derived from the set width of the text.

Resolution happens once, when the spec is parsed, so every output (preview, texture,
production PNG/PDF, vector outlines, preflight) sees the same area-level layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from render.errors import SpecError

_FIT_PX_PER_MM = 10.0  # resolution at which a slot's text is fitted (sizes are physical)
MAX_ARC_DEGREES = 330.0  # beyond this the ends of the text would meet


@dataclass(frozen=True)
class Slot:
    """A rotated box in fractions of a print area."""

    x: float
    y: float
    width: float
    height: float
    rotation: float = 0.0

    @property
    def center(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


def parse_slot(d: Any, field: str) -> Slot | None:
    """``{"x", "y", "width", "height", "rotation"}`` -> ``Slot`` (None when absent)."""
    if d is None:
        return None
    if not isinstance(d, Mapping):
        raise SpecError("bad_value", "slot must be an object", field)
    values = {}
    for key, lo, hi, default in (
        ("x", 0.0, 1.0, None),
        ("y", 0.0, 1.0, None),
        ("width", 1e-3, 1.0, None),
        ("height", 1e-3, 1.0, None),
        ("rotation", -360.0, 360.0, 0.0),
    ):
        value = d.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SpecError("bad_value", f"slot {key} must be a number", f"{field}.{key}")
        if not lo <= value <= hi:
            raise SpecError(
                "bad_value", f"slot {key} must be between {lo} and {hi}", f"{field}.{key}"
            )
        values[key] = float(value)
    if values["x"] + values["width"] > 1.0001 or values["y"] + values["height"] > 1.0001:
        raise SpecError("slot_outside_print_area", "the slot extends past its print area", field)
    return Slot(**values)


def to_area(slot: Slot, x: float, y: float, area_mm: tuple[float, float]) -> tuple[float, float]:
    """A point given in fractions of ``slot`` as fractions of the print area."""
    w_mm, h_mm = area_mm
    dx = (x - 0.5) * slot.width * w_mm
    dy = (y - 0.5) * slot.height * h_mm
    t = math.radians(slot.rotation)
    rx, ry = dx * math.cos(t) - dy * math.sin(t), dx * math.sin(t) + dy * math.cos(t)
    cx, cy = slot.center
    return cx + rx / w_mm, cy + ry / h_mm


def resolve_text(
    layer, slot: Slot | None, area_mm: tuple[float, float], arc_radius_mm: float | None
):
    """A text layer placed in ``slot`` as a layer of the area: fixed size, area centre.

    Auto-fit uses the slot's free space (the layer's ``size`` stays the upper bound);
    with ``arc_radius_mm`` the curve is the angle the set text spans on that radius.
    """
    from render import text  # text imports spec, which imports this module

    if slot is None and not arc_radius_mm:
        return layer
    s = slot or Slot(0.0, 0.0, 1.0, 1.0)
    k = _FIT_PX_PER_MM
    canvas = (s.width * area_mm[0] * k, s.height * area_mm[1] * k)
    fitted = replace(layer, auto_fit=layer.auto_fit or layer.size_pt is None)
    px = text.font_px_for(fitted, canvas, k)
    if arc_radius_mm:
        sign = 1.0 if arc_radius_mm > 0 else -1.0
        radius_px = abs(arc_radius_mm) * k
        for _ in range(4):  # the curve changes the fit, the fit changes the width
            width = text.line_width(fitted, max(1, round(px)))
            curve = sign * min(MAX_ARC_DEGREES, math.degrees(width / radius_px))
            fitted = replace(fitted, curve=curve)
            px = text.font_px_for(fitted, canvas, k)
    x, y = to_area(s, layer.x, layer.y, area_mm)
    return replace(
        fitted,
        x=x,
        y=y,
        rotation=layer.rotation + s.rotation,
        size_pt=px / k / text.MM_PER_PT,
        auto_fit=False,
    )


def resolve_image(layer, slot: Slot | None, area_mm: tuple[float, float]):
    """An image layer placed in ``slot`` as a layer of the area, fitted to and clipped by it."""
    if slot is None:
        return layer
    x, y = to_area(slot, layer.x, layer.y, area_mm)
    return replace(
        layer,
        x=x,
        y=y,
        rotation=layer.rotation + slot.rotation,
        fit=(slot.width, slot.height),
        clip=slot,
    )
