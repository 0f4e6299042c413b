"""``python -m render`` end to end, in a subprocess, with paths relative to the spec."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

from render import samples

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "render", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _write_design(folder: Path, **layer_extra) -> Path:
    (folder / "assets").mkdir()
    (folder / "assets" / "mug.png").write_bytes(samples.demo_product_photo("mug", 400))
    layer = {"type": "text", "text": "Zoë", "font": "lobster-two", "color": "#224488"}
    layer.update(layer_extra)
    spec = {
        "product": {"image": "assets/mug.png"},
        "printAreas": samples.demo_template("mug")["printAreas"],
        "layers": [layer, {"type": "image", "image": "assets/mug.png", "scale": 0.3, "y": 0.85}],
    }
    path = folder / "design.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_cli_renders_a_preview_from_a_spec_file(tmp_path):
    spec = _write_design(tmp_path)
    out = tmp_path / "preview.webp"
    result = _run("preview", "--spec", str(spec), "--out", str(out), "--width", "320")
    assert result.returncode == 0, result.stderr
    with Image.open(out) as image:
        assert image.format == "WEBP" and image.size == (320, 320)


def test_cli_writes_production_png_and_pdf(tmp_path):
    spec = _write_design(tmp_path)
    out = tmp_path / "front.png"
    result = _run("production", "--spec", str(spec), "--out", str(out), "--area", "front")
    assert result.returncode == 0, result.stderr
    with Image.open(out) as image:
        assert image.size == (round(72 / 25.4 * 300), round(82 / 25.4 * 300))
    pdf = out.with_suffix(".pdf").read_bytes()
    assert re.search(rb"/MediaBox \[0 0 204\.09\d* 232\.44\d*\]", pdf)


def test_cli_reports_a_bad_spec_with_its_code_and_exit_status_2(tmp_path):
    spec = _write_design(tmp_path, font="no-such-font")
    result = _run("preview", "--spec", str(spec), "--out", str(tmp_path / "x.webp"))
    assert result.returncode == 2
    assert "unknown_font" in result.stderr and "layers[0].font" in result.stderr
    assert not (tmp_path / "x.webp").exists()
