"""Engraving finishes and colour-space helpers.

An engraving finish says how the engraved marks reflect light: the 2D engine already
paints them in the finish's colour, the 3D engine adds metalness and roughness where
the design covers the surface, and leaves the rest of the material as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from render.three_d.errors import ModelError


@dataclass(frozen=True)
class EngravingFinish:
    """Physically based parameters of engraved marks (glTF metallic-roughness)."""

    name: str
    metallic: float
    roughness: float


# Laser engraving leaves a finer, rougher surface than the polished metal around it;
# burnt wood and etched glass are dielectrics with a matte, frosted look.
ENGRAVING_FINISHES: dict[str, EngravingFinish] = {
    f.name: f
    for f in (
        EngravingFinish("gold", 1.0, 0.45),
        EngravingFinish("silver", 1.0, 0.4),
        EngravingFinish("rose-gold", 1.0, 0.45),
        EngravingFinish("black-anodized", 0.85, 0.5),
        EngravingFinish("wood-burn", 0.0, 0.9),
        EngravingFinish("glass-etch", 0.0, 0.75),
    )
}


def engraving_finish(name: str) -> EngravingFinish:
    """The finish called ``name``; raises ``ModelError('unknown_material')`` if none."""
    try:
        return ENGRAVING_FINISHES[name]
    except KeyError:
        known = ", ".join(ENGRAVING_FINISHES)
        raise ModelError(
            "unknown_material", f"unknown engraving material {name!r}; choose from {known}"
        ) from None


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    """sRGB-encoded values in 0..1 to linear light."""
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    """Linear values in 0..1 to sRGB encoding."""
    c = np.clip(np.asarray(c, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def linear_to_srgb8(rgb: tuple[float, ...]) -> tuple[int, ...]:
    """A linear colour as 8-bit sRGB."""
    return tuple(int(round(float(x) * 255)) for x in linear_to_srgb(np.asarray(rgb)))


def srgb_scale_lut(factor: float) -> list[int]:
    """A 256-entry table multiplying sRGB-encoded 8-bit values by a linear factor."""
    x = np.arange(256) / 255.0
    return [int(v) for v in np.round(linear_to_srgb(srgb_to_linear(x) * factor) * 255)]


def linear_scale_lut(factor: float) -> list[int]:
    """A 256-entry table multiplying 8-bit values by ``factor`` (no colour encoding)."""
    return [int(v) for v in np.clip(np.round(np.arange(256) * factor), 0, 255)]
