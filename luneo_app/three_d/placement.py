"""Where a template's print area lands on a model's print material.

A Luneo-made model records the physical size of its print material's UV square
(``extras.luneo.printArea``, millimetres); for any other model the size is measured from
the mesh (how far a step in u and in v goes on the surface). When a print area is smaller
than that, the design is placed at true scale, centred on the part of the material that
faces the viewer (+Z), instead of being stretched over the whole square (a 72 mm mug front
would otherwise wrap all the way round the mug). When it is larger in either direction it
is shrunk evenly to fit, so the design keeps its aspect on the model: never stretched.
"""

from __future__ import annotations

import numpy as np

from render.three_d.gltf import Gltf
from render.three_d.validate import find_print_material, mesh_instances

UVRect = tuple[float, float, float, float]

# Vertices this close to the front-most one (share of the material's depth) count as "front".
_FRONT_BAND = 0.04


def print_area_mm(doc: dict, material_index: int) -> tuple[float, float] | None:
    """The (width, height) in mm a material's UV square covers, when the model says."""
    extras = doc["materials"][material_index].get("extras")
    luneo = extras.get("luneo") if isinstance(extras, dict) else None
    area = luneo.get("printArea") if isinstance(luneo, dict) else None
    if isinstance(area, dict) and "widthMm" in area and "heightMm" in area:
        return float(area["widthMm"]), float(area["heightMm"])
    return None


def auto_uv_rect(
    glb: bytes, material: str | None, area_mm: tuple[float, float] | None
) -> UVRect | None:
    """A UV rectangle that shows a ``area_mm`` print area at true scale on the front of
    the print material, or None when the whole UV square should be used (unknown sizes,
    or the area is as large as the material)."""
    if not area_mm or area_mm[0] <= 0 or area_mm[1] <= 0:
        return None
    gltf = Gltf.from_bytes(glb)
    doc = gltf.json
    index = find_print_material(doc, material, required=False)
    if index is None:
        return None
    square = print_area_mm(doc, index) or uv_square_mm(gltf, index)
    if square is None:
        return None
    du, dv = area_mm[0] / square[0], area_mm[1] / square[1]
    over = max(du, dv)
    if over > 1.0:  # larger than the material: shrink evenly, keep the aspect
        du, dv = du / over, dv / over
    if du > 0.98 and dv > 0.98:
        return None
    centre = _front_uv(gltf, index)
    if centre is None:
        return None
    u0 = float(np.clip(centre[0] - du / 2, 0.0, 1.0 - du))
    v0 = float(np.clip(centre[1] - dv / 2, 0.0, 1.0 - dv))
    return (round(u0, 4), round(v0, 4), round(u0 + du, 4), round(v0 + dv, 4))


def uv_square_mm(gltf: Gltf, index: int) -> tuple[float, float] | None:
    """The (width, height) in mm that the material's whole UV square spans on the surface,
    measured from its triangles: for each, the surface distance one unit of u and of v
    covers (the columns of the UV->position Jacobian), medians weighted by UV area. Exact
    for unrolled surfaces (bands, cylinders, flat faces); None without usable UVs."""
    doc = gltf.json
    per_u: list[np.ndarray] = []
    per_v: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for mesh_index, world in mesh_instances(doc):
        for prim in doc["meshes"][mesh_index].get("primitives", []):
            attrs = prim.get("attributes", {})
            if prim.get("material") != index or "TEXCOORD_0" not in attrs:
                continue
            if prim.get("mode", 4) != 4:
                continue  # only triangle lists carry a surface to measure
            pos = gltf.read_accessor(attrs["POSITION"], as_float=True).astype(np.float64)
            pos = pos @ world[:3, :3].T + world[:3, 3]
            uv = gltf.read_accessor(attrs["TEXCOORD_0"], as_float=True).astype(np.float64)
            if "indices" in prim:
                tri = gltf.read_accessor(prim["indices"]).astype(np.int64).reshape(-1, 3)
            else:
                tri = np.arange(len(pos) - len(pos) % 3).reshape(-1, 3)
            d_pos = np.stack([pos[tri[:, 1]] - pos[tri[:, 0]], pos[tri[:, 2]] - pos[tri[:, 0]]], 2)
            d_uv = np.stack([uv[tri[:, 1]] - uv[tri[:, 0]], uv[tri[:, 2]] - uv[tri[:, 0]]], 2)
            det = d_uv[:, 0, 0] * d_uv[:, 1, 1] - d_uv[:, 0, 1] * d_uv[:, 1, 0]
            ok = np.abs(det) > 1e-12
            if not ok.any():
                continue
            inv = np.empty_like(d_uv[ok])
            inv[:, 0, 0], inv[:, 1, 1] = d_uv[ok][:, 1, 1], d_uv[ok][:, 0, 0]
            inv[:, 0, 1], inv[:, 1, 0] = -d_uv[ok][:, 0, 1], -d_uv[ok][:, 1, 0]
            inv /= det[ok][:, None, None]
            jac = d_pos[ok] @ inv  # (n, 3, 2): surface metres per unit of u and of v
            per_u.append(np.linalg.norm(jac[:, :, 0], axis=1))
            per_v.append(np.linalg.norm(jac[:, :, 1], axis=1))
            weights.append(np.abs(det[ok]))
    if not per_u:
        return None
    w = np.concatenate(weights)
    width, height = (
        _weighted_median(np.concatenate(per_u), w),
        _weighted_median(np.concatenate(per_v), w),
    )
    if width <= 0 or height <= 0:
        return None
    return width * 1000.0, height * 1000.0


def stretch(
    rect: UVRect | None, square_mm: tuple[float, float], area_mm: tuple[float, float]
) -> float:
    """How much the design is stretched on the model: the aspect of where it lands over
    the aspect of the print area (1.0 = true shape; 1.7 = 70 % wider than drawn)."""
    u0, v0, u1, v1 = rect or (0.0, 0.0, 1.0, 1.0)
    landed = ((u1 - u0) * square_mm[0]) / max((v1 - v0) * square_mm[1], 1e-9)
    return landed / (area_mm[0] / area_mm[1])


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def _front_uv(gltf: Gltf, index: int) -> tuple[float, float] | None:
    """Median UV of the material's vertices that face the viewer the most (largest Z)."""
    doc = gltf.json
    points, uvs = [], []
    for mesh_index, world in mesh_instances(doc):
        for prim in doc["meshes"][mesh_index].get("primitives", []):
            attrs = prim.get("attributes", {})
            if prim.get("material") != index or "TEXCOORD_0" not in attrs:
                continue
            pos = gltf.read_accessor(attrs["POSITION"], as_float=True).astype(np.float64)
            points.append(pos @ world[:3, :3].T + world[:3, 3])
            uvs.append(gltf.read_accessor(attrs["TEXCOORD_0"], as_float=True))
    if not points:
        return None
    z = np.concatenate(points)[:, 2]
    uv = np.concatenate(uvs)
    depth = float(z.max() - z.min())
    front = z >= z.max() - max(depth * _FRONT_BAND, 1e-6)
    return float(np.median(uv[front, 0])), float(np.median(uv[front, 1]))
