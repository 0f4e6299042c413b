"""Print profiles: how one print area is produced (press, laser, UV) and what it must pass.

A print area names its profile in the design spec (``printAreas[].profile``); the profile
fixes the bleed and safe zone in mm, the resolution, the colour space and ICC profile, the
files to write, and the preflight floors (photo dpi, smallest text, finest stroke) and which
preflight findings block a design. ``parse_profile`` validates the camelCase JSON form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.errors import SpecError

ICC_DIR = Path(__file__).resolve().parent / "icc"
# name -> (file, OutputConditionIdentifier, human description)
ICC_PROFILES = {
    "fogra39": (
        "luneo-fogra39.icc",
        "FOGRA39",
        "Offset printing ISO 12647-2:2004/Amd 1, coated paper (FOGRA39)",
    ),
}
KINDS = ("print-srgb", "print-cmyk", "engraving", "uv")
COLOR_SPACES = ("srgb", "cmyk", "mono")
OUTPUTS = ("png", "pdf", "pdfx4", "svg", "dxf", "vector-pdf")
# Findings a profile may turn into errors (render/preflight.py names them).
BLOCKABLE = (
    "low_photo_resolution",
    "text_too_small",
    "stroke_too_thin",
    "outside_safe_zone",
    "out_of_gamut",
    "semi_transparent",
    "font_fallback",
    "photo_not_vector",
)


@dataclass(frozen=True)
class PrintProfile:
    """How a print area is produced; lengths in mm."""

    kind: str = "print-srgb"
    bleed_mm: float = 0.0
    safe_mm: float = 0.0
    dpi: int = 300
    color_space: str = "srgb"
    icc: str | None = None
    outputs: tuple[str, ...] = ("png", "pdf")
    min_photo_dpi: int = 150
    min_text_mm: float = 1.5  # cap height floor, in mm at print size
    min_stroke_mm: float = 0.0
    block: tuple[str, ...] = ()

    @property
    def vector(self) -> bool:
        """True for profiles whose text leaves as outlines (laser and vector files)."""
        return self.kind == "engraving"

    def icc_path(self) -> Path | None:
        """The ICC file of the profile's output condition (None: sRGB)."""
        return ICC_DIR / ICC_PROFILES[self.icc][0] if self.icc else None


# Sensible starting points per kind; a merchant's profile overrides any field.
DEFAULTS: dict[str, dict[str, Any]] = {
    "print-srgb": {"bleed_mm": 0.0, "safe_mm": 0.0, "outputs": ("png", "pdf")},
    "print-cmyk": {
        "bleed_mm": 3.0,
        "safe_mm": 3.0,
        "color_space": "cmyk",
        "icc": "fogra39",
        "outputs": ("png", "pdfx4"),
        "min_text_mm": 1.5,
    },
    "engraving": {
        "bleed_mm": 0.0,
        "safe_mm": 1.0,
        "dpi": 600,
        "color_space": "mono",
        "outputs": ("png", "svg", "dxf", "vector-pdf"),
        "min_text_mm": 1.0,
        "min_stroke_mm": 0.1,
    },
    "uv": {
        "bleed_mm": 1.0,
        "safe_mm": 2.0,
        "dpi": 600,
        "color_space": "cmyk",
        "icc": "fogra39",
        "outputs": ("png", "pdfx4"),
        "min_photo_dpi": 200,
    },
}
DEFAULT = PrintProfile()

_KEYS = {
    "bleedMm": "bleed_mm",
    "safeMm": "safe_mm",
    "dpi": "dpi",
    "colorSpace": "color_space",
    "icc": "icc",
    "outputs": "outputs",
    "minPhotoDpi": "min_photo_dpi",
    "minTextMm": "min_text_mm",
    "minStrokeMm": "min_stroke_mm",
    "block": "block",
}


def parse_profile(data: Any, field: str = "profile") -> PrintProfile:
    """A ``PrintProfile`` from its JSON form (``None``: plain sRGB print, no bleed).

    ``{"kind": "print-cmyk", "bleedMm": 3, ...}``: fields left out take the kind's
    defaults. Raises ``SpecError('bad_profile')`` naming the field.
    """
    if data is None:
        return DEFAULT
    if not isinstance(data, Mapping):
        raise SpecError("bad_profile", "profile must be an object", field)
    kind = data.get("kind", "print-srgb")
    if kind not in KINDS:
        raise SpecError("bad_profile", f"kind must be one of {', '.join(KINDS)}", f"{field}.kind")
    unknown = sorted(set(data) - set(_KEYS) - {"kind"})
    if unknown:
        raise SpecError("bad_profile", f"unknown profile field {unknown[0]!r}", field)
    values: dict[str, Any] = {"kind": kind, **DEFAULTS[kind]}
    for key, attr in _KEYS.items():
        if key in data and data[key] is not None:
            values[attr] = data[key]
    f = field
    for attr, lo, hi in (("bleed_mm", 0, 20), ("safe_mm", 0, 50), ("min_text_mm", 0, 50),
                         ("min_stroke_mm", 0, 10)):  # fmt: skip
        v = values.get(attr, getattr(DEFAULT, attr))
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
            raise SpecError("bad_profile", f"{attr} must be {lo}..{hi} mm", f"{f}.{attr}")
        values[attr] = float(v)
    for attr, lo, hi in (("dpi", 72, 1200), ("min_photo_dpi", 0, 1200)):
        v = values.get(attr, getattr(DEFAULT, attr))
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise SpecError("bad_profile", f"{attr} must be a whole number {lo}..{hi}", f"{f}")
        values[attr] = v
    space = values.get("color_space", "srgb")
    if space not in COLOR_SPACES:
        raise SpecError("bad_profile", f"colorSpace must be one of {', '.join(COLOR_SPACES)}", f)
    icc = values.get("icc")
    if space == "cmyk" and icc is None:
        icc = values["icc"] = "fogra39"
    if icc is not None and icc not in ICC_PROFILES:
        raise SpecError("bad_profile", f"icc must be one of {', '.join(ICC_PROFILES)}", f"{f}.icc")
    if space != "cmyk" and icc is not None:
        raise SpecError("bad_profile", "an ICC output profile needs colorSpace cmyk", f"{f}.icc")
    outputs = values.get("outputs")
    if (
        not isinstance(outputs, (list, tuple))
        or not outputs
        or any(o not in OUTPUTS for o in outputs)
    ):
        raise SpecError("bad_profile", f"outputs must list some of {', '.join(OUTPUTS)}", f)
    if "pdfx4" in outputs and space != "cmyk":
        raise SpecError("bad_profile", "a PDF/X-4 file needs colorSpace cmyk", f"{f}.outputs")
    values["outputs"] = tuple(dict.fromkeys(outputs))
    block = values.get("block", ())
    if not isinstance(block, (list, tuple)) or any(b not in BLOCKABLE for b in block):
        raise SpecError("bad_profile", f"block must list some of {', '.join(BLOCKABLE)}", f)
    values["block"] = tuple(block)
    return PrintProfile(**values)


def profile_json(profile: PrintProfile) -> dict[str, Any]:
    """The camelCase JSON form of ``profile`` (what a manifest and the admin show)."""
    out: dict[str, Any] = {"kind": profile.kind}
    for key, attr in _KEYS.items():
        value = getattr(profile, attr)
        out[key] = list(value) if isinstance(value, tuple) else value
    if profile.icc:
        out["iccDescription"] = ICC_PROFILES[profile.icc][2]
    return out
