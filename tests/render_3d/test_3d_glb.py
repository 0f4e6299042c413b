"""Baking a design into a GLB: valid glTF, the design where it belongs, sane materials."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from render.three_d import ModelError, bake_glb, demo_model_glb
from render.three_d.gltf import Gltf
from render.three_d.materials import linear_to_srgb8
from render.three_d.models import CERAMIC

from .conftest import (
    glb_images,
    gradient_design,
    material_image,
    mean_abs_diff,
    png_bytes,
    quad_glb,
    text_design,
)

Validator = Callable[[bytes, Path], dict]


def _errors(report: dict) -> list[dict]:
    return [m for m in report["issues"]["messages"] if m["severity"] == 0]


@pytest.mark.parametrize(
    ("kind", "engraving"),
    [("mug", None), ("ring", "gold"), ("phone-case", None), ("pendant", "silver")],
)
def test_baked_glb_has_no_validator_errors(
    kind: str, engraving: str | None, gltf_validator: Validator, tmp_path: Path
) -> None:
    glb = bake_glb(demo_model_glb(kind), text_design(), engraving_material=engraving)
    report = gltf_validator(glb, tmp_path)
    assert report["issues"]["numErrors"] == 0, _errors(report)
    assert report["issues"]["numWarnings"] == 0, report["issues"]["messages"]


def test_texture_in_glb_is_the_design(tmp_path: Path) -> None:
    design = gradient_design(800, 328)
    glb = bake_glb(demo_model_glb("mug"), png_bytes(design))
    image, mime = material_image(glb, "print")
    assert mime == "image/jpeg"  # opaque material, no alpha needed
    assert image.size == design.size
    assert mean_abs_diff(image, design) < 3.0


def test_transparent_parts_of_the_design_show_the_material_colour() -> None:
    design = gradient_design(600, 240, alpha=True)
    glb = bake_glb(demo_model_glb("mug"), design)
    image = np.asarray(material_image(glb, "print")[0].convert("RGB"), np.float32)
    ceramic = np.array(linear_to_srgb8(CERAMIC[:3]), np.float32)
    assert np.abs(image[:, :180] - ceramic).mean() < 3.0  # left third: no design
    middle = np.asarray(design.convert("RGB"), np.float32)[:, 220:380]
    assert np.abs(image[:, 220:380] - middle).mean() < 3.0
    material = next(m for m in Gltf.from_bytes(glb).json["materials"] if m["name"] == "print")
    assert material["pbrMetallicRoughness"]["baseColorFactor"] == [1.0, 1.0, 1.0, 1.0]


def test_design_in_a_uv_rect_keeps_the_rest_of_the_existing_texture() -> None:
    base = Image.new("RGBA", (1024, 512), (30, 120, 200, 255))
    textured = bake_glb(quad_glb(), base)  # the print material now has a blue texture
    design = gradient_design(256, 128)
    glb = bake_glb(textured, design, uv_rect=(0.5, 0.25, 0.75, 0.5))
    image, _ = material_image(glb, "print")
    assert image.size == (1024, 512)
    pixels = np.asarray(image.convert("RGB"), np.float32)
    assert np.abs(pixels[:, :500] - (30, 120, 200)).mean() < 3.0
    inside = Image.fromarray(pixels[128:256, 512:768].astype(np.uint8))
    assert mean_abs_diff(inside, design) < 4.0


def test_engraving_finish_sets_metal_and_roughness_where_the_design_is() -> None:
    glb = bake_glb(demo_model_glb("phone-case"), text_design(512, 1024), engraving_material="gold")
    material = next(m for m in Gltf.from_bytes(glb).json["materials"] if m["name"] == "print")
    pbr = material["pbrMetallicRoughness"]
    assert pbr["metallicFactor"] == 1.0 and pbr["roughnessFactor"] == 1.0
    mr, mime = material_image(glb, "print", "metallicRoughnessTexture")
    assert mime == "image/jpeg"
    rgb = np.asarray(mr.convert("RGB"), np.float32)
    engraved, plain = rgb[512, 256], rgb[20, 20]
    assert engraved[2] > 245 and engraved[1] == pytest.approx(0.45 * 255, abs=6)  # gold marks
    assert plain[2] < 8 and plain[1] == pytest.approx(0.35 * 255, abs=6)  # the case's plastic


def test_unknown_engraving_material_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        bake_glb(demo_model_glb("ring"), text_design(), engraving_material="platinum")
    assert err.value.code == "unknown_material"


def test_textures_are_capped_at_2048_px() -> None:
    glb = bake_glb(demo_model_glb("mug"), gradient_design(3000, 1200))
    assert [img.size for img, _ in glb_images(glb)] == [(2048, 819)]


def test_blended_material_keeps_alpha_in_a_png(gltf_validator: Validator, tmp_path: Path) -> None:
    clear = {"baseColorFactor": [1.0, 1.0, 1.0, 0.0]}  # a clear decal: only the design shows
    material = {"name": "print", "alphaMode": "BLEND", "pbrMetallicRoughness": clear}
    glb = bake_glb(quad_glb(material=material), text_design(256, 256))
    image, mime = material_image(glb, "print")
    assert mime == "image/png" and image.mode == "RGBA"
    assert image.getpixel((5, 5))[3] == 0 and image.getpixel((128, 128))[3] == 255
    assert gltf_validator(glb, tmp_path)["issues"]["numErrors"] == 0


def test_missing_normals_are_computed_facing_out(gltf_validator: Validator, tmp_path: Path) -> None:
    glb = bake_glb(quad_glb(normals=False), gradient_design(64, 64))
    gltf = Gltf.from_bytes(glb)
    attrs = gltf.json["meshes"][0]["primitives"][0]["attributes"]
    assert np.allclose(gltf.read_accessor(attrs["NORMAL"]), [0, 0, 1])
    assert gltf_validator(glb, tmp_path)["issues"]["numErrors"] == 0


def test_a_named_material_that_does_not_exist_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        bake_glb(demo_model_glb("mug"), text_design(), material_name="glaze")
    assert err.value.code == "unknown_material"


def test_a_model_without_a_recognisable_print_material_asks_for_one() -> None:
    glb = bake_glb(quad_glb(material={"name": "body"}), None)  # no design: just normalised
    two = Gltf.from_bytes(glb)
    two.json["materials"].append({"name": "trim"})
    with pytest.raises(ModelError) as err:
        bake_glb(two.to_glb(), text_design())
    assert err.value.code == "no_print_material"


def test_unreadable_texture_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        bake_glb(demo_model_glb("mug"), b"not an image")
    assert err.value.code == "bad_texture"


def test_uv_rect_outside_the_unit_square_is_refused() -> None:
    with pytest.raises(ModelError) as err:
        bake_glb(demo_model_glb("mug"), text_design(), uv_rect=(0.5, 0.5, 1.5, 0.9))
    assert err.value.code == "bad_uv_rect"


def test_oversized_and_webp_textures_of_the_model_are_normalised(
    gltf_validator: Validator, tmp_path: Path
) -> None:
    gltf = Gltf.from_bytes(quad_glb())
    big, webp = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (3000, 1000), (200, 100, 50)).save(big, "PNG")
    Image.new("RGB", (64, 64), (10, 20, 30)).save(webp, "WEBP")
    base = gltf.add_image_texture(big.getvalue(), "image/png", None)
    emissive = gltf.add_image_texture(webp.getvalue(), "image/webp", None)
    material = gltf.json["materials"][0]
    material["pbrMetallicRoughness"]["baseColorTexture"] = {"index": base}
    material.update(emissiveTexture={"index": emissive}, emissiveFactor=[1.0, 1.0, 1.0])
    glb = bake_glb(gltf.to_glb(), None)
    images = glb_images(glb)
    assert sorted((img.size, mime) for img, mime in images) == [
        ((64, 64), "image/jpeg"),
        ((2048, 683), "image/jpeg"),
    ]
    assert gltf_validator(glb, tmp_path)["issues"]["numErrors"] == 0
