"""``python -m render glb|usdz``: files from a spec or a texture, clear errors otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import render
from render.three_d import demo_model_glb, validate_model
from render.three_d.cli import main

from .conftest import gradient_design, material_image, mean_abs_diff, png_bytes

SPEC = {
    "product": {"background": "#ffffff", "aspect": 1.0},
    "printAreas": [
        {
            "id": "band",
            "x": 0.2,
            "y": 0.4,
            "width": 0.6,
            "height": 0.1,
            "widthMm": 23.2,
            "heightMm": 4.4,
        }
    ],
    "layers": [
        {
            "type": "text",
            "printArea": "band",
            "text": "Forever",
            "material": "gold",
            "x": 0.5,
            "y": 0.5,
        }
    ],
}


def test_glb_from_a_texture_file(tmp_path: Path) -> None:
    design = gradient_design(600, 246)
    (tmp_path / "design.png").write_bytes(png_bytes(design))
    out = tmp_path / "out" / "mug.glb"
    args = ["glb", "--demo", "mug", "--texture", str(tmp_path / "design.png"), "--out", str(out)]
    assert main(args) == 0
    assert mean_abs_diff(material_image(out.read_bytes(), "print")[0], design) < 3.0


def test_usdz_from_a_spec_drawn_by_the_2d_engine(tmp_path: Path) -> None:
    if not hasattr(render, "texture"):
        pytest.skip("the 2D engine has no render.texture")
    pytest.importorskip("pxr", reason="usd-core is not installed")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    out = tmp_path / "ring.usdz"
    assert main(["usdz", "--spec", str(spec), "--demo", "ring", "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"


def test_glb_from_a_spec_uses_the_layers_engraving_finish(tmp_path: Path) -> None:
    if not hasattr(render, "texture"):
        pytest.skip("the 2D engine has no render.texture")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    out = tmp_path / "ring.glb"
    assert main(["glb", "--spec", str(spec), "--demo", "ring", "--out", str(out)]) == 0
    image, _ = material_image(out.read_bytes(), "engraving", "metallicRoughnessTexture")
    assert max(image.size) == 2048


def test_without_texture_or_2d_engine_the_error_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delattr(render, "texture", raising=False)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(SPEC))
    code = main(["glb", "--spec", str(spec), "--demo", "ring", "--out", str(tmp_path / "x.glb")])
    assert code == 1
    assert "--texture" in capsys.readouterr().err


def test_a_broken_model_is_reported_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.glb").write_bytes(b"not a model")
    (tmp_path / "design.png").write_bytes(png_bytes(gradient_design(64, 64)))
    args = ["glb", "--model", str(tmp_path / "bad.glb"), "--texture", str(tmp_path / "design.png")]
    assert main([*args, "--out", str(tmp_path / "x.glb")]) == 1
    assert "invalid_glb" in capsys.readouterr().err


def test_validate_prints_the_model_description(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--demo", "pendant"]) == 0
    described = json.loads(capsys.readouterr().out)
    assert described["print_material"] == "engraving"
    expected = validate_model(demo_model_glb("pendant")).triangle_count
    assert described["triangle_count"] == expected
