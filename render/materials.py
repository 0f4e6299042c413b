"""Material looks: how an engraving or a print sits on the product surface.

``apply`` takes a coverage mask (text or image darkness) and, for previews, the
photo pixels under it, and returns the layer's colour and alpha. Metals get a
brushed gradient, a recessed bevel lit from the upper left and glints; anodized
aluminium shows bright bare metal; wood burns darker into the grain; glass turns
frosted. All noise is seeded, so a design always renders the same.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage

from render.spec import MATERIALS

Array = np.ndarray
LIGHT = np.array([-0.55, -0.65], np.float32)  # towards the light: upper left

_RAMPS = {
    "gold": [
        (0.0, (0.30, 0.19, 0.05)),
        (0.45, (0.74, 0.55, 0.22)),
        (0.75, (0.95, 0.80, 0.46)),
        (1.0, (1.0, 0.96, 0.80)),
    ],
    "silver": [
        (0.0, (0.26, 0.27, 0.29)),
        (0.45, (0.62, 0.63, 0.66)),
        (0.78, (0.86, 0.87, 0.89)),
        (1.0, (1.0, 1.0, 1.0)),
    ],
    "rose-gold": [
        (0.0, (0.36, 0.18, 0.14)),
        (0.45, (0.76, 0.50, 0.42)),
        (0.75, (0.93, 0.72, 0.64)),
        (1.0, (1.0, 0.92, 0.88)),
    ],
    "black-anodized": [
        (0.0, (0.36, 0.37, 0.39)),
        (0.5, (0.70, 0.71, 0.73)),
        (1.0, (0.93, 0.93, 0.95)),
    ],
}
# looks computed from the pixels under them (the others only follow the lighting)
NEEDS_UNDER = frozenset({"wood-burn", "glass-etch"})
# marks that come out lighter than the surface around them
LIGHTENS = frozenset({"black-anodized", "glass-etch"})
# what production files use: engraving machines want a solid mask, printers a colour
PRODUCTION_INK = (0, 0, 0)
# Finishes only a laser can make: marking the surface itself (burnt wood, frosted glass,
# bare metal under anodizing). Metals on a printed area are foil (or UV ink) of their colour.
LASER_ONLY = frozenset({"black-anodized", "wood-burn", "glass-etch"})
# the flat colour a metal finish is printed with (foil / UV ink proof colour), sRGB
PRINTED_COLORS = {
    "gold": (212, 175, 55),
    "silver": (192, 192, 196),
    "rose-gold": (183, 110, 121),
}
PROCESSES = ("engrave", "foil", "uv", "print")


def process(material: str | None, profile_kind: str) -> str:
    """How a layer is made, as the print shop reads it in the manifest.

    ``engrave`` (a laser is fed the black mask): every layer of an ``engraving`` area and
    the laser-only finishes anywhere; ``foil``: a metal on a printed area; ``uv``: plain
    colour on a ``uv`` area; ``print``: plain colour (``print-srgb``, ``print-cmyk``).
    """
    if profile_kind == "engraving" or material in LASER_ONLY:
        return "engrave"
    if material is not None:
        return "foil"
    return "uv" if profile_kind == "uv" else "print"


def production_ink(material: str, profile_kind: str) -> tuple[int, int, int]:
    """The colour a material layer carries in the production files: the black laser mask
    for engraving, the finish's printed colour for foil / UV print."""
    if process(material, profile_kind) == "engrave":
        return PRODUCTION_INK
    return PRINTED_COLORS[material]


WOOD = np.array([0.80, 0.62, 0.42], np.float32)
BURN = np.array([0.24, 0.12, 0.05], np.float32)
FROST = np.array([0.93, 0.95, 0.96], np.float32)


def apply(
    material: str | None,
    mask: Array,
    under: Array | None,
    shade: Array | None,
    *,
    color: tuple[int, int, int] = (26, 26, 26),
    relief_px: float = 1.5,
    seed: int = 0,
) -> tuple[Array, Array]:
    """Colour (HxWx3, 0..1, not premultiplied) and alpha (HxW) of a layer.

    ``mask`` is the layer's coverage; ``under`` the pixels it lands on (None when
    rendering the design alone, for production or 3D textures); ``shade`` the
    product's relative lighting (1 = fully lit) so prints follow the photo's
    curvature; ``relief_px`` the depth of the bevel in pixels.
    """
    if material is None:
        rgb = np.broadcast_to(np.asarray(color, np.float32) / 255.0, mask.shape + (3,))
        if shade is not None:
            rgb = rgb * shade[..., None]
        return np.ascontiguousarray(rgb, np.float32), mask
    if material not in MATERIALS:
        raise ValueError(f"unknown material {material!r}")
    if material == "wood-burn":
        return _wood_burn(mask, under, relief_px, seed)
    if material == "glass-etch":
        return _glass_etch(mask, under, relief_px, seed)
    return _metal(material, mask, shade, relief_px, seed)


def _bevel(mask: Array, relief_px: float) -> tuple[Array, Array]:
    """Blurred height of the cut and its lighting term for a recessed engraving.

    Negative on inner edges facing away from the light (upper-left walls), positive
    on the walls that catch it.
    """
    r = max(0.6, relief_px)
    height = ndimage.gaussian_filter(mask, r, mode="constant", truncate=3.0)
    gy, gx = np.gradient(height)
    light = (gx * LIGHT[0] + gy * LIGHT[1]) * (r * 2.5)
    return height, light


def _noise(shape: tuple[int, int], seed: int, streak: float) -> Array:
    """Seeded noise in about -1..1; ``streak`` > 0 stretches it along x (brushed metal).

    Cut from a texture whose size is rounded up to 256 px steps, so a text that changes
    by a letter (a new width) reuses the texture instead of generating another.
    """
    h, w = shape
    bucket = (-(-h // 256) * 256, -(-w // 256) * 256)
    return _noise_texture(bucket, seed, round(streak, 1))[:h, :w]


@lru_cache(maxsize=32)
def _noise_texture(shape: tuple[int, int], seed: int, streak: float) -> Array:
    rng = np.random.default_rng(seed)
    field = rng.standard_normal(shape, dtype=np.float32)
    if streak:
        field = ndimage.gaussian_filter(field, (0.6, streak), mode="wrap")
    field /= np.abs(field).max() + 1e-6
    field.setflags(write=False)
    return field


@lru_cache(maxsize=16)
def _lut(material: str) -> Array:
    """The material's colour ramp sampled at 1024 steps (a lookup beats np.interp)."""
    stops = _RAMPS[material]
    pos = np.array([p for p, _ in stops], np.float32)
    cols = np.array([c for _, c in stops], np.float32)
    t = np.linspace(0.0, 1.0, 1024, dtype=np.float32)
    table = np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], -1).astype(np.float32)
    table.setflags(write=False)
    return table


def _ramp(v: Array, material: str) -> Array:
    idx = (np.clip(v, 0.0, 1.0) * 1023.0 + 0.5).astype(np.intp)
    return _lut(material)[idx]


def _metal(
    material: str, mask: Array, shade: Array | None, relief_px: float, seed: int
) -> tuple[Array, Array]:
    h, w = mask.shape
    height, light = _bevel(mask, relief_px)
    ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None]
    # a soft studio reflection band across the letters, then brushed grain
    sheen = 0.16 * np.cos((ys - 0.38) * np.pi * 1.6)
    if material == "black-anodized":
        grain = 0.05 * _noise((h, w), seed, 0.0)
        v = 0.62 + grain + 0.35 * light + 0.4 * sheen * 0.3
        gloss = 0.0
    else:
        grain = 0.07 * _noise((h, w), seed, max(2.0, relief_px * 3))
        v = 0.48 + sheen + grain + 0.55 * light
        gloss = 0.55
    rgb = _ramp(v, material)
    # one per-pixel factor: the product's lighting, and for metals the floor of the cut
    # sitting a little in its own shadow where the groove is deep
    factor = None if not gloss else 1.0 - 0.12 * np.clip(height, 0.0, 1.0)
    if shade is not None:
        lit = 0.35 + 0.65 * shade
        factor = lit if factor is None else factor * lit
    if factor is not None:
        rgb *= factor[..., None]
    if gloss:
        glint = np.clip(light, 0.0, 1.0)
        glint *= glint
        glint *= gloss
        rgb += glint[..., None]
    np.minimum(rgb, 1.0, out=rgb)
    return rgb, mask


def _wood_burn(
    mask: Array, under: Array | None, relief_px: float, seed: int
) -> tuple[Array, Array]:
    h, w = mask.shape
    base = WOOD if under is None else under
    soft = ndimage.gaussian_filter(mask, max(0.5, relief_px * 0.6), mode="constant")
    char = 0.85 + 0.15 * _noise((h, w), seed, 0.0)
    burn = np.clip(mask * char, 0.0, 1.0)
    halo = np.clip(
        ndimage.gaussian_filter(mask, max(1.0, relief_px * 1.8), mode="constant") - mask, 0.0, 1.0
    )
    tint = 1.0 - burn[..., None] * (1.0 - BURN / np.maximum(WOOD, 1e-3))
    tint *= 1.0 - 0.35 * halo[..., None] * (1.0 - np.array([0.55, 0.40, 0.28], np.float32))
    tint *= (1.0 - 0.12 * (soft - mask).clip(0, 1))[..., None]
    rgb = base * np.clip(tint, 0.0, 1.0)
    if under is None:
        return np.clip(rgb, 0.0, 1.0), mask
    # a multiply: the result already holds the wood, so it replaces it wherever it acts
    alpha = (np.maximum(mask, halo) > 1e-3).astype(np.float32)
    return np.clip(rgb, 0.0, 1.0), alpha


def _glass_etch(
    mask: Array, under: Array | None, relief_px: float, seed: int
) -> tuple[Array, Array]:
    h, w = mask.shape
    _, light = _bevel(mask, relief_px * 0.7)
    grain = 0.06 * _noise((h, w), seed + 1, 0.0)
    frost = np.clip(0.62 + grain + 0.25 * light, 0.0, 1.0)
    if under is None:
        return np.broadcast_to(FROST, (h, w, 3)).copy(), mask * 0.75
    rgb = under + (FROST - under) * frost[..., None]
    return np.clip(rgb, 0.0, 1.0), mask
