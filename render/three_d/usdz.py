"""The personalised model as an ARKit-ready USDZ (AR Quick Look on iPhone and iPad).

The stage is Y up in centimetres (``metersPerUnit`` 0.01, what Quick Look has always
assumed), its default prim ``/Model`` is of kind ``component``, every mesh is a
triangle ``UsdGeom.Mesh`` in world space with vertex normals and an ``st`` primvar,
and every material is a ``UsdPreviewSurface`` fed by ``UsdUVTexture`` and
``UsdPrimvarReader_float2`` nodes. The textures are the GLB's own bytes, not encoded
again. The package is written by ``Sdf.ZipFileWriter``: stored, 64-byte aligned.
"""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path

import numpy as np
from pxr import Gf, Kind, Sdf, Usd, UsdGeom, UsdShade, Vt

from render.three_d.errors import ModelError, malformed_as_model_error
from render.three_d.glb import BakedModel, UVRect, bake
from render.three_d.gltf import Gltf
from render.three_d.models import ProductModel
from render.three_d.textures import TextureInput
from render.three_d.validate import MAX_TEXTURE_PX, Limits, mesh_instances

UNITS_PER_METRE = 100.0
_WRAP = {33071: "clamp", 33648: "mirror", 10497: "repeat"}
_EXT = {"image/png": "png", "image/jpeg": "jpg"}


def make_usdz(
    model: bytes | ProductModel | BakedModel,
    texture: TextureInput | None = None,
    *,
    material_name: str | None = None,
    uv_rect: UVRect | None = None,
    engraving_material: str | None = None,
    max_texture_px: int = MAX_TEXTURE_PX,
    limits: Limits = Limits(),
) -> bytes:
    """The model with the design on it as USDZ bytes.

    ``model`` is GLB bytes, a generated ``ProductModel`` or a ``BakedModel`` from
    ``render.three_d.glb.bake`` (then ``texture`` and the options must be left out, and
    no texture is encoded again). Otherwise the design is baked exactly as ``bake_glb``
    does, so the GLB and the USDZ of one design look the same.
    """
    if isinstance(model, BakedModel):
        if texture is not None:
            raise ValueError("a BakedModel already carries its design; pass texture=None")
        baked = model
    else:
        baked = bake(
            model,
            texture,
            material_name=material_name,
            uv_rect=uv_rect,
            engraving_material=engraving_material,
            max_texture_px=max_texture_px,
            limits=limits,
        )
    with tempfile.TemporaryDirectory(prefix="luneo-usdz-") as tmp:
        root = Path(tmp)
        with malformed_as_model_error():
            files = _write_stage(baked.gltf, root)
        package = root / "model.usdz"
        writer = Sdf.ZipFileWriter.CreateNew(str(package))
        for name in files:  # the root layer first, as USDZ requires
            writer.AddFile(str(root / name), name)
        writer.Save()
        return package.read_bytes()


def _write_stage(gltf: Gltf, root: Path) -> list[str]:
    """Write model.usdc and its textures under ``root``; returns the package's files."""
    stage = Usd.Stage.CreateNew(str(root / "model.usdc"))
    UsdGeom.SetStageUpAxis(stage, UsdGeom.Tokens.y)
    UsdGeom.SetStageMetersPerUnit(stage, 1.0 / UNITS_PER_METRE)
    model = UsdGeom.Xform.Define(stage, "/Model")
    stage.SetDefaultPrim(model.GetPrim())
    Usd.ModelAPI(model.GetPrim()).SetKind(Kind.Tokens.component)
    UsdGeom.Scope.Define(stage, "/Model/Geom")
    UsdGeom.Scope.Define(stage, "/Model/Materials")
    writer = _MaterialWriter(stage, gltf, root)
    doc, names = gltf.json, _Names()
    lo, hi = np.full(3, np.inf), np.full(3, -np.inf)
    for mesh_index, world in mesh_instances(doc):
        mesh = doc["meshes"][mesh_index]
        for p, prim in enumerate(mesh.get("primitives", [])):
            geometry = _triangles(gltf, prim, world)
            if geometry is None:
                continue
            path = f"/Model/Geom/{names.unique(mesh.get('name') or f'mesh{mesh_index}', str(p))}"
            material = writer.material(prim.get("material"))
            points = _define_mesh(
                stage, path, geometry, material, writer.double_sided(prim.get("material"))
            )
            lo, hi = np.minimum(lo, points.min(0)), np.maximum(hi, points.max(0))
    if not np.isfinite(lo).all():
        raise ModelError("no_geometry", "model has no triangles in its scene")
    UsdGeom.ModelAPI(model.GetPrim()).SetExtentsHint(
        Vt.Vec3fArray([Gf.Vec3f(*lo.tolist()), Gf.Vec3f(*hi.tolist())])
    )
    stage.GetRootLayer().Save()
    return ["model.usdc", *writer.files]


def _triangles(gltf: Gltf, prim: dict, world: np.ndarray) -> dict[str, np.ndarray] | None:
    """World-space triangle data of a primitive, or None if it draws no triangles."""
    attrs = prim.get("attributes", {})
    mode = prim.get("mode", 4)
    if mode not in (4, 5, 6) or "POSITION" not in attrs:
        return None
    points = gltf.read_accessor(attrs["POSITION"], as_float=True).astype(np.float64)
    order = (
        gltf.read_accessor(prim["indices"]).ravel().astype(np.int64)
        if "indices" in prim
        else np.arange(len(points))
    )
    if mode == 4:
        tris = order[: len(order) // 3 * 3].reshape(-1, 3)
    elif mode == 5:  # strip: every other triangle is wound the other way
        k = np.arange(max(len(order) - 2, 0))
        tris = np.stack([order[k], order[k + 1 + k % 2], order[k + 2 - k % 2]], 1)
    else:  # fan
        k = np.arange(1, max(len(order) - 1, 1))
        tris = np.stack([np.full(len(k), order[0]), order[k], order[k + 1]], 1)
    if not len(tris):
        return None
    if int(tris.max()) >= len(points):
        raise ModelError("invalid_glb", "triangle indices point past the vertex list")
    linear = world[:3, :3]
    out = {"points": (points @ linear.T + world[:3, 3]) * UNITS_PER_METRE}
    if np.linalg.det(linear) < 0:  # a mirroring transform turns the winding around
        tris = tris[:, [0, 2, 1]]
    out["tris"] = tris.astype(np.int32)
    if "NORMAL" in attrs:
        normals = gltf.read_accessor(attrs["NORMAL"], as_float=True).astype(
            np.float64
        ) @ np.linalg.inv(linear)
        out["normals"] = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    for set_index in (0, 1):
        key = f"TEXCOORD_{set_index}"
        if key in attrs:
            uv = gltf.read_accessor(attrs[key], as_float=True)
            out[f"st{set_index}"] = np.stack([uv[:, 0], 1.0 - uv[:, 1]], 1)  # glTF v down, USD t up
    return out


def _define_mesh(
    stage: Usd.Stage,
    path: str,
    g: dict[str, np.ndarray],
    material: UsdShade.Material,
    double_sided: bool,
) -> np.ndarray:
    mesh = UsdGeom.Mesh.Define(stage, path)
    points = g["points"].astype(np.float32)
    mesh.CreatePointsAttr(Vt.Vec3fArray.FromNumpy(points))
    mesh.CreateFaceVertexCountsAttr(Vt.IntArray.FromNumpy(np.full(len(g["tris"]), 3, np.int32)))
    mesh.CreateFaceVertexIndicesAttr(Vt.IntArray.FromNumpy(np.ascontiguousarray(g["tris"].ravel())))
    mesh.CreateSubdivisionSchemeAttr(UsdGeom.Tokens.none)
    mesh.CreateOrientationAttr(UsdGeom.Tokens.rightHanded)
    mesh.CreateDoubleSidedAttr(double_sided)
    mesh.CreateExtentAttr(
        Vt.Vec3fArray([Gf.Vec3f(*points.min(0).tolist()), Gf.Vec3f(*points.max(0).tolist())])
    )
    if "normals" in g:
        mesh.CreateNormalsAttr(Vt.Vec3fArray.FromNumpy(g["normals"].astype(np.float32)))
        mesh.SetNormalsInterpolation(UsdGeom.Tokens.vertex)
    primvars = UsdGeom.PrimvarsAPI(mesh)
    for set_index, name in ((0, "st"), (1, "st1")):
        if f"st{set_index}" in g:
            pv = primvars.CreatePrimvar(
                name, Sdf.ValueTypeNames.TexCoord2fArray, UsdGeom.Tokens.vertex
            )
            pv.Set(
                Vt.Vec2fArray.FromNumpy(np.ascontiguousarray(g[f"st{set_index}"], dtype=np.float32))
            )
    UsdShade.MaterialBindingAPI.Apply(mesh.GetPrim()).Bind(material)
    return points


class _Names:
    """Unique, valid USD prim names."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def unique(self, name: str, suffix: str = "") -> str:
        base = re.sub(r"\W", "_", name) or "item"
        if base[0].isdigit():
            base = "_" + base
        candidate, n = base, 1
        while candidate in self.used:
            candidate, n = f"{base}_{suffix or n}", n + 1
            suffix = ""
        self.used.add(candidate)
        return candidate


class _MaterialWriter:
    """glTF metallic-roughness materials as UsdPreviewSurface networks."""

    def __init__(self, stage: Usd.Stage, gltf: Gltf, root: Path) -> None:
        self.stage, self.gltf, self.root = stage, gltf, root
        self.materials: dict[int | None, UsdShade.Material] = {}
        self.images: dict[int, str] = {}
        self.files: list[str] = []
        self.names = _Names()

    def double_sided(self, index: int | None) -> bool:
        return index is not None and bool(self.gltf.json["materials"][index].get("doubleSided"))

    def material(self, index: int | None) -> UsdShade.Material:
        if index not in self.materials:
            self.materials[index] = self._define(index)
        return self.materials[index]

    def _define(self, index: int | None) -> UsdShade.Material:
        spec = self.gltf.json["materials"][index] if index is not None else {"name": "default"}
        name = self.names.unique(spec.get("name") or f"material{index}")
        path = f"/Model/Materials/{name}"
        material = UsdShade.Material.Define(self.stage, path)
        surface = UsdShade.Shader.Define(self.stage, f"{path}/PreviewSurface")
        surface.CreateIdAttr("UsdPreviewSurface")
        material.CreateSurfaceOutput().ConnectToSource(surface.ConnectableAPI(), "surface")
        pbr = spec.get("pbrMetallicRoughness", {})
        factor = [float(x) for x in pbr.get("baseColorFactor", (1.0, 1.0, 1.0, 1.0))]
        metallic, roughness = (
            float(pbr.get("metallicFactor", 1.0)),
            float(pbr.get("roughnessFactor", 1.0)),
        )
        mode = spec.get("alphaMode", "OPAQUE")
        inp = surface.CreateInput
        inp("useSpecularWorkflow", Sdf.ValueTypeNames.Int).Set(0)
        color = self._texture(path, "baseColor", pbr.get("baseColorTexture"), "sRGB", factor)
        if color:
            inp("diffuseColor", Sdf.ValueTypeNames.Color3f).ConnectToSource(
                color.ConnectableAPI(), "rgb"
            )
            if mode != "OPAQUE":
                inp("opacity", Sdf.ValueTypeNames.Float).ConnectToSource(
                    color.ConnectableAPI(), "a"
                )
        else:
            inp("diffuseColor", Sdf.ValueTypeNames.Color3f).Set(Gf.Vec3f(*factor[:3]))
            if mode != "OPAQUE":
                inp("opacity", Sdf.ValueTypeNames.Float).Set(factor[3])
        if mode == "MASK":
            inp("opacityThreshold", Sdf.ValueTypeNames.Float).Set(
                float(spec.get("alphaCutoff", 0.5))
            )
        scale = [1.0, roughness, metallic, 1.0]
        mr = self._texture(
            path, "metallicRoughness", pbr.get("metallicRoughnessTexture"), "raw", scale
        )
        if mr:
            inp("metallic", Sdf.ValueTypeNames.Float).ConnectToSource(mr.ConnectableAPI(), "b")
            inp("roughness", Sdf.ValueTypeNames.Float).ConnectToSource(mr.ConnectableAPI(), "g")
        else:
            inp("metallic", Sdf.ValueTypeNames.Float).Set(metallic)
            inp("roughness", Sdf.ValueTypeNames.Float).Set(roughness)
        self._extra_maps(path, spec, surface)
        return material

    def _extra_maps(self, path: str, spec: dict, surface: UsdShade.Shader) -> None:
        """Emissive colour, normal map and occlusion, when the material has them."""
        inp = surface.CreateInput
        emissive = [float(x) for x in spec.get("emissiveFactor", (0.0, 0.0, 0.0))]
        if any(emissive):
            scale = [*emissive, 1.0]
            tex = self._texture(path, "emissive", spec.get("emissiveTexture"), "sRGB", scale)
            if tex:
                inp("emissiveColor", Sdf.ValueTypeNames.Color3f).ConnectToSource(
                    tex.ConnectableAPI(), "rgb"
                )
            else:
                inp("emissiveColor", Sdf.ValueTypeNames.Color3f).Set(Gf.Vec3f(*emissive))
        normal = spec.get("normalTexture")
        if normal:
            k = float(normal.get("scale", 1.0))  # glTF scales the X and Y of the normal
            scale, bias = [2 * k, 2 * k, 2.0, 1.0], [-k, -k, -1.0, 0.0]
            tex = self._texture(path, "normal", normal, "raw", scale, bias)
            if tex:
                inp("normal", Sdf.ValueTypeNames.Normal3f).ConnectToSource(
                    tex.ConnectableAPI(), "rgb"
                )
        occlusion = spec.get("occlusionTexture")
        if occlusion:
            k = float(occlusion.get("strength", 1.0))  # 1 + k * (r - 1)
            tex = self._texture(path, "occlusion", occlusion, "raw", [k] * 4, [1.0 - k] * 4)
            if tex:
                inp("occlusion", Sdf.ValueTypeNames.Float).ConnectToSource(
                    tex.ConnectableAPI(), "r"
                )

    def _texture(
        self,
        path: str,
        role: str,
        info: dict | None,
        color_space: str,
        scale: list[float],
        bias: list[float] | None = None,
    ) -> UsdShade.Shader | None:
        """A UsdUVTexture reading the texture ``info`` refers to, or None."""
        if not info:
            return None
        texture = self.gltf.json["textures"][info["index"]]
        source = texture.get("source")
        if source is None:
            return None
        transform = (info.get("extensions") or {}).get("KHR_texture_transform")
        set_index = int((transform or {}).get("texCoord", info.get("texCoord", 0)))
        coords = self._reader(path, set_index)
        if transform:
            coords = self._uv_transform(f"{path}/{role}Transform", transform, coords)
        shader = UsdShade.Shader.Define(self.stage, f"{path}/{role}Texture")
        shader.CreateIdAttr("UsdUVTexture")
        shader.CreateInput("file", Sdf.ValueTypeNames.Asset).Set(self._image_file(source))
        shader.CreateInput("st", Sdf.ValueTypeNames.Float2).ConnectToSource(
            coords.ConnectableAPI(), "result"
        )
        shader.CreateInput("sourceColorSpace", Sdf.ValueTypeNames.Token).Set(color_space)
        sampler = (
            self.gltf.json.get("samplers", [])[texture["sampler"]] if "sampler" in texture else {}
        )
        shader.CreateInput("wrapS", Sdf.ValueTypeNames.Token).Set(
            _WRAP.get(sampler.get("wrapS", 10497), "repeat")
        )
        shader.CreateInput("wrapT", Sdf.ValueTypeNames.Token).Set(
            _WRAP.get(sampler.get("wrapT", 10497), "repeat")
        )
        if bias is not None or any(abs(s - 1.0) > 1e-6 for s in scale):
            shader.CreateInput("scale", Sdf.ValueTypeNames.Float4).Set(Gf.Vec4f(*scale))
        if bias is not None:
            shader.CreateInput("bias", Sdf.ValueTypeNames.Float4).Set(Gf.Vec4f(*bias))
        for output, kind in (
            ("rgb", Sdf.ValueTypeNames.Float3),
            ("r", None),
            ("g", None),
            ("b", None),
            ("a", None),
        ):
            shader.CreateOutput(output, kind or Sdf.ValueTypeNames.Float)
        return shader

    def _reader(self, path: str, set_index: int) -> UsdShade.Shader:
        """The material's primvar reader for UV set ``set_index`` (made once)."""
        prim_path = f"{path}/PrimvarReader{set_index}"
        existing = self.stage.GetPrimAtPath(prim_path)
        if existing:
            return UsdShade.Shader(existing)
        reader = UsdShade.Shader.Define(self.stage, prim_path)
        reader.CreateIdAttr("UsdPrimvarReader_float2")
        varname = "st" if set_index == 0 else f"st{set_index}"
        reader.CreateInput("varname", Sdf.ValueTypeNames.String).Set(varname)
        reader.CreateOutput("result", Sdf.ValueTypeNames.Float2)
        return reader

    def _uv_transform(self, path: str, transform: dict, source: UsdShade.Shader) -> UsdShade.Shader:
        """glTF KHR_texture_transform as a UsdTransform2d.

        glTF transforms v-down coordinates; USD's st has t up, t = 1 - v. Conjugating
        by that flip keeps scale, keeps the rotation angle (the flip reverses both the
        axis and glTF's clockwise sense) and moves the offset.
        """
        ox, oy = (float(x) for x in transform.get("offset", (0.0, 0.0)))
        sx, sy = (float(x) for x in transform.get("scale", (1.0, 1.0)))
        angle = float(transform.get("rotation", 0.0))
        node = UsdShade.Shader.Define(self.stage, path)
        node.CreateIdAttr("UsdTransform2d")
        node.CreateInput("in", Sdf.ValueTypeNames.Float2).ConnectToSource(
            source.ConnectableAPI(), "result"
        )
        node.CreateInput("rotation", Sdf.ValueTypeNames.Float).Set(math.degrees(angle))
        node.CreateInput("scale", Sdf.ValueTypeNames.Float2).Set(Gf.Vec2f(sx, sy))
        # where glTF sends (u, v) = (0, 1), i.e. st = (0, 0), flipped back to st
        tx, ty = ox + math.sin(angle) * sy, oy + math.cos(angle) * sy
        node.CreateInput("translation", Sdf.ValueTypeNames.Float2).Set(Gf.Vec2f(tx, 1.0 - ty))
        node.CreateOutput("result", Sdf.ValueTypeNames.Float2)
        return node

    def _image_file(self, source: int) -> str:
        """The package path of image ``source``, written to disk on first use."""
        if source not in self.images:
            data, mime = self.gltf.image_bytes(source)
            if mime not in _EXT:
                raise ModelError("unsupported", f"image {source} is {mime}; USDZ takes PNG or JPEG")
            name = f"textures/image{source}.{_EXT[mime]}"
            (self.root / "textures").mkdir(exist_ok=True)
            (self.root / name).write_bytes(data)
            self.images[source] = name
            self.files.append(name)
        return self.images[source]
