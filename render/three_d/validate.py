"""Checks on a GLB before the engine (or a merchant) relies on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from render.three_d.budget import scene_cost
from render.three_d.errors import ModelError, malformed_as_model_error
from render.three_d.gltf import Gltf, texture_refs
from render.three_d.textures import open_image

MAX_MODEL_BYTES = 30 * 1024 * 1024
MAX_TRIANGLES = 300_000
MAX_TEXTURE_PX = 2048

# Required extensions the engine can carry through; any other required extension
# (Draco, meshopt, KTX2 ...) changes how data must be decoded and is refused.
SUPPORTED_REQUIRED = {"KHR_mesh_quantization", "KHR_texture_transform"}
# Extensions the USDZ carries over too; others stay in the GLB only.
USDZ_EXTENSIONS = SUPPORTED_REQUIRED
PRINT_NAMES = ("print", "engrav", "personali", "design", "luneo")


@dataclass(frozen=True)
class Limits:
    """What an uploaded model may be."""

    max_bytes: int = MAX_MODEL_BYTES
    max_triangles: int = MAX_TRIANGLES


@dataclass(frozen=True)
class MaterialInfo:
    """One material of a model, as a merchant picking the print material sees it."""

    index: int
    name: str
    triangles: int
    has_uvs: bool
    has_texture: bool
    print_area_mm: tuple[float, float] | None


@dataclass(frozen=True)
class ModelInfo:
    """What validation learnt about a model. Sizes in metres, glTF axes (Y up)."""

    size_bytes: int
    triangle_count: int
    vertex_count: int
    materials: tuple[MaterialInfo, ...]
    bounds_min: tuple[float, float, float]
    bounds_max: tuple[float, float, float]
    print_material: str | None
    warnings: tuple[str, ...]

    @property
    def size_m(self) -> tuple[float, float, float]:
        """Width, height and depth of the model's bounding box in metres."""
        return tuple(float(b - a) for a, b in zip(self.bounds_min, self.bounds_max, strict=True))  # type: ignore[return-value]


def validate_model(glb: bytes, limits: Limits = Limits()) -> ModelInfo:
    """Check a merchant's GLB and describe it.

    Raises ``ModelError`` with code ``too_large``, ``invalid_glb``, ``unsupported``,
    ``no_geometry``, ``too_many_triangles`` or ``no_uvs`` (no textured triangles).
    """
    return inspect_model(glb, limits)[1]


def inspect_model(glb: bytes, limits: Limits = Limits()) -> tuple[Gltf, ModelInfo]:
    """``validate_model`` that also returns the parsed asset."""
    with malformed_as_model_error():
        return _inspect(glb, limits)


def _inspect(glb: bytes, limits: Limits) -> tuple[Gltf, ModelInfo]:
    if len(glb) > limits.max_bytes:
        raise ModelError(
            "too_large",
            f"model is {len(glb) / 2**20:.1f} MiB; the limit is {limits.max_bytes / 2**20:.0f} MiB",
        )
    gltf = Gltf.from_bytes(glb)
    gltf.check_accessors()
    doc = gltf.json
    unsupported = sorted(set(doc.get("extensionsRequired", [])) - SUPPORTED_REQUIRED)
    if unsupported:
        raise ModelError(
            "unsupported", f"model requires unsupported extensions: {', '.join(unsupported)}"
        )
    materials = doc.get("materials", [])
    tri_by_mat = [0] * (len(materials) + 1)  # last slot: primitives with no material
    uvs_by_mat = [True] * (len(materials) + 1)
    # Count what the scene draws before drawing it: a shared node graph can ask for 2^40
    # instances in a few kilobytes.
    cost = scene_cost(doc, scene_roots(doc), lambda m: _mesh_triangles(doc, m))
    if cost.triangles > limits.max_triangles:
        raise ModelError(
            "too_many_triangles",
            f"model has {cost.triangles:,} triangles; the limit is {limits.max_triangles:,}",
        )
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    vertices, warnings = 0, set()
    for mesh_index, world in mesh_instances(doc):
        for prim in doc["meshes"][mesh_index].get("primitives", []):
            n = primitive_triangles(doc, prim)
            if n == 0:
                warnings.add("non-triangle primitives (points or lines) are ignored")
                continue
            m = prim.get("material", len(materials))
            if not isinstance(m, int) or not 0 <= m <= len(materials):
                raise ModelError("invalid_glb", f"a primitive refers to missing material {m}")
            tri_by_mat[m] += n
            uvs_by_mat[m] &= "TEXCOORD_0" in prim.get("attributes", {})
            _check_attribute_types(doc, prim)
            p_lo, p_hi, count = _position_bounds(gltf, prim)
            vertices += count
            corners = np.array(np.meshgrid(*zip(p_lo, p_hi, strict=True))).reshape(3, -1).T
            world_corners = corners @ world[:3, :3].T + world[:3, 3]
            lo, hi = np.minimum(lo, world_corners.min(0)), np.maximum(hi, world_corners.max(0))
    total = sum(tri_by_mat)
    if total and not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ModelError("invalid_glb", "model positions or transforms are not finite numbers")
    if total == 0:
        raise ModelError("no_geometry", "model has no triangles in its scene")
    if total > limits.max_triangles:
        raise ModelError(
            "too_many_triangles",
            f"model has {total:,} triangles; the limit is {limits.max_triangles:,}",
        )
    if not any(uv and t for uv, t in zip(uvs_by_mat, tri_by_mat, strict=True)):
        raise ModelError(
            "no_uvs",
            "model has no texture coordinates (TEXCOORD_0), so a design cannot be placed on it",
        )
    infos = tuple(
        MaterialInfo(
            i,
            str(mat.get("name", f"material {i}")),
            tri_by_mat[i],
            uvs_by_mat[i] and tri_by_mat[i] > 0,
            bool(texture_refs(mat)),
            _print_area(mat),
        )
        for i, mat in enumerate(materials)
    )
    _check_textures(gltf, warnings)
    for name in sorted(set(doc.get("extensionsUsed", [])) - USDZ_EXTENSIONS):
        warnings.add(f"{name} is kept in the GLB but not carried into the USDZ")
    used = [i for i in infos if i.triangles]
    pick = find_print_material(doc, None, required=False)
    return gltf, ModelInfo(
        size_bytes=len(glb),
        triangle_count=total,
        vertex_count=vertices,
        materials=tuple(used),
        bounds_min=tuple(float(x) for x in lo),  # type: ignore[arg-type]
        bounds_max=tuple(float(x) for x in hi),  # type: ignore[arg-type]
        print_material=None if pick is None else infos[pick].name,
        warnings=tuple(sorted(warnings)),
    )


def scene_roots(doc: dict) -> list:
    """The root nodes of the default scene (or of the node forest when there is none)."""
    nodes = doc.get("nodes", [])
    scenes = doc.get("scenes", [])
    if scenes:
        return scenes[doc.get("scene", 0) if 0 <= doc.get("scene", 0) < len(scenes) else 0].get(
            "nodes", []
        )
    children = {c for n in nodes for c in n.get("children", [])}
    return [i for i in range(len(nodes)) if i not in children]


def _mesh_triangles(doc: dict, mesh: int) -> int:
    return sum(primitive_triangles(doc, p) for p in doc["meshes"][mesh].get("primitives", []))


def mesh_instances(doc: dict) -> Iterator[tuple[int, np.ndarray]]:
    """Each (mesh index, 4x4 world matrix) the default scene draws."""
    nodes = doc.get("nodes", [])
    roots = scene_roots(doc)
    stack = [(r, np.eye(4), 0) for r in roots]
    while stack:
        index, parent, depth = stack.pop()
        if not isinstance(index, int) or not 0 <= index < len(nodes) or depth > 64:
            raise ModelError("invalid_glb", "scene graph refers to missing nodes or is cyclic")
        node = nodes[index]
        world = parent @ node_matrix(node)
        if "mesh" in node:
            if not 0 <= node["mesh"] < len(doc.get("meshes", [])):
                raise ModelError(
                    "invalid_glb", f"node {index} refers to missing mesh {node['mesh']}"
                )
            yield node["mesh"], world
        stack.extend((c, world, depth + 1) for c in node.get("children", []))


def node_matrix(node: dict) -> np.ndarray:
    """A node's local transform as a 4x4 matrix."""
    if "matrix" in node:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T
    x, y, z, w = node.get("rotation", (0.0, 0.0, 0.0, 1.0))
    rot = np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )
    out = np.eye(4)
    out[:3, :3] = rot * np.asarray(node.get("scale", (1.0, 1.0, 1.0)), dtype=np.float64)
    out[:3, 3] = node.get("translation", (0.0, 0.0, 0.0))
    return out


def primitive_triangles(doc: dict, prim: dict) -> int:
    """How many triangles a primitive draws (0 for points and lines)."""
    accessors = doc.get("accessors", [])
    key = prim.get("indices", prim.get("attributes", {}).get("POSITION"))
    if not isinstance(key, int) or not 0 <= key < len(accessors):
        raise ModelError(
            "invalid_glb", "a primitive refers to a missing index or POSITION accessor"
        )
    count = int(accessors[key].get("count", 0))
    mode = prim.get("mode", 4)
    if mode == 4:
        return count // 3
    if mode in (5, 6):
        return max(count - 2, 0)
    return 0


def find_print_material(doc: dict, name: str | None, *, required: bool = True) -> int | None:
    """Index of the material that carries the design.

    ``name`` picks it explicitly; otherwise a material marked with ``extras.luneo.printArea``,
    then one whose name says print/engraving/personalization, then the only material.
    """
    materials = doc.get("materials", [])
    names = [str(m.get("name", "")) for m in materials]
    if name is not None:
        if name not in names:
            raise ModelError(
                "unknown_material",
                f"model has no material {name!r}; it has {', '.join(names) or 'none'}",
            )
        return names.index(name)
    marked = [i for i, m in enumerate(materials) if _print_area(m)]
    named = [i for i, n in enumerate(names) if any(word in n.lower() for word in PRINT_NAMES)]
    for candidates in (marked, named, list(range(len(materials))) if len(materials) == 1 else []):
        if candidates:
            return candidates[0]
    if required:
        raise ModelError(
            "no_print_material",
            f"cannot tell which material carries the design "
            f"({', '.join(names) or 'no materials'}); name it",
        )
    return None


def _print_area(material: dict) -> tuple[float, float] | None:
    extras = material.get("extras")
    luneo = extras.get("luneo") if isinstance(extras, dict) else None
    area = luneo.get("printArea") if isinstance(luneo, dict) else None
    if isinstance(area, dict) and "widthMm" in area and "heightMm" in area:
        return float(area["widthMm"]), float(area["heightMm"])
    return None


_ATTRIBUTE_TYPES = {
    "POSITION": "VEC3",
    "NORMAL": "VEC3",
    "TEXCOORD_0": "VEC2",
    "TEXCOORD_1": "VEC2",
}


def _check_attribute_types(doc: dict, prim: dict) -> None:
    accessors = doc.get("accessors", [])
    wanted = [(name, prim["attributes"].get(name), kind) for name, kind in _ATTRIBUTE_TYPES.items()]
    wanted.append(("indices", prim.get("indices"), "SCALAR"))
    for name, index, kind in wanted:
        if index is None:
            continue
        if not isinstance(index, int) or not 0 <= index < len(accessors):
            raise ModelError("invalid_glb", f"{name} refers to missing accessor {index}")
        if accessors[index].get("type") != kind:
            raise ModelError("invalid_glb", f"{name} accessor {index} is not {kind}")


def _position_bounds(gltf: Gltf, prim: dict) -> tuple[np.ndarray, np.ndarray, int]:
    index = prim.get("attributes", {}).get("POSITION")
    accessors = gltf.json.get("accessors", [])
    if not isinstance(index, int) or not 0 <= index < len(accessors):
        raise ModelError("invalid_glb", "a primitive has no POSITION accessor")
    acc = accessors[index]
    if acc.get("type") != "VEC3":
        raise ModelError("invalid_glb", "POSITION accessor is not VEC3")
    if "min" in acc and "max" in acc and "sparse" not in acc and acc.get("componentType") == 5126:
        return np.asarray(acc["min"], float), np.asarray(acc["max"], float), int(acc["count"])
    pts = gltf.read_accessor(index, as_float=True)
    if not len(pts):
        return np.zeros(3), np.zeros(3), 0
    return pts.min(0), pts.max(0), len(pts)


def _check_textures(gltf: Gltf, warnings: set[str]) -> None:
    textures, images = gltf.json.get("textures", []), gltf.json.get("images", [])
    for ref in texture_refs(gltf.json.get("materials", [])):
        index = ref["index"]
        if not isinstance(index, int) or not 0 <= index < len(textures):
            raise ModelError("invalid_glb", f"a material refers to missing texture {index}")
        source = textures[index].get("source")
        if source is not None and not (isinstance(source, int) and 0 <= source < len(images)):
            raise ModelError("invalid_glb", f"texture {index} refers to missing image {source}")
    for i, image in enumerate(images):
        if "bufferView" not in image:
            continue
        data, mime = gltf.image_bytes(i)
        if mime not in ("image/png", "image/jpeg"):
            warnings.add(f"image {i} is {mime}; it will be converted to PNG")
            continue
        try:
            size = open_image(data).size
        except ModelError:
            raise ModelError("invalid_glb", f"image {i} does not decode") from None
        if max(size) > MAX_TEXTURE_PX:
            warnings.add(
                f"image {i} is {size[0]}x{size[1]}; it will be scaled to {MAX_TEXTURE_PX} px"
            )
