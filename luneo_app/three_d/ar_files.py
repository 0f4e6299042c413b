"""A design's personalised GLB and USDZ, made once per (texture, model, settings).

The design texture comes from the 2D engine (``render.texture``), so 2D, 3D and AR show the
same pixels. Files are stored under ``brands/{brand_id}/3d/{hash}.glb|usdz`` where the hash
covers the texture's pixels, the model's bytes and how the design is placed: the same design
on the same model is baked once, however many design rows or jobs ask for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from flask import current_app
from PIL import Image

import render
from render.three_d import bake, make_usdz
from render.three_d.materials import ENGRAVING_FINISHES
from render.three_d.validate import MAX_TEXTURE_PX

from ..designs import variants
from ..designs.spec import build_spec
from ..files.storage import brand_prefix
from ..models import Design, Product

log = logging.getLogger("luneo.three_d")

TEXTURE_PX = 1024  # design texture width; the baked canvas is capped at 2048 px for phones
CACHE_VERSION = "3d-v1"  # bump when the way files are baked changes


@dataclass(frozen=True)
class ArFiles:
    """Where a design's GLB and USDZ are, and whether this call had to bake them."""

    glb_key: str
    usdz_key: str
    digest: str
    model_sha: str
    baked: bool
    render_ms: int


def design_spec(design: Design, product: Product) -> dict[str, Any]:
    """The render spec of a design: its finalized snapshot when it has one (what will be
    produced), else its layers on the product's current template (what the preview shows)."""
    snap = design.snapshot
    if snap:
        template = {"product": snap.get("product") or {}, "printAreas": snap["printAreas"]}
        return build_spec(product, snap["layers"], template)
    return build_spec(product, design.layers, variants.design_template(design, product))


def texture_px(settings: dict[str, Any]) -> int:
    """Design texture width: ``THREE_D_TEXTURE_PX`` (default 1024), reduced so the baked
    canvas stays within 2048 px when the design covers only part of the material."""
    width = int(current_app.config.get("THREE_D_TEXTURE_PX") or TEXTURE_PX)
    rect = settings.get("uvRect")
    if rect:
        width = min(width, int(MAX_TEXTURE_PX * (rect[2] - rect[0])))
    return max(16, width)


def engraving_for(settings: dict[str, Any], spec: dict[str, Any], area: str | None) -> str | None:
    """The engraving finish of the model's print material: the merchant's setting, else the
    single engraving material the design's layers in that area use (gold, silver ...)."""
    if settings.get("engravingMaterial"):
        return settings["engravingMaterial"]
    used = {
        layer.get("material")
        for layer in spec.get("layers", [])
        if layer.get("printArea", area) == area and layer.get("material")
    }
    return used.pop() if len(used) == 1 and next(iter(used)) in ENGRAVING_FINISHES else None


def texture_digest(
    texture: Image.Image, model_sha: str, settings: dict[str, Any], engraving: str | None
) -> str:
    """sha256 of the texture's pixels, the model and how the design is placed on it."""
    placement = json.dumps(
        {
            "material": settings.get("material"),
            "uvRect": settings.get("uvRect"),
            "engraving": engraving,
            "maxPx": MAX_TEXTURE_PX,
            "engine": render.ENGINE_VERSION,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(f"{CACHE_VERSION}:{model_sha}:{placement}:".encode())
    digest.update(f"{texture.mode}:{texture.width}x{texture.height}:".encode())
    digest.update(texture.tobytes())
    return digest.hexdigest()


def model_fingerprint(settings: dict[str, Any]) -> str:
    """Short hash of the product's model and how it carries the design: files made under
    another fingerprint are stale (the merchant replaced the model or changed settings)."""
    keys = ("sha256", "material", "uvRect", "printArea", "engravingMaterial")
    payload = json.dumps({k: settings.get(k) for k in keys}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def ar_keys(brand_id: str, digest: str) -> tuple[str, str]:
    """Storage keys of the GLB and USDZ for a digest."""
    base = f"{brand_prefix(brand_id)}3d/{digest}"
    return f"{base}.glb", f"{base}.usdz"


def make_ar_files(design: Design, product: Product) -> ArFiles:
    """Make (or find) the design's GLB and USDZ and set ``design.glb_key``/``usdz_key``.

    Does not commit. Raises ``render.SpecError`` / ``render.three_d.ModelError`` for a
    design or model that cannot be used (trying again will not help).
    """
    storage = current_app.extensions["luneo.storage"]
    settings = product.model_settings or {}
    model_glb = storage.get(product.model_key)
    model_sha = hashlib.sha256(model_glb).hexdigest()
    started = time.perf_counter()
    spec = design_spec(design, product)
    areas = [a["id"] for a in spec["printAreas"]]
    area = settings.get("printArea") if settings.get("printArea") in areas else None
    area = area or (areas[0] if areas else None)
    texture = render.texture(spec, area, texture_px(settings))
    engraving = engraving_for(settings, spec, area)
    digest = texture_digest(texture, model_sha, settings, engraving)
    glb_key, usdz_key = ar_keys(design.brand_id, digest)
    baked = not (storage.exists(glb_key) and storage.exists(usdz_key))
    if baked:
        model = bake(
            model_glb,
            texture,
            material_name=settings.get("material"),
            uv_rect=tuple(settings["uvRect"]) if settings.get("uvRect") else None,
            engraving_material=engraving,
        )
        # USDZ first: a GLB on disk never promises a USDZ that is not there yet.
        storage.put(usdz_key, make_usdz(model), "model/vnd.usdz+zip")
        storage.put(glb_key, model.glb(), "model/gltf-binary")
    render_ms = int((time.perf_counter() - started) * 1000)
    design.glb_key, design.usdz_key = glb_key, usdz_key
    design.timings = {
        **(design.timings or {}),
        "arRenderMs": render_ms,
        "arModel": model_fingerprint(settings),
        "arCached": not baked,
    }
    log.info(
        "3d files %s for design %s",
        "baked" if baked else "found in cache",
        design.id,
        extra={"digest": digest[:16], "render_ms": render_ms},
    )
    return ArFiles(glb_key, usdz_key, digest, model_sha, baked, render_ms)


def current_files(design: Design, product: Product) -> tuple[str, str] | None:
    """The design's GLB and USDZ keys when they exist and were made from the product's
    current model and settings, else None (missing, or the merchant changed the model)."""
    if not (design.glb_key and design.usdz_key and product.model_key):
        return None
    if (design.timings or {}).get("arModel") != model_fingerprint(product.model_settings or {}):
        return None
    storage = current_app.extensions["luneo.storage"]
    if not (storage.exists(design.glb_key) and storage.exists(design.usdz_key)):
        return None
    return design.glb_key, design.usdz_key
