"""Print quality the merchant chose, enforced: a photo below its option's ``minDpi`` at its
placed size is refused at upload, at design creation and at finalize (422).

The floor is the image option's ``minDpi`` (the editor's default, 150, when the option does
not say); the print area's profile may add its own floor (``minPhotoDpi``, a preflight
finding that blocks only when the profile says so). The effective dpi is the engine's own
(``render.preflight.effective_dpi``), so the figure the shopper is refused with is the one
the print file will have.
"""

from __future__ import annotations

from typing import Any

import render
from render.spec import DesignSpec, ImageLayer

from ..core.errors import ValidationFailed

DEFAULT_MIN_DPI = 150  # what the template editor offers first


def image_option(
    template: dict[str, Any], option_id: str | None, print_area: str | None
) -> dict[str, Any] | None:
    """The image option a photo belongs to: named by id, else the area's (first) one."""
    options = [o for o in template.get("options") or [] if isinstance(o, dict)]
    if option_id:
        return next((o for o in options if o.get("id") == option_id), None)
    return next(
        (
            o
            for o in options
            if o.get("type") == "image" and o.get("printArea") in (None, print_area)
        ),
        None,
    )


def min_dpi_of(option: dict[str, Any] | None) -> int | None:
    """The merchant's floor for a photo option (None: no image option, nothing enforced)."""
    if option is None or option.get("type") != "image":
        return None
    value = option.get("minDpi", DEFAULT_MIN_DPI)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def placed_size_mm(
    template: dict[str, Any], option: dict[str, Any] | None, area: dict[str, Any]
) -> tuple[float, float]:
    """The size (mm) a photo of ``option`` is fitted into: its slot in the print area (the
    merchant's or the read-time layout's), else the whole area."""
    from .layout import slots

    width, height = float(area["widthMm"]), float(area["heightMm"])
    slot = slots(template).get((option or {}).get("id")) if option else None
    if slot:
        return width * slot["width"], height * slot["height"]
    return width, height


def too_low(effective_dpi: float, min_dpi: int, field: str) -> ValidationFailed:
    """The 422 for a photo that would print below the merchant's minimum."""
    dpi = int(effective_dpi)  # floor: never claim a photo reaches what it does not
    message = (
        f"This photo prints at {dpi} dpi at its size on the product; this product needs at "
        f"least {min_dpi} dpi. Use a larger photo or place it smaller."
    )
    return ValidationFailed(
        message,
        code="photo_resolution_too_low",
        details={field: message, "effectiveDpi": dpi, "minDpi": min_dpi},
    )


def check_photos(
    template: dict[str, Any], layers: list[dict[str, Any]], design: DesignSpec
) -> None:
    """Refuse (422 ``photo_resolution_too_low``) the first photo layer below its floor.

    ``layers`` are the request's layers and ``design`` the parsed engine spec built from
    them (same order); AI artwork is Luneo's own and is not graded here.
    """
    for index, (raw, layer) in enumerate(zip(layers, design.layers, strict=False)):
        if not isinstance(layer, ImageLayer) or raw.get("type") != "image":
            continue
        if not raw.get("uploadId"):
            continue
        option = image_option(template, raw.get("optionId"), layer.print_area)
        floor = min_dpi_of(option)
        if floor is None:
            continue
        dpi = render.preflight.effective_dpi(layer, design.area(layer.print_area))
        if dpi + 1e-6 < floor:
            raise too_low(dpi, floor, f"layers[{index}]")
