"""Baking a design into a product model: the personalised GLB.

``bake`` does the work once (parse, fix normals, compose and encode textures) and
returns a ``BakedModel``; ``bake_glb`` writes it as GLB and ``render.three_d.usdz``
turns the same ``BakedModel`` into USDZ without encoding any texture again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from render.three_d.errors import ModelError, malformed_as_model_error
from render.three_d.gltf import Gltf, texture_refs
from render.three_d.materials import (
    EngravingFinish,
    engraving_finish,
    linear_scale_lut,
    linear_to_srgb8,
    srgb_scale_lut,
)
from render.three_d.models import ProductModel
from render.three_d.textures import (
    TextureInput,
    decode,
    encode,
    fit_within,
    has_transparency,
    load_design,
    open_image,
    resized,
)
from render.three_d.validate import (
    MAX_TEXTURE_PX,
    Limits,
    ModelInfo,
    find_print_material,
    inspect_model,
)

UVRect = tuple[float, float, float, float]
LINEAR, LINEAR_MIPMAP_LINEAR, CLAMP_TO_EDGE = 9729, 9987, 33071


@dataclass(frozen=True)
class BakedModel:
    """A model with the design applied, ready to write as GLB or USDZ."""

    gltf: Gltf
    info: ModelInfo
    print_material: str | None

    def glb(self) -> bytes:
        """The personalised model as GLB bytes."""
        return self.gltf.to_glb()


def bake_glb(
    model_glb: bytes | ProductModel,
    texture: TextureInput | None,
    *,
    material_name: str | None = None,
    uv_rect: UVRect | None = None,
    engraving_material: str | None = None,
    max_texture_px: int = MAX_TEXTURE_PX,
    limits: Limits = Limits(),
) -> bytes:
    """Put a design on a model and return the personalised GLB. See ``bake``."""
    return bake(
        model_glb,
        texture,
        material_name=material_name,
        uv_rect=uv_rect,
        engraving_material=engraving_material,
        max_texture_px=max_texture_px,
        limits=limits,
    ).glb()


def bake(
    model: bytes | ProductModel,
    texture: TextureInput | None,
    *,
    material_name: str | None = None,
    uv_rect: UVRect | None = None,
    engraving_material: str | None = None,
    max_texture_px: int = MAX_TEXTURE_PX,
    limits: Limits = Limits(),
) -> BakedModel:
    """Validate ``model`` and put ``texture`` (RGBA PIL image or PNG/JPEG bytes) into the
    base colour of the print material.

    The print material is ``material_name``, else the one ``find_print_material`` finds.
    Without ``uv_rect`` the design fills the material's whole UV square; with
    ``uv_rect`` = (u0, v0, u1, v1) in glTF UV space (v down, as image rows) it is placed
    in that rectangle of the material's existing texture. Either way it is composed over
    the material's colour, which is folded into the texture. ``engraving_material``
    (gold, silver, rose-gold, black-anodized, wood-burn, glass-etch) gives the marks
    that finish's metalness and roughness through a metallic-roughness texture.

    The result also has unit normals everywhere (computed where missing) and every
    texture at most ``max_texture_px`` on a side, JPEG unless it needs alpha.
    With ``texture=None`` the model is only validated and normalised.
    """
    glb = model.to_glb() if isinstance(model, ProductModel) else bytes(model)
    design = load_design(texture) if texture is not None else None
    finish = engraving_finish(engraving_material) if engraving_material else None
    with malformed_as_model_error():
        gltf, info = inspect_model(glb, limits)
        fix_normals(gltf)
        picked = None
        if design is not None:
            index = find_print_material(gltf.json, material_name)
            assert index is not None
            _apply_design(gltf, index, design, uv_rect, finish, max_texture_px)
            picked = gltf.json["materials"][index].get("name")
        _normalise_images(gltf, max_texture_px)
    return BakedModel(gltf, info, picked)


def _apply_design(
    gltf: Gltf,
    index: int,
    design: Image.Image,
    uv_rect: UVRect | None,
    finish: EngravingFinish | None,
    max_px: int,
) -> None:
    doc = gltf.json
    material = doc["materials"][index]
    pbr = material.setdefault("pbrMetallicRoughness", {})
    old = pbr.get("baseColorTexture")
    texcoord = int(old.get("texCoord", 0)) if old else 0
    _require_uvs(doc, index, texcoord)
    base = _texture_image(gltf, old, "RGBA") if old else None
    size, box = _plan(design.size, base.size if base else None, uv_rect, max_px)
    opaque = material.get("alphaMode", "OPAQUE") == "OPAQUE"
    factor = [float(x) for x in pbr.get("baseColorFactor", (1.0, 1.0, 1.0, 1.0))]
    canvas = _background(base, factor, size, opaque)
    layer = resized(design, _box_size(box))
    canvas.alpha_composite(layer, box[:2])
    keep_existing = old is not None and uv_rect is not None
    sampler = doc["textures"][old["index"]].get("sampler") if keep_existing else _clamp_sampler(doc)
    alpha = not opaque and has_transparency(canvas)
    payload, mime = encode(canvas, alpha=alpha)
    info: dict[str, Any] = {"index": gltf.add_image_texture(payload, mime, sampler)}
    if texcoord:
        info["texCoord"] = texcoord
    if keep_existing and "extensions" in old:
        info["extensions"] = old["extensions"]
    pbr["baseColorTexture"] = info
    pbr["baseColorFactor"] = [1.0, 1.0, 1.0, 1.0 if (opaque or alpha) else factor[3]]
    if finish is not None:
        _apply_finish(gltf, pbr, finish, layer.getchannel("A"), size, box, sampler, info)


def _apply_finish(
    gltf: Gltf,
    pbr: dict,
    finish: EngravingFinish,
    mask: Image.Image,
    size: tuple[int, int],
    box: tuple[int, int, int, int],
    sampler: int | None,
    base_info: dict,
) -> None:
    """Metalness and roughness of the engraving where the design is, the material's
    own elsewhere (glTF: roughness in G, metalness in B)."""
    metallic, roughness = (
        float(pbr.get("metallicFactor", 1.0)),
        float(pbr.get("roughnessFactor", 1.0)),
    )
    old = pbr.get("metallicRoughnessTexture")
    if old:
        mr = resized(_texture_image(gltf, old, "RGB"), size)
        r, g, b = mr.split()
        mr = Image.merge(
            "RGB", (r, g.point(linear_scale_lut(roughness)), b.point(linear_scale_lut(metallic)))
        )
    else:
        mr = Image.new("RGB", size, (255, round(roughness * 255), round(metallic * 255)))
    # lerp towards the finish by the design's coverage; occlusion (R) stays as it was
    r, g, b = mr.crop(box).split()
    g = Image.composite(Image.new("L", g.size, round(finish.roughness * 255)), g, mask)
    b = Image.composite(Image.new("L", b.size, round(finish.metallic * 255)), b, mask)
    mr.paste(Image.merge("RGB", (r, g, b)), box[:2])
    payload, mime = encode(mr, alpha=False, exact_chroma=True)
    info = {k: v for k, v in base_info.items() if k != "index"}
    info["index"] = gltf.add_image_texture(payload, mime, sampler)
    pbr["metallicRoughnessTexture"] = info
    pbr["metallicFactor"] = 1.0
    pbr["roughnessFactor"] = 1.0


def _plan(
    design: tuple[int, int], base: tuple[int, int] | None, uv_rect: UVRect | None, max_px: int
) -> tuple[tuple[int, int], tuple[int, int, int, int]]:
    """Canvas size and the design's box on it."""
    if uv_rect is None:
        w, h = fit_within(design, max_px)
        return (w, h), (0, 0, w, h)
    try:
        u0, v0, u1, v1 = (float(x) for x in uv_rect)
    except (TypeError, ValueError):
        raise ModelError("bad_uv_rect", "uv_rect must be four numbers (u0, v0, u1, v1)") from None
    if not (0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1):
        raise ModelError(
            "bad_uv_rect", f"uv_rect {uv_rect} must satisfy 0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1"
        )
    w, h = fit_within(base if base else (design[0] / (u1 - u0), design[1] / (v1 - v0)), max_px)
    x0, y0 = min(round(u0 * w), w - 1), min(round(v0 * h), h - 1)
    return (w, h), (x0, y0, max(x0 + 1, round(u1 * w)), max(y0 + 1, round(v1 * h)))


def _box_size(box: tuple[int, int, int, int]) -> tuple[int, int]:
    return box[2] - box[0], box[3] - box[1]


def _background(
    base: Image.Image | None, factor: list[float], size: tuple[int, int], opaque: bool
) -> Image.Image:
    """The material's colour as sRGB pixels: its texture times its factor, or the factor."""
    alpha = 1.0 if opaque else factor[3]
    if base is None:
        return Image.new("RGBA", size, linear_to_srgb8(tuple(factor[:3])) + (round(alpha * 255),))
    img = resized(base, size)
    r, g, b, a = img.split()
    channels = [
        c.point(srgb_scale_lut(f)) if f != 1.0 else c
        for c, f in zip((r, g, b), factor[:3], strict=True)
    ]
    a = Image.new("L", size, 255) if opaque else a.point(linear_scale_lut(alpha))
    return Image.merge("RGBA", (*channels, a))


def _texture_image(gltf: Gltf, info: dict, mode: str) -> Image.Image:
    texture = gltf.json["textures"][info["index"]]
    source = texture.get("source")
    if source is None:
        raise ModelError(
            "unsupported", "the print material's texture uses an image format extension"
        )
    data, _ = gltf.image_bytes(source)
    return decode(data, mode)


def _clamp_sampler(doc: dict) -> int:
    wanted = {
        "magFilter": LINEAR,
        "minFilter": LINEAR_MIPMAP_LINEAR,
        "wrapS": CLAMP_TO_EDGE,
        "wrapT": CLAMP_TO_EDGE,
    }
    samplers = doc.setdefault("samplers", [])
    if wanted in samplers:
        return samplers.index(wanted)
    samplers.append(wanted)
    return len(samplers) - 1


def _require_uvs(doc: dict, index: int, texcoord: int) -> None:
    attr = f"TEXCOORD_{texcoord}"
    for mesh in doc.get("meshes", []):
        for prim in mesh.get("primitives", []):
            if prim.get("material") == index and attr not in prim.get("attributes", {}):
                name = doc["materials"][index].get("name", index)
                raise ModelError(
                    "no_uvs",
                    f"material {name!r} is drawn without {attr}, so the design cannot be placed",
                )


def fix_normals(gltf: Gltf) -> None:
    """Give every triangle primitive unit-length normals, computing missing ones."""
    done: dict[tuple[int, int | None, int | None], int] = {}
    for mesh in gltf.json.get("meshes", []):
        for prim in mesh.get("primitives", []):
            attrs = prim.get("attributes", {})
            if prim.get("mode", 4) != 4 or "POSITION" not in attrs:
                continue
            key = (attrs["POSITION"], prim.get("indices"), attrs.get("NORMAL"))
            if key not in done:
                done[key] = _unit_normals(gltf, prim)
            if done[key] >= 0:
                attrs["NORMAL"] = done[key]


def _unit_normals(gltf: Gltf, prim: dict) -> int:
    """A new NORMAL accessor for ``prim``, or -1 when its normals are already fine."""
    attrs = prim["attributes"]
    normals = gltf.read_accessor(attrs["NORMAL"], as_float=True) if "NORMAL" in attrs else None
    if normals is not None:
        length = np.linalg.norm(normals, axis=1)
        if normals.shape[1] == 3 and np.all(np.abs(length - 1) < 5e-4):
            return -1
    positions = gltf.read_accessor(attrs["POSITION"], as_float=True).astype(np.float64)
    if "indices" in prim:
        tris = gltf.read_accessor(prim["indices"]).reshape(-1).astype(np.int64)
    else:
        tris = np.arange(len(positions), dtype=np.int64)
    tris = tris[: len(tris) // 3 * 3].reshape(-1, 3)
    if tris.size and int(tris.max()) >= len(positions):
        raise ModelError("invalid_glb", "triangle indices point past the vertex list")
    computed = vertex_normals(positions, tris)
    if normals is not None and normals.shape[1] == 3:
        length = np.linalg.norm(normals, axis=1)
        ok = length > 1e-6
        computed[ok] = normals[ok] / length[ok, None]
    return gltf.add_accessor(computed.astype(np.float32))


def vertex_normals(positions: np.ndarray, tris: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals (+Z for vertices on no triangle)."""
    p = positions[tris]
    face = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    flat = tris.ravel()
    out = np.stack(
        [np.bincount(flat, np.repeat(face[:, k], 3), minlength=len(positions)) for k in range(3)], 1
    )
    length = np.linalg.norm(out, axis=1)
    good = length > 1e-20
    out[good] /= length[good, None]
    out[~good] = (0.0, 0.0, 1.0)
    return out


def _normalise_images(gltf: Gltf, max_px: int) -> None:
    """Scale images used by materials down to ``max_px`` and turn other formats into
    PNG/JPEG, so the GLB and the USDZ can share them as they are."""
    doc = gltf.json
    used = {
        doc["textures"][r["index"]].get("source") for r in texture_refs(doc.get("materials", []))
    }
    for index in sorted(i for i in used if i is not None):
        data, mime = gltf.image_bytes(index)
        img = open_image(data)
        if max(img.size) <= max_px and mime in ("image/png", "image/jpeg"):
            continue
        img = decode(data, "RGBA")
        if max(img.size) > max_px:
            img = resized(img, fit_within(img.size, max_px))
        payload, new_mime = encode(img, alpha=has_transparency(img))
        image = {k: v for k, v in doc["images"][index].items() if k == "name"}
        doc["images"][index] = image | {"bufferView": gltf.add_view(payload), "mimeType": new_mime}
