"""Small numpy toolkit for drawing studio product shots in code (used by ``samples``).

Shapes are signed distance fields in image fractions; coverage is taken over one
pixel so every edge is anti-aliased without supersampling.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

Array = np.ndarray
RGB = tuple[float, float, float]


class Canvas:
    """A float RGB image in 0..1 with pixel-centre coordinates ``u``, ``v`` in 0..1."""

    def __init__(self, size: int) -> None:
        self.size = size
        axis = (np.arange(size, dtype=np.float32) + 0.5) / size
        self.u = axis[None, :].repeat(size, 0)
        self.v = axis[:, None].repeat(size, 1)
        self.rgb = np.zeros((size, size, 3), np.float32)

    def coverage(self, sdf: Array) -> Array:
        """Anti-aliased coverage (0..1) of the inside (sdf < 0) of a field in fractions."""
        return np.clip(0.5 - sdf * self.size, 0.0, 1.0)

    def fill(self, alpha: Array, colour: Array | RGB) -> None:
        """Paint ``colour`` (an RGB triple or an HxWx3 array) where ``alpha`` > 0."""
        a = alpha[..., None]
        self.rgb *= 1.0 - a
        self.rgb += np.asarray(colour, np.float32) * a

    def darken(self, amount: Array) -> None:
        """Multiply the image by ``1 - amount`` (a soft shadow)."""
        self.rgb *= (1.0 - np.clip(amount, 0.0, 1.0))[..., None]

    def grain(self, seed: int, strength: float = 0.006) -> None:
        """Add fine seeded noise so smooth gradients do not band after encoding."""
        rng = np.random.default_rng(seed)
        self.rgb += rng.normal(0.0, strength, self.rgb.shape[:2]).astype(np.float32)[..., None]

    def to_uint8(self) -> Array:
        return (np.clip(self.rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def smoothstep(e0: float, e1: float, x: Array) -> Array:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def ellipse_sdf(c: Canvas, cx: float, cy: float, rx: float, ry: float) -> Array:
    """Approximate signed distance to an axis-aligned ellipse (exact for circles)."""
    k = np.sqrt(((c.u - cx) / rx) ** 2 + ((c.v - cy) / ry) ** 2)
    return (k - 1.0) * min(rx, ry)


def rounded_rect_sdf(c: Canvas, cx: float, cy: float, hw: float, hh: float, r: float) -> Array:
    """Signed distance to a rounded rectangle (centre, half sizes, corner radius)."""
    qx = np.abs(c.u - cx) - hw + r
    qy = np.abs(c.v - cy) - hh + r
    outside = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2)
    return outside + np.minimum(np.maximum(qx, qy), 0) - r


def gaussian_spot(c: Canvas, cx: float, cy: float, rx: float, ry: float) -> Array:
    """A soft elliptical blob, 1 at the centre (for shadows and glows)."""
    return np.exp(-(((c.u - cx) / rx) ** 2 + ((c.v - cy) / ry) ** 2))


def ramp(t: Array, stops: list[tuple[float, RGB]]) -> Array:
    """Map ``t`` (0..1) through a piecewise-linear colour ramp -> HxWx3."""
    pos = np.array([p for p, _ in stops], np.float32)
    cols = np.array([col for _, col in stops], np.float32)
    t = np.clip(t, 0.0, 1.0)
    return np.stack([np.interp(t, pos, cols[:, i]) for i in range(3)], -1).astype(np.float32)


def soft_noise(size: int, scale: float, seed: int) -> Array:
    """Smooth seeded noise in about -1..1 with features ``scale`` (fraction) wide."""
    rng = np.random.default_rng(seed)
    small = max(4, int(round(1.0 / scale)))
    field = rng.normal(0.0, 1.0, (small, small)).astype(np.float32)
    field = ndimage.gaussian_filter(field, 0.8, mode="wrap")
    zoom = size / small
    big = ndimage.zoom(field, zoom, order=3, mode="grid-wrap", grid_mode=True)[:size, :size]
    return big / (np.abs(big).max() + 1e-6)


def studio_background(
    c: Canvas, top: RGB = (0.95, 0.95, 0.96), floor: RGB = (0.84, 0.83, 0.82)
) -> None:
    """Seamless paper sweep: light wall fading into a slightly darker floor."""
    t = smoothstep(0.30, 1.05, c.v)[..., None]
    c.rgb[:] = np.asarray(top, np.float32) * (1 - t) + np.asarray(floor, np.float32) * t
    glow = gaussian_spot(c, 0.42, 0.32, 0.55, 0.45)
    c.rgb += (0.035 * glow)[..., None]
    vignette = ((c.u - 0.5) ** 2 + (c.v - 0.48) ** 2) * 0.22
    c.darken(vignette)


def blurred(alpha: Array, sigma_px: float) -> Array:
    """Gaussian-blurred copy of a coverage map (blur radius in pixels)."""
    return ndimage.gaussian_filter(alpha, sigma_px, mode="nearest")


def lambert(nx: Array, ny: Array, nz: Array, light: tuple[float, float, float]) -> Array:
    """Diffuse term for unit normals against a light direction (x right, y down, z out)."""
    lx, ly, lz = np.asarray(light, np.float32) / np.linalg.norm(light)
    return np.maximum(nx * lx + ny * ly + nz * lz, 0.0)


def specular(
    nx: Array, ny: Array, nz: Array, light: tuple[float, float, float], power: float
) -> Array:
    """Blinn-Phong highlight for a viewer looking straight at the image."""
    lx, ly, lz = np.asarray(light, np.float32) / np.linalg.norm(light)
    hx, hy, hz = lx, ly, lz + 1.0
    n = np.sqrt(hx * hx + hy * hy + hz * hz)
    d = np.maximum((nx * hx + ny * hy + nz * hz) / n, 0.0)
    return d**power
