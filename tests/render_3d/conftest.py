"""Shared helpers for the 3D engine tests: designs, small hand-made GLBs, the glTF validator."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from render.three_d.gltf import Gltf

GLTF_DIR = Path(__file__).resolve().parents[1] / "gltf"


def gradient_design(width: int = 512, height: int = 256, alpha: bool = False) -> Image.Image:
    """A smooth, asymmetric RGBA design (JPEG-friendly), optionally with transparent parts."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., 0] = np.broadcast_to(255 * x, (height, width))
    rgba[..., 1] = np.broadcast_to(255 * y, (height, width))
    rgba[..., 2] = np.broadcast_to(255 * (1 - x) * (1 - y) * 0.8 + 30, (height, width))
    rgba[..., 3] = 255
    if alpha:  # opaque only in the middle third
        rgba[:, : width // 3, 3] = 0
        rgba[:, 2 * width // 3 :, 3] = 0
    return Image.fromarray(rgba, "RGBA")


def text_design(width: int = 1024, height: int = 256) -> Image.Image:
    """Dark text on a transparent background, like an engraving from the 2D engine."""
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rectangle(
        (width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(60, 40, 20, 255)
    )
    return img


def png_bytes(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def quad_glb(*, uvs: bool = True, normals: bool = True, material: dict | None = None) -> bytes:
    """A 10 cm square facing +Z, one material (by default named 'print')."""
    gltf = Gltf({"asset": {"version": "2.0"}})
    pos = np.array(
        [[-0.05, -0.05, 0], [0.05, -0.05, 0], [0.05, 0.05, 0], [-0.05, 0.05, 0]], np.float32
    )
    attrs = {"POSITION": gltf.add_accessor(pos, bounds=True)}
    if normals:
        attrs["NORMAL"] = gltf.add_accessor(np.tile(np.float32([0, 0, 1]), (4, 1)))
    if uvs:
        attrs["TEXCOORD_0"] = gltf.add_accessor(np.float32([[0, 1], [1, 1], [1, 0], [0, 0]]))
    indices = gltf.add_accessor(np.uint16([0, 1, 2, 0, 2, 3]), indices=True)
    gltf.json.update(
        scene=0,
        scenes=[{"nodes": [0]}],
        nodes=[{"mesh": 0}],
        meshes=[{"primitives": [{"attributes": attrs, "indices": indices, "material": 0}]}],
        materials=[material or {"name": "print", "pbrMetallicRoughness": {"metallicFactor": 0.0}}],
    )
    return gltf.to_glb()


def glb_images(glb: bytes) -> list[tuple[Image.Image, str]]:
    """Every image inside a GLB, decoded, with its MIME type."""
    gltf = Gltf.from_bytes(glb)
    out = []
    for i in range(len(gltf.json.get("images", []))):
        data, mime = gltf.image_bytes(i)
        out.append((Image.open(io.BytesIO(data)), mime))
    return out


def material_image(
    glb: bytes, name: str, slot: str = "baseColorTexture"
) -> tuple[Image.Image, str]:
    """The decoded image in a material's texture slot, and its MIME type."""
    gltf = Gltf.from_bytes(glb)
    material = next(m for m in gltf.json["materials"] if m.get("name") == name)
    texture = gltf.json["textures"][material["pbrMetallicRoughness"][slot]["index"]]
    data, mime = gltf.image_bytes(texture["source"])
    return Image.open(io.BytesIO(data)), mime


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute RGB difference of two images of the same size (0..255)."""
    x = np.asarray(a.convert("RGB"), np.float32)
    y = np.asarray(b.convert("RGB"), np.float32)
    assert x.shape == y.shape
    return float(np.abs(x - y).mean())


@pytest.fixture(scope="session")
def gltf_validator() -> Callable[[bytes, Path], dict]:
    """Runs the Khronos glTF validator (tests/gltf) on GLB bytes and returns its report."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; the glTF validator needs Node.js")
    if not (GLTF_DIR / "node_modules" / "gltf-validator").is_dir():
        pytest.skip("tests/gltf/node_modules missing: run `npm ci --prefix tests/gltf`")

    def validate(glb: bytes, tmp: Path) -> dict:
        path = tmp / "model.glb"
        path.write_bytes(glb)
        run = subprocess.run(
            [node, str(GLTF_DIR / "validate.mjs"), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        return json.loads(run.stdout)

    return validate
