"""Shared set-up for the 3D/AR app tests: a brand with a mug that has Luneo's 3D mug."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from PIL import Image

import render
from luneo_app.extensions import db
from luneo_app.models import Design, Product
from luneo_app.three_d.ar_files import design_spec, texture_px
from luneo_app.three_d.product_model import ModelOptions, save_product_model
from render.three_d import demo_model_glb
from render.three_d.gltf import Gltf
from tests.designs.helpers import brand_with_key

GLTF_DIR = Path(__file__).resolve().parents[1] / "gltf"
TEXTURE_PX = 160  # small design textures keep the suite fast on two cores

_MUG: bytes | None = None


def mug_glb() -> bytes:
    """Luneo's generated 3D mug (made once per run)."""
    global _MUG
    if _MUG is None:
        _MUG = demo_model_glb("mug")
    return _MUG


def brand_with_mug(app, name: str = "Acme Mugs", model: bool = True):  # type: ignore[no-untyped-def]
    """A brand, its API key headers and a personalizable mug (with the 3D mug)."""
    app.config["THREE_D_TEXTURE_PX"] = TEXTURE_PX
    brand, headers, product = brand_with_key(app, name)
    if model:
        save_product_model(product, mug_glb(), ModelOptions())
    return brand, headers, product


def local(url: str) -> str:
    """A signed file URL as a path for the test client."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def gradient_png(width: int = 300, height: int = 340) -> bytes:
    """An asymmetric colour gradient, so a misplaced or flipped texture shows."""
    x = np.linspace(0, 1, width)[None, :]
    y = np.linspace(0, 1, height)[:, None]
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[..., 0] = np.broadcast_to(40 + 200 * x, (height, width))
    rgb[..., 1] = np.broadcast_to(40 + 200 * y, (height, width))
    rgb[..., 2] = np.broadcast_to(200 - 150 * x * y, (height, width))
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, "PNG")
    return out.getvalue()


def photo_design(client, headers: dict, product_id: str, **extra: object) -> dict:  # type: ignore[no-untyped-def]
    """A design body with a gradient photo filling the mug's front."""
    upload = client.post(
        "/v1/uploads",
        data={
            "file": (io.BytesIO(gradient_png()), "g.png"),
            "productId": product_id,
            "consent": "true",
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    layer = {"type": "image", "printArea": "front", "uploadId": upload.get_json()["uploadId"]}
    return {"productId": product_id, "layers": [layer], **extra}


def expected_texture(design: Design) -> Image.Image:
    """The 2D engine's texture of the design, as the 3D job asks for it."""
    product = db.session.get(Product, design.product_id)
    spec = design_spec(design, product)
    area = product.model_settings["printArea"]
    return render.texture(spec, area, texture_px(product.model_settings))


def print_image(glb: bytes, material: str = "print") -> tuple[bytes, Image.Image]:
    """The encoded and decoded base colour image of the print material of a GLB."""
    gltf = Gltf.from_bytes(glb)
    mat = next(m for m in gltf.json["materials"] if m.get("name") == material)
    texture = gltf.json["textures"][mat["pbrMetallicRoughness"]["baseColorTexture"]["index"]]
    data, _ = gltf.image_bytes(texture["source"])
    return data, Image.open(io.BytesIO(data)).convert("RGBA")


def design_box(canvas: Image.Image, uv_rect: list[float]) -> tuple[int, int, int, int]:
    """Where a design with ``uv_rect`` sits on the baked canvas (as the engine places it)."""
    w, h = canvas.size
    u0, v0, u1, v1 = uv_rect
    return round(u0 * w), round(v0 * h), round(u1 * w), round(v1 * h)


def mean_abs_diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute RGB difference (0..255) of two same-size images."""
    x = np.asarray(a.convert("RGB"), np.float32)
    y = np.asarray(b.convert("RGB"), np.float32)
    assert x.shape == y.shape
    return float(np.abs(x - y).mean())


def gltf_report(glb: bytes, tmp: Path) -> dict | None:
    """The Khronos glTF validator's report, or None when node or the validator is missing."""
    node = shutil.which("node")
    if node is None or not (GLTF_DIR / "node_modules" / "gltf-validator").is_dir():
        return None
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


def arkit_problems(usdz: bytes, tmp: Path) -> tuple[list[str], list[str]]:
    """Errors and failed checks of usd-core's ARKit compliance checker."""
    from pxr import UsdUtils

    path = tmp / "model.usdz"
    path.write_bytes(usdz)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        checker = UsdUtils.ComplianceChecker(arkit=True)
    checker.CheckCompliance(str(path))
    return checker.GetErrors(), checker.GetFailedChecks()
