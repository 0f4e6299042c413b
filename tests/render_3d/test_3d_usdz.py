"""USDZ for AR Quick Look: ARKit-compliant, aligned and stored, the design inside, UVs flipped."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pxr = pytest.importorskip("pxr", reason="usd-core is not installed")
from pxr import Kind, Usd, UsdGeom, UsdShade, UsdUtils  # noqa: E402

from render.three_d import bake, demo_model_glb  # noqa: E402
from render.three_d.gltf import Gltf  # noqa: E402
from render.three_d.usdz import make_usdz  # noqa: E402

from .conftest import gradient_design, mean_abs_diff, quad_glb, text_design  # noqa: E402

ALLOWED_SHADERS = {"UsdPreviewSurface", "UsdUVTexture", "UsdPrimvarReader_float2"}


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "model.usdz"
    path.write_bytes(data)
    return path


def _compliance(path: Path) -> tuple[list[str], list[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        checker = UsdUtils.ComplianceChecker(arkit=True)
    checker.CheckCompliance(str(path))
    return checker.GetErrors(), checker.GetFailedChecks()


@pytest.mark.parametrize(("kind", "engraving"), [("mug", None), ("ring", "gold")])
def test_usdz_passes_the_arkit_compliance_checker(
    kind: str, engraving: str | None, tmp_path: Path
) -> None:
    path = _write(
        tmp_path, make_usdz(demo_model_glb(kind), text_design(), engraving_material=engraving)
    )
    assert _compliance(path) == ([], [])


def test_usdz_stage_is_y_up_in_centimetres_with_a_component_default_prim(tmp_path: Path) -> None:
    stage = Usd.Stage.Open(str(_write(tmp_path, make_usdz(demo_model_glb("mug"), text_design()))))
    assert UsdGeom.GetStageUpAxis(stage) == UsdGeom.Tokens.y
    assert UsdGeom.GetStageMetersPerUnit(stage) == pytest.approx(0.01)
    root = stage.GetDefaultPrim()
    assert root and Usd.ModelAPI(root).GetKind() == Kind.Tokens.component
    meshes = [UsdGeom.Mesh(p) for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    heights = [m.GetExtentAttr().Get()[1][1] - m.GetExtentAttr().Get()[0][1] for m in meshes]
    assert max(heights) == pytest.approx(9.5, abs=0.05)  # a 95 mm mug, in centimetres
    shaders = {UsdShade.Shader(p).GetShaderId() for p in stage.Traverse() if p.IsA(UsdShade.Shader)}
    assert shaders == ALLOWED_SHADERS


def test_usdz_zip_is_stored_and_64_byte_aligned_with_the_layer_first(tmp_path: Path) -> None:
    data = make_usdz(demo_model_glb("ring"), text_design(), engraving_material="rose-gold")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        assert entries[0].filename == "model.usdc"
        assert any(e.filename.endswith((".jpg", ".png")) for e in entries)
        for entry in entries:
            assert entry.compress_type == zipfile.ZIP_STORED
            # the local header's name and extra lengths, which may differ from the central one's
            name_len, extra_len = struct.unpack_from("<HH", data, entry.header_offset + 26)
            assert (entry.header_offset + 30 + name_len + extra_len) % 64 == 0, entry.filename


def test_texture_in_usdz_is_the_glb_texture_and_the_design() -> None:
    design = gradient_design(800, 328)
    baked = bake(demo_model_glb("mug"), design)
    glb = Gltf.from_bytes(baked.glb())
    glb_texture, _ = glb.image_bytes(0)
    with zipfile.ZipFile(io.BytesIO(make_usdz(baked))) as archive:
        textures = [n for n in archive.namelist() if n.startswith("textures/")]
        assert len(textures) == 1
        inside = archive.read(textures[0])
    assert inside == glb_texture  # shared bytes: encoded once
    assert mean_abs_diff(Image.open(io.BytesIO(inside)), design) < 3.0


def test_usd_st_is_glb_uv_with_t_flipped(tmp_path: Path) -> None:
    glb = demo_model_glb("phone-case")
    stage = Usd.Stage.Open(str(_write(tmp_path, make_usdz(glb, gradient_design(256, 512)))))
    gltf = Gltf.from_bytes(glb)
    mesh_json = gltf.json["meshes"][0]
    names = [m["name"] for m in gltf.json["materials"]]
    prim_index = next(
        i for i, p in enumerate(mesh_json["primitives"]) if names[p["material"]] == "print"
    )
    uv = gltf.read_accessor(mesh_json["primitives"][prim_index]["attributes"]["TEXCOORD_0"])
    meshes = [UsdGeom.Mesh(p) for p in stage.Traverse() if p.IsA(UsdGeom.Mesh)]
    bound = {
        m: UsdShade.MaterialBindingAPI(m.GetPrim()).ComputeBoundMaterial()[0].GetPrim().GetName()
        for m in meshes
    }
    print_mesh = next(m for m, name in bound.items() if name == "print")
    st = np.array(UsdGeom.PrimvarsAPI(print_mesh).GetPrimvar("st").Get())
    assert np.allclose(st[:, 0], uv[:, 0]) and np.allclose(st[:, 1], 1.0 - uv[:, 1])
    # the top of the case (largest y) shows the top of the design: t near 1 in USD
    points = np.array(print_mesh.GetPointsAttr().Get())
    assert np.corrcoef(points[:, 1], st[:, 1])[0, 1] > 0.99


def test_usdz_is_made_from_a_baked_model_without_a_texture_argument() -> None:
    baked = bake(demo_model_glb("pendant"), text_design(512, 512), engraving_material="silver")
    with pytest.raises(ValueError):
        make_usdz(baked, text_design())
    assert make_usdz(baked)[:2] == b"PK"


def test_gltf_texture_transform_becomes_an_equivalent_usd_transform2d(tmp_path: Path) -> None:
    offset, rotation, scale = (0.1, 0.2), 0.3, (2.0, 0.5)
    textured = Gltf.from_bytes(bake(quad_glb(), gradient_design(64, 64)).glb())
    info = textured.json["materials"][0]["pbrMetallicRoughness"]["baseColorTexture"]
    info["extensions"] = {
        "KHR_texture_transform": {"offset": offset, "rotation": rotation, "scale": scale}
    }
    textured.json["extensionsUsed"] = ["KHR_texture_transform"]
    path = _write(tmp_path, make_usdz(textured.to_glb()))
    assert _compliance(path) == ([], [])
    stage = Usd.Stage.Open(str(path))
    node = next(
        UsdShade.Shader(p)
        for p in stage.Traverse()
        if p.IsA(UsdShade.Shader) and UsdShade.Shader(p).GetShaderId() == "UsdTransform2d"
    )
    deg = node.GetInput("rotation").Get()
    usd_scale = np.array(node.GetInput("scale").Get())
    usd_translation = np.array(node.GetInput("translation").Get())
    uv = np.random.default_rng(3).random((20, 2))
    # glTF: uv' = T * R * S * uv with R = [[c, s], [-s, c]], v pointing down
    c, s = np.cos(rotation), np.sin(rotation)
    gltf_uv = (uv * scale) @ np.array([[c, s], [-s, c]]).T + offset
    # USD: scale, rotate counter-clockwise by degrees, translate; in t-up coordinates
    st = np.stack([uv[:, 0], 1 - uv[:, 1]], 1)
    a = np.radians(deg)
    usd_st = (st * usd_scale) @ np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]).T
    usd_st += usd_translation
    assert np.allclose(usd_st, np.stack([gltf_uv[:, 0], 1 - gltf_uv[:, 1]], 1), atol=1e-5)


def test_normal_occlusion_and_emissive_maps_pass_the_checker(tmp_path: Path) -> None:
    gltf = Gltf.from_bytes(bake(quad_glb(), gradient_design(64, 64)).glb())
    flat = Image.new("RGB", (32, 32), (128, 128, 255))
    buffer = io.BytesIO()
    flat.save(buffer, "PNG")
    normal_map = gltf.add_image_texture(buffer.getvalue(), "image/png", None)
    gltf.json["materials"][0].update(
        normalTexture={"index": normal_map, "scale": 0.8},
        occlusionTexture={"index": normal_map, "strength": 0.5},
        emissiveTexture={"index": normal_map},
        emissiveFactor=[0.2, 0.1, 0.0],
    )
    path = _write(tmp_path, make_usdz(gltf.to_glb()))
    assert _compliance(path) == ([], [])
    stage = Usd.Stage.Open(str(path))
    surface = next(
        UsdShade.Shader(p)
        for p in stage.Traverse()
        if p.IsA(UsdShade.Shader) and UsdShade.Shader(p).GetShaderId() == "UsdPreviewSurface"
    )
    for name in ("normal", "occlusion", "emissiveColor", "diffuseColor"):
        assert surface.GetInput(name).HasConnectedSource(), name
