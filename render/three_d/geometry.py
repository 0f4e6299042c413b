"""Building blocks for generated product models: parametric surfaces as triangle grids.

Every surface is a grid of vertices with positions, analytic unit normals and UVs. The
grid is triangulated, degenerate triangles (where a row collapses to a point, as at the
centre of a disc) are dropped, and the winding is turned to agree with the normals, so
front faces always point outward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MeshPart:
    """Triangles of one material. Metres, Y up, UVs in glTF convention (v down)."""

    material: str
    positions: np.ndarray  # (n, 3) float32
    normals: np.ndarray  # (n, 3) float32, unit length
    uvs: np.ndarray  # (n, 2) float32
    indices: np.ndarray  # (m, 3) uint32

    @property
    def triangle_count(self) -> int:
        """Number of triangles."""
        return int(self.indices.shape[0])


def grid_part(material: str, pos: np.ndarray, nrm: np.ndarray, uv: np.ndarray) -> MeshPart:
    """Triangulate a (rows, cols) grid of vertices into a part with outward winding."""
    rows, cols = pos.shape[:2]
    idx = np.arange(rows * cols, dtype=np.uint32).reshape(rows, cols)
    a, b = idx[:-1, :-1].ravel(), idx[1:, :-1].ravel()
    c, d = idx[1:, 1:].ravel(), idx[:-1, 1:].ravel()
    tris = np.concatenate([np.stack([a, b, c], 1), np.stack([a, c, d], 1)])
    p = pos.reshape(-1, 3).astype(np.float64)
    n = nrm.reshape(-1, 3).astype(np.float64)
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    face = np.cross(p[tris[:, 1]] - p[tris[:, 0]], p[tris[:, 2]] - p[tris[:, 0]])
    area2 = np.linalg.norm(face, axis=1)
    keep = area2 > 1e-16
    tris, face = tris[keep], face[keep]
    agree = np.einsum("ij,ij->i", face, n[tris].sum(axis=1))
    if np.count_nonzero(agree < 0) > tris.shape[0] // 2:
        tris = tris[:, [0, 2, 1]]
    return MeshPart(
        material,
        p.astype(np.float32),
        n.astype(np.float32),
        uv.reshape(-1, 2).astype(np.float32),
        np.ascontiguousarray(tris, dtype=np.uint32),
    )


def merge_parts(parts: list[MeshPart]) -> list[MeshPart]:
    """Join parts of the same material into one part each (material order kept)."""
    by_material: dict[str, list[MeshPart]] = {}
    for part in parts:
        by_material.setdefault(part.material, []).append(part)
    merged = []
    for material, group in by_material.items():
        offsets = np.cumsum([0] + [p.positions.shape[0] for p in group[:-1]])
        merged.append(
            MeshPart(
                material,
                np.concatenate([p.positions for p in group]),
                np.concatenate([p.normals for p in group]),
                np.concatenate([p.uvs for p in group]),
                np.concatenate(
                    [p.indices + np.uint32(o) for p, o in zip(group, offsets, strict=True)]
                ),
            )
        )
    return merged


@dataclass(frozen=True)
class Profile:
    """A 2D curve (radius-like coordinate, height) with unit normals, for a lathe or sweep."""

    points: np.ndarray  # (k, 2)
    normals: np.ndarray  # (k, 2)

    def __add__(self, other: Profile) -> Profile:
        """Join two pieces; the shared end point is kept once."""
        return Profile(
            np.concatenate([self.points, other.points[1:]]),
            np.concatenate([self.normals, other.normals[1:]]),
        )


def line(
    p0: tuple[float, float], p1: tuple[float, float], normal: tuple[float, float], n: int
) -> Profile:
    """A straight piece from ``p0`` to ``p1`` with ``n`` segments and a constant normal."""
    t = np.linspace(0.0, 1.0, max(n, 1) + 1)[:, None]
    pts = (1 - t) * np.asarray(p0) + t * np.asarray(p1)
    return Profile(pts, np.broadcast_to(np.asarray(normal, float), pts.shape).copy())


def arc(
    center: tuple[float, float], radius: float, a0: float, a1: float, n: int, concave: bool = False
) -> Profile:
    """A circular piece from angle ``a0`` to ``a1`` (degrees); normals point away from
    the centre, or towards it when ``concave`` (a fillet seen from the hollow side)."""
    ang = np.radians(np.linspace(a0, a1, max(n, 1) + 1))
    radial = np.stack([np.cos(ang), np.sin(ang)], 1)
    return Profile(np.asarray(center) + radius * radial, -radial if concave else radial)


def segments(length: float, per_metre: float, minimum: int = 1) -> int:
    """How many segments a piece of ``length`` metres gets at a given density."""
    return max(minimum, int(round(length * per_metre)))


def lathe(
    material: str,
    profile: Profile,
    theta0: float,
    theta1: float,
    n_theta: int,
    uv: Callable[[np.ndarray], np.ndarray] | None = None,
    axis: str = "y",
) -> MeshPart:
    """Revolve a (radius, height) profile about ``axis`` from ``theta0`` to ``theta1``
    degrees. Angle 0 faces +Z (axis y) or +Y (axis z) and grows towards +X.

    ``uv`` maps the (rows, cols, 3) positions to UVs; by default u runs along the angle
    and v along the profile.
    """
    th = np.radians(np.linspace(theta0, theta1, n_theta + 1))[:, None]
    r, h = profile.points[None, :, 0], profile.points[None, :, 1]
    nr, nh = profile.normals[None, :, 0], profile.normals[None, :, 1]
    s, c = np.sin(th), np.cos(th)
    shape = (th.shape[0], r.shape[1])
    if axis == "y":
        pos = np.stack(np.broadcast_arrays(r * s, h, r * c), -1)
        nrm = np.stack(np.broadcast_arrays(nr * s, nh, nr * c), -1)
    else:
        pos = np.stack(np.broadcast_arrays(r * s, r * c, h), -1)
        nrm = np.stack(np.broadcast_arrays(nr * s, nr * c, nh), -1)
    if uv is None:
        u = np.linspace(0.0, 1.0, shape[0])[:, None]
        v = np.linspace(0.0, 1.0, shape[1])[None, :]
        return grid_part(material, pos, nrm, np.stack(np.broadcast_arrays(u, v), -1))
    return grid_part(material, pos, nrm, uv(pos))


def rounded_rect_outline(
    half_w: float, half_h: float, radius: float, per_metre: float, n_corner: int
) -> Profile:
    """A closed rounded rectangle in the XY plane, counter-clockwise from the middle of
    the right side, its first point repeated at the end; normals point outward."""
    iw, ih = half_w - radius, half_h - radius
    out = line((half_w, 0), (half_w, ih), (1, 0), segments(ih, per_metre))
    out += arc((iw, ih), radius, 0, 90, n_corner)
    out += line((iw, half_h), (-iw, half_h), (0, 1), segments(2 * iw, per_metre))
    out += arc((-iw, ih), radius, 90, 180, n_corner)
    out += line((-half_w, ih), (-half_w, -ih), (-1, 0), segments(2 * ih, per_metre))
    out += arc((-iw, -ih), radius, 180, 270, n_corner)
    out += line((-iw, -half_h), (iw, -half_h), (0, -1), segments(2 * iw, per_metre))
    out += arc((iw, -ih), radius, 270, 360, n_corner)
    return out + line((half_w, -ih), (half_w, 0), (1, 0), segments(ih, per_metre))


def sweep(material: str, outline: Profile, profile: Profile) -> MeshPart:
    """Sweep an (outward offset, z) profile along a closed XY outline.

    u runs along the outline (by length), v along the profile."""
    off, z = profile.points[None, :, 0:1], profile.points[None, :, 1]
    n_off, n_z = profile.normals[None, :, 0:1], profile.normals[None, :, 1]
    xy = outline.points[:, None, :] + off * outline.normals[:, None, :]
    nxy = n_off * outline.normals[:, None, :]
    shape = xy.shape[:2]
    pos = np.concatenate([xy, np.broadcast_to(z, shape)[..., None]], -1)
    nrm = np.concatenate([nxy, np.broadcast_to(n_z, shape)[..., None]], -1)
    step = np.linalg.norm(np.diff(outline.points, axis=0), axis=1)
    u = np.concatenate([[0.0], np.cumsum(step)]) / max(step.sum(), 1e-12)
    v = np.linspace(0.0, 1.0, shape[1])
    uv = np.stack(np.broadcast_arrays(u[:, None], v[None, :]), -1)
    return grid_part(material, pos, nrm, uv)


def fill(
    material: str,
    outline: Profile,
    z: float,
    normal_z: float,
    rings: int,
    uv: Callable[[np.ndarray], np.ndarray],
) -> MeshPart:
    """A flat face at height ``z`` bounded by a closed, star-shaped XY outline, meshed as
    rings shrinking to the origin; ``uv`` maps (rows, cols, 3) positions to UVs."""
    scale = np.linspace(1.0, 0.0, rings + 1)[None, :, None]
    xy = outline.points[:, None, :] * scale
    pos = np.concatenate([xy, np.full(xy.shape[:2] + (1,), z)], -1)
    nrm = np.broadcast_to(np.array([0.0, 0.0, normal_z]), pos.shape)
    return grid_part(material, pos, nrm, uv(pos))


def offset(outline: Profile, distance: float) -> Profile:
    """The outline moved ``distance`` along its normals (negative: inward)."""
    return Profile(outline.points + distance * outline.normals, outline.normals)


def tube(
    material: str,
    path: np.ndarray,
    tangent: np.ndarray,
    half_in_plane: float,
    half_out_of_plane: float,
    n_around: int,
) -> MeshPart:
    """A tube of elliptic cross-section along a path in the XY plane (open ends)."""
    t = tangent / np.linalg.norm(tangent, axis=1, keepdims=True)
    side = np.stack([t[:, 1], -t[:, 0], np.zeros(len(t))], 1)  # in-plane normal
    z = np.array([0.0, 0.0, 1.0])
    alpha = np.radians(np.linspace(0, 360, n_around + 1))[None, :, None]
    ca, sa = np.cos(alpha), np.sin(alpha)
    p3 = np.concatenate([path, np.zeros((len(path), 1))], 1)[:, None, :]
    pos = p3 + half_in_plane * ca * side[:, None, :] + half_out_of_plane * sa * z
    nrm = ca / half_in_plane * side[:, None, :] + sa / half_out_of_plane * z
    u = np.linspace(0, 1, len(path))[:, None]
    v = np.linspace(0, 1, n_around + 1)[None, :]
    return grid_part(material, pos, nrm, np.stack(np.broadcast_arrays(u, v), -1))


def torus(
    material: str, center: np.ndarray, major: float, minor: float, n_major: int, n_minor: int
) -> MeshPart:
    """A torus around the X axis (its hole looks along X)."""
    a = np.radians(np.linspace(0, 360, n_major + 1))[:, None]
    b = np.radians(np.linspace(0, 360, n_minor + 1))[None, :]
    ring = np.stack(np.broadcast_arrays(0 * a, np.cos(a), np.sin(a)), -1)  # (n,1,3)
    axis = np.array([1.0, 0.0, 0.0])
    nrm = np.cos(b)[..., None] * ring + np.sin(b)[..., None] * axis
    pos = np.asarray(center) + major * ring + minor * nrm
    u = np.linspace(0, 1, n_major + 1)[:, None]
    v = np.linspace(0, 1, n_minor + 1)[None, :]
    return grid_part(material, pos, nrm, np.stack(np.broadcast_arrays(u, v), -1))
