"""Product models made in code: ring, bangle, mug, phone case and pendant.

Each model is in metres with Y up and faces the viewer at +Z. One material carries the
design (``engraving`` on jewellery, ``print`` on the mug and the case); its UVs cover
exactly the printable area, u left to right and v top to bottom as the shopper sees it,
so a design texture of that area's aspect lands undistorted. The area's physical size
is in the material's ``extras.luneo.printArea`` (millimetres) in the GLB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from render.three_d.errors import ModelError
from render.three_d.geometry import (
    MeshPart,
    arc,
    fill,
    lathe,
    line,
    merge_parts,
    offset,
    rounded_rect_outline,
    sweep,
    torus,
    tube,
)
from render.three_d.gltf import Gltf

MM = 0.001


@dataclass(frozen=True)
class MaterialSpec:
    """A glTF metallic-roughness material; ``print_area_mm`` is set on the one that
    carries the design: (width, height) of the area its UV square covers."""

    name: str
    base_color: tuple[float, float, float, float]  # linear RGBA
    metallic: float
    roughness: float
    print_area_mm: tuple[float, float] | None = None


@dataclass(frozen=True)
class ProductModel:
    """A generated product: one mesh part per material."""

    kind: str
    parts: tuple[MeshPart, ...]
    materials: tuple[MaterialSpec, ...]

    @property
    def triangle_count(self) -> int:
        """Triangles in all parts."""
        return sum(p.triangle_count for p in self.parts)

    @property
    def print_material(self) -> MaterialSpec:
        """The material that carries the design."""
        return next(m for m in self.materials if m.print_area_mm)

    def to_gltf(self) -> Gltf:
        """The model as a glTF asset (one node, one mesh, a primitive per material)."""
        gltf = Gltf({"asset": {"version": "2.0", "generator": "Luneo render.three_d"}})
        names = [m.name for m in self.materials]
        primitives = []
        for part in self.parts:
            n = part.positions.shape[0]
            index_type = np.uint16 if n <= 65535 else np.uint32
            primitives.append(
                {
                    "attributes": {
                        "POSITION": gltf.add_accessor(part.positions, bounds=True),
                        "NORMAL": gltf.add_accessor(part.normals),
                        "TEXCOORD_0": gltf.add_accessor(part.uvs),
                    },
                    "indices": gltf.add_accessor(
                        part.indices.ravel().astype(index_type), indices=True
                    ),
                    "material": names.index(part.material),
                    "mode": 4,
                }
            )
        gltf.json.update(
            scene=0,
            scenes=[{"name": self.kind, "nodes": [0]}],
            nodes=[{"name": self.kind, "mesh": 0}],
            meshes=[{"name": self.kind, "primitives": primitives}],
            materials=[_material_json(m) for m in self.materials],
        )
        return gltf

    def to_glb(self) -> bytes:
        """The model as GLB bytes."""
        return self.to_gltf().to_glb()


def _material_json(m: MaterialSpec) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": m.name,
        "pbrMetallicRoughness": {
            "baseColorFactor": list(m.base_color),
            "metallicFactor": m.metallic,
            "roughnessFactor": m.roughness,
        },
    }
    if m.print_area_mm:
        w, h = m.print_area_mm
        out["extras"] = {"luneo": {"printArea": {"widthMm": round(w, 2), "heightMm": round(h, 2)}}}
    return out


GOLD = (1.0, 0.766, 0.336, 1.0)
SILVER = (0.972, 0.960, 0.915, 1.0)
CERAMIC = (0.86, 0.86, 0.84, 1.0)
CASE_BLACK = (0.02, 0.02, 0.025, 1.0)
PRINT_WHITE = (0.82, 0.82, 0.82, 1.0)


def _n(count: float, detail: float, minimum: int = 1) -> int:
    return max(minimum, int(round(count * detail)))


def ring(
    detail: float = 1.0,
    *,
    inner_diameter: float = 18.2 * MM,
    thickness: float = 2.0 * MM,
    width: float = 9.6 * MM,
    print_arc_deg: float = 129.0,
    kind: str = "ring",
) -> ProductModel:
    """A comfort-fit band lying flat (axis Y); the engraving covers the front of the
    outer band, ``print_arc_deg`` wide. Defaults: US size 8, a 9.6 mm wide band in gold
    whose engraving area is 25 x 8 mm, the demo ring template's print area."""
    r0, r1, hw = inner_diameter / 2, inner_diameter / 2 + thickness, width / 2
    c = min(thickness, width) * 0.4
    n_theta = _n(128, detail, 24)
    n_arc, n_flat = _n(4, detail, 2), _n(4, detail, 1)
    rest = arc((r1 - c, -hw + c), c, 0, -90, n_arc)
    rest += line((r1 - c, -hw), (r0 + c, -hw), (0, -1), n_flat)
    rest += arc((r0 + c, -hw + c), c, -90, -180, n_arc)
    rest += line((r0, -hw + c), (r0, hw - c), (-1, 0), n_flat)
    rest += arc((r0 + c, hw - c), c, 180, 90, n_arc)
    rest += line((r0 + c, hw), (r1 - c, hw), (0, 1), n_flat)
    rest += arc((r1 - c, hw - c), c, 90, 0, n_arc)
    band = line((r1, hw - c), (r1, -hw + c), (1, 0), n_flat)  # top to bottom: v down
    half = print_arc_deg / 2
    n_print = max(2, round(n_theta * print_arc_deg / 360))
    parts = [
        lathe("metal", rest, 0, 360, n_theta),
        lathe("engraving", band, -half, half, n_print),
        lathe("metal", band, half, 360 - half, n_theta - n_print),
    ]
    area = (float(r1 * np.radians(print_arc_deg)) / MM, (width - 2 * c) / MM)
    materials = (
        MaterialSpec("metal", GOLD, 1.0, 0.25),
        MaterialSpec("engraving", GOLD, 1.0, 0.25, area),
    )
    return ProductModel(kind, tuple(merge_parts(parts)), materials)


def bangle(detail: float = 1.0) -> ProductModel:
    """A 60 mm bangle, 12 mm wide, engraved on the front of the outer band."""
    return ring(
        detail,
        inner_diameter=60 * MM,
        thickness=3 * MM,
        width=12 * MM,
        print_arc_deg=100,
        kind="bangle",
    )


def mug(detail: float = 1.0) -> ProductModel:
    """An 11 oz mug (82 mm wide, 95 mm tall), handle at +X; the print wraps the body
    from the handle's left to its right (290 degrees, 85 mm tall)."""
    rad, height, wall, floor = 41 * MM, 95 * MM, 3.5 * MM, 6 * MM
    foot, lip, fillet = 4 * MM, wall / 2, 3 * MM
    y0, y1 = 6 * MM, 91 * MM
    n_theta = _n(160, detail, 24)
    low = line((0, 0), (rad - foot, 0), (0, -1), _n(6, detail)) + arc(
        (rad - foot, foot), foot, -90, 0, _n(4, detail)
    )
    low += line((rad, foot), (rad, y0), (1, 0), _n(1, detail))
    high = line((rad, y1), (rad, height - lip), (1, 0), _n(1, detail)) + arc(
        (rad - lip, height - lip), lip, 0, 180, _n(6, detail)
    )
    high += line((rad - wall, height - lip), (rad - wall, floor + fillet), (-1, 0), _n(12, detail))
    high += arc((rad - wall - fillet, floor + fillet), fillet, 0, -90, _n(4, detail), concave=True)
    high += line((rad - wall - fillet, floor), (0, floor), (0, 1), _n(6, detail))
    band = line((rad, y1), (rad, y0), (1, 0), _n(12, detail))  # top to bottom: v down
    gap = 35.0
    n_print = round(n_theta * (360 - 2 * gap) / 360)
    parts = [
        lathe("ceramic", low, 0, 360, n_theta),
        lathe("ceramic", high, 0, 360, n_theta),
        lathe("print", band, 90 + gap, 450 - gap, n_print),
        lathe("ceramic", band, 90 - gap, 90 + gap, n_theta - n_print),
        _mug_handle(rad, _n(48, detail, 8), _n(24, detail, 8)),
    ]
    area = (float(rad * np.radians(360 - 2 * gap)) / MM, (y1 - y0) / MM)
    materials = (
        MaterialSpec("ceramic", CERAMIC, 0.0, 0.2),
        MaterialSpec("print", CERAMIC, 0.0, 0.2, area),
    )
    return ProductModel("mug", tuple(merge_parts(parts)), materials)


def _mug_handle(rad: float, n_path: int, n_around: int) -> MeshPart:
    # a half ellipse leaving the wall at +X; its open ends sit inside the wall
    phi = np.radians(np.linspace(-90, 90, n_path + 1))[:, None]
    a, b, x0, ym = 26 * MM, 28 * MM, rad - 1.5 * MM, 50 * MM
    path = np.concatenate([x0 + a * np.cos(phi), ym + b * np.sin(phi)], 1)
    tangent = np.concatenate([-a * np.sin(phi), b * np.cos(phi)], 1)
    return tube("ceramic", path, tangent, 4.5 * MM, 6 * MM, n_around)


def phone_case(detail: float = 1.0) -> ProductModel:
    """A 75 x 150 x 11 mm case standing upright, its printed back facing +Z."""
    hw, hh, depth, corner = 37.5 * MM, 75 * MM, 11 * MM, 10 * MM
    edge, lip, back, fil = 1.5 * MM, 0.9 * MM, 1.4 * MM, 1.0 * MM
    outline = rounded_rect_outline(hw, hh, corner, 400 * detail, _n(8, detail, 2))
    side = arc((-edge, edge), edge, -90, 0, _n(4, detail)) + line(
        (0, edge), (0, depth - lip), (1, 0), _n(4, detail)
    )
    side += arc((-lip, depth - lip), lip, 0, 180, _n(4, detail))
    side += line((-2 * lip, depth - lip), (-2 * lip, back + fil), (-1, 0), _n(4, detail))
    side += arc((-2 * lip - fil, back + fil), fil, 0, -90, _n(2, detail), concave=True)
    bw, bh = hw - edge, hh - edge

    def planar(pos: np.ndarray) -> np.ndarray:
        return np.stack([(pos[..., 0] + bw) / (2 * bw), (bh - pos[..., 1]) / (2 * bh)], -1)

    rings = _n(24, detail, 2)
    parts = [
        # built with the back at z=0 facing -Z, then mirrored so the back faces the viewer
        fill("print", offset(outline, -edge), 0.0, -1.0, rings, planar),
        sweep("case", outline, side),
        fill("case", offset(outline, -2 * lip - fil), back, 1.0, rings, planar),
    ]
    parts = [_mirror_z(p) for p in parts]
    materials = (
        MaterialSpec("case", CASE_BLACK, 0.0, 0.45),
        MaterialSpec("print", PRINT_WHITE, 0.0, 0.35, (2 * bw / MM, 2 * bh / MM)),
    )
    return ProductModel("phone-case", tuple(merge_parts(parts)), materials)


def _mirror_z(part: MeshPart) -> MeshPart:
    flip = np.array([1, 1, -1], np.float32)
    return MeshPart(
        part.material,
        part.positions * flip,
        part.normals * flip,
        part.uvs,
        np.ascontiguousarray(part.indices[:, [0, 2, 1]]),
    )


def pendant(detail: float = 1.0) -> ProductModel:
    """A 25 mm disc pendant with a jump ring, hanging in the XY plane; the engraving
    covers its front face (a 22.8 mm square mapped onto the disc)."""
    rad, t = 12.5 * MM, 1.1 * MM
    rf = rad - t
    n_theta = _n(128, detail, 16)

    def planar(pos: np.ndarray) -> np.ndarray:
        return np.stack([(pos[..., 0] + rf) / (2 * rf), (rf - pos[..., 1]) / (2 * rf)], -1)

    front = line((0, t), (rf, t), (0, 1), _n(12, detail))
    rest = arc((rf, 0), t, 90, -90, _n(8, detail)) + line(
        (rf, -t), (0, -t), (0, -1), _n(12, detail)
    )
    parts = [
        lathe("engraving", front, 0, 360, n_theta, uv=planar, axis="z"),
        lathe("metal", rest, 0, 360, n_theta, axis="z"),
        torus(
            "metal",
            np.array([0.0, rad + 1.9 * MM, 0.0]),
            2.4 * MM,
            0.6 * MM,
            _n(32, detail, 8),
            _n(12, detail, 4),
        ),
    ]
    materials = (
        MaterialSpec("metal", SILVER, 1.0, 0.2),
        MaterialSpec("engraving", SILVER, 1.0, 0.2, (2 * rf / MM, 2 * rf / MM)),
    )
    return ProductModel("pendant", tuple(merge_parts(parts)), materials)


GENERATORS: dict[str, Callable[[float], ProductModel]] = {
    "ring": ring,
    "bangle": bangle,
    "mug": mug,
    "phone-case": phone_case,
    "pendant": pendant,
}


def generate_model(kind: str, triangles: int | None = None) -> ProductModel:
    """Generate a product model of ``kind`` (one of ``GENERATORS``).

    ``triangles`` asks for roughly that many triangles (within about 15 %); by default
    each model gets a web-friendly few thousand.
    """
    try:
        make = GENERATORS[kind]
    except KeyError:
        raise ModelError(
            "unknown_model", f"unknown model {kind!r}; choose from {', '.join(GENERATORS)}"
        ) from None
    model = make(1.0)
    if triangles is None:
        return model
    # triangle count grows with the square of the detail factor
    detail = float(np.sqrt(max(triangles, 100) / model.triangle_count))
    for _ in range(3):
        model = make(detail)
        ratio = triangles / model.triangle_count
        if abs(ratio - 1) < 0.05:
            break
        detail *= float(np.sqrt(ratio))
    return model


def demo_model_glb(kind: str, triangles: int | None = None) -> bytes:
    """GLB bytes of a generated ``kind`` model (see ``generate_model``)."""
    return generate_model(kind, triangles).to_glb()
