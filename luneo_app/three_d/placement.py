"""Where a template's print area lands on a model's print material.

A Luneo-made model records the physical size of its print material's UV square
(``extras.luneo.printArea``, millimetres). When a print area is smaller than that, the
design is placed at true scale, centred on the part of the material that faces the
viewer (+Z), instead of being stretched over the whole square (a 72 mm mug front would
otherwise wrap all the way round the mug).
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
    square = print_area_mm(doc, index)
    if square is None:
        return None
    du, dv = min(1.0, area_mm[0] / square[0]), min(1.0, area_mm[1] / square[1])
    if du > 0.98 and dv > 0.98:
        return None
    centre = _front_uv(gltf, index)
    if centre is None:
        return None
    u0 = float(np.clip(centre[0] - du / 2, 0.0, 1.0 - du))
    v0 = float(np.clip(centre[1] - dv / 2, 0.0, 1.0 - dv))
    return (round(u0, 4), round(v0, 4), round(u0 + du, 4), round(v0 + dv, 4))


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
