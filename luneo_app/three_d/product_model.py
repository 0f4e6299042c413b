"""A product's 3D model: validate a merchant's GLB, store it, say what it is, remove it.

Used by the ``/v1/products/{id}/model`` API, the embedded admin and the demo seed. Nothing
is stored when validation fails; every failure is a 422 with the engine's stable code
(``invalid_glb``, ``too_large``, ``too_many_triangles``, ``no_uvs``, ``unknown_material``,
``no_print_material``, ``bad_uv_rect`` ...).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from PIL import Image

from render.three_d import Limits, ModelError, ModelInfo, bake, validate_model
from render.three_d.gltf import Gltf
from render.three_d.materials import ENGRAVING_FINISHES
from render.three_d.validate import find_print_material

from ..core.clock import utcnow
from ..core.errors import NotFound, ValidationFailed
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Product
from .placement import UVRect, auto_uv_rect, print_area_mm, stretch, uv_square_mm

log = logging.getLogger("luneo.three_d")

MODEL_MAX_BYTES = 15 * 1024 * 1024  # what a phone should download for AR
MODEL_MAX_TRIANGLES = 300_000
AUTO = "auto"
STRETCH_TOLERANCE = 0.02  # a design more than 2 % out of shape on the model is flagged


@dataclass(frozen=True)
class ModelOptions:
    """How a model carries the design, as the merchant (or API) gives it.

    ``material`` names the print material (None: the engine finds it). ``uv_rect`` is
    ``(u0, v0, u1, v1)``, ``"auto"`` (true scale on the front when the model says its
    size, else the whole material) or None (the whole material). ``print_area`` is the
    template's print area whose design goes on the model (None: the first).
    """

    material: str | None = None
    uv_rect: UVRect | str | None = AUTO
    print_area: str | None = None
    engraving_material: str | None = None


def model_key(product: Product, sha256: str) -> str:
    """Where a product's model is stored: named by its content, so a new upload never
    overwrites the file the database still points to."""
    return f"{brand_prefix(product.brand_id)}products/{product.id}/model-{sha256[:16]}.glb"


def limits() -> Limits:
    """Upload limits (settings ``MODEL_MAX_BYTES`` / ``MODEL_MAX_TRIANGLES`` when set)."""
    cfg = current_app.config
    return Limits(
        max_bytes=int(cfg.get("MODEL_MAX_BYTES") or MODEL_MAX_BYTES),
        max_triangles=int(cfg.get("MODEL_MAX_TRIANGLES") or MODEL_MAX_TRIANGLES),
    )


def save_product_model(product: Product, glb: bytes, options: ModelOptions) -> dict[str, Any]:
    """Validate ``glb`` with ``options``, store it as the product's model and commit.

    Returns the stored settings. Raises ``ValidationFailed`` (422) and stores nothing when
    the model or the options cannot be used.
    """
    settings = check_model(product, glb, options)
    storage = current_app.extensions["luneo.storage"]
    previous, key = product.model_key, model_key(product, settings["sha256"])
    # Written under a new name first; the row switches to it in one commit. A failed commit
    # removes the new file, so the row and the stored model never disagree.
    storage.put(key, glb, "model/gltf-binary")
    try:
        product.model_key = key
        product.model_settings = settings
        db.session.commit()
    except Exception:
        db.session.rollback()
        if key != previous:
            storage.delete(key)
        raise
    if previous and previous != key:
        try:
            storage.delete(previous)
        except Exception:  # noqa: BLE001 - an orphan file, not a wrong answer
            log.warning("previous model of %s not deleted", product.id, exc_info=True)
    return settings


def update_model_settings(product: Product, options: ModelOptions) -> dict[str, Any]:
    """Change which material / UV rectangle / print area carries the design; commits."""
    if not product.model_key:
        raise no_model(product)
    glb = current_app.extensions["luneo.storage"].get(product.model_key)
    product.model_settings = check_model(product, glb, options)
    db.session.commit()
    return product.model_settings


def remove_product_model(product: Product) -> None:
    """Forget the product's model (designs keep the GLB/USDZ already made); commits."""
    if product.model_key:
        current_app.extensions["luneo.storage"].delete(product.model_key)
    product.model_key = None
    product.model_settings = {}
    db.session.commit()


def check_model(product: Product, glb: bytes, options: ModelOptions) -> dict[str, Any]:
    """Validate a model and the options against the product; return the settings to keep."""
    areas = {a.get("id"): a for a in (product.template or {}).get("printAreas", [])}
    area_id = options.print_area or next(iter(areas), None)
    if options.print_area and options.print_area not in areas:
        raise ValidationFailed(
            f"The product has no print area {options.print_area!r}.",
            code="unknown_print_area",
            details={"printArea": f"choose one of: {', '.join(map(str, areas)) or 'none'}"},
        )
    if options.engraving_material and options.engraving_material not in ENGRAVING_FINISHES:
        raise ValidationFailed(
            f"Unknown engraving material {options.engraving_material!r}.",
            code="unknown_material",
            details={"engravingMaterial": f"choose one of: {', '.join(ENGRAVING_FINISHES)}"},
        )
    try:
        info = validate_model(glb, limits())
        material = options.material or info.print_material
        if material is None:
            raise ModelError(
                "no_print_material",
                "Cannot tell which material carries the design; name it in 'material' "
                f"(the model has {', '.join(m.name for m in info.materials)}).",
            )
        placement, uv_rect = _placement(glb, material, options.uv_rect, areas.get(area_id))
        distortion = _stretch(glb, material, uv_rect, areas.get(area_id))
        # A trial bake with a tiny design proves the material takes a texture there.
        bake(
            glb,
            Image.new("RGBA", (8, 8), (0, 0, 0, 255)),
            material_name=material,
            uv_rect=uv_rect,
            limits=limits(),
        )
    except ModelError as exc:
        raise model_error(exc) from exc
    described = describe_info(info)
    if distortion is not None and abs(distortion - 1.0) > STRETCH_TOLERANCE:
        described["warnings"].append(
            f"The design would be stretched {distortion:.2f}x on this model (the print area "
            "and the model's print material differ in shape): let Luneo place it "
            "(uvRect 'auto') or give a uvRect of the print area's aspect."
        )
    return {
        "material": material,
        "uvRect": list(uv_rect) if uv_rect else None,
        "placement": placement,
        "stretch": round(distortion, 4) if distortion is not None else None,
        "printArea": area_id,
        "engravingMaterial": options.engraving_material,
        "sha256": hashlib.sha256(glb).hexdigest(),
        "uploadedAt": utcnow().isoformat(),
        **described,
    }


def _placement(
    glb: bytes, material: str, uv_rect: UVRect | str | None, area: dict | None
) -> tuple[str, UVRect | None]:
    if uv_rect is None:
        return "fill", None
    if uv_rect != AUTO:
        return "manual", tuple(float(x) for x in uv_rect)  # type: ignore[return-value]
    size = (area.get("widthMm"), area.get("heightMm")) if area else None
    rect = auto_uv_rect(glb, material, size if size and all(size) else None)  # type: ignore[arg-type]
    return ("auto", rect) if rect else ("fill", None)


def _stretch(glb: bytes, material: str, uv_rect: UVRect | None, area: dict | None) -> float | None:
    """The design's stretch on the model (1.0 = true shape), when both sizes are known."""
    if not area or not area.get("widthMm") or not area.get("heightMm"):
        return None
    gltf = Gltf.from_bytes(glb)
    index = find_print_material(gltf.json, material, required=False)
    if index is None:
        return None
    square = print_area_mm(gltf.json, index) or uv_square_mm(gltf, index)
    if square is None:
        return None
    return stretch(uv_rect, square, (float(area["widthMm"]), float(area["heightMm"])))


def describe_info(info: ModelInfo) -> dict[str, Any]:
    """What validation learnt, JSON-ready (kept in ``Product.model_settings``)."""
    return {
        "sizeBytes": info.size_bytes,
        "triangles": info.triangle_count,
        "vertices": info.vertex_count,
        "sizeM": [round(x, 5) for x in info.size_m],
        "materials": [
            {
                "name": m.name,
                "triangles": m.triangles,
                "hasUvs": m.has_uvs,
                "printAreaMm": list(m.print_area_mm) if m.print_area_mm else None,
            }
            for m in info.materials
        ],
        "warnings": list(info.warnings),
    }


def describe_model(product: Product) -> dict[str, Any]:
    """The product's model as the API shows it, with a signed download URL."""
    if not product.model_key:
        raise no_model(product)
    storage = current_app.extensions["luneo.storage"]
    settings = product.model_settings or {}
    return {
        "productId": product.id,
        "modelUrl": storage.url(product.model_key),
        "material": settings.get("material"),
        "uvRect": settings.get("uvRect"),
        "placement": settings.get("placement"),
        "stretch": settings.get("stretch"),
        "printArea": settings.get("printArea"),
        "engravingMaterial": settings.get("engravingMaterial"),
        "sha256": settings.get("sha256"),
        "sizeBytes": settings.get("sizeBytes"),
        "triangles": settings.get("triangles"),
        "sizeM": settings.get("sizeM"),
        "materials": settings.get("materials", []),
        "warnings": settings.get("warnings", []),
    }


def model_error(exc: ModelError) -> ValidationFailed:
    """The engine's ``ModelError`` as a 422 with the same code."""
    return ValidationFailed(exc.message, code=exc.code)


def no_model(product: Product) -> NotFound:
    """404 for a product that has no 3D model."""
    return NotFound("This product has no 3D model.", code="no_3d_model")


def parse_uv_rect(value: Any) -> UVRect | str | None:
    """``uvRect`` from a form or JSON: ``"auto"``, ``""``/``"none"``/None (whole material),
    four numbers as a list or ``"u0,v0,u1,v1"`` / ``"[u0, v0, u1, v1]"``."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip().strip("[]").strip()
        if text.lower() == AUTO:
            return AUTO
        if text.lower() in ("", "none", "null", "fill"):
            return None
        value = text.split(",")
    try:
        rect = tuple(float(x) for x in value)
    except (TypeError, ValueError):
        rect = ()
    if len(rect) != 4 or not (0 <= rect[0] < rect[2] <= 1 and 0 <= rect[1] < rect[3] <= 1):
        raise ValidationFailed(
            "uvRect must be 'auto', empty, or four numbers u0,v0,u1,v1 with "
            "0 <= u0 < u1 <= 1 and 0 <= v0 < v1 <= 1.",
            code="bad_uv_rect",
            details={"uvRect": "four numbers in 0..1, u0 < u1, v0 < v1"},
        )
    return rect  # type: ignore[return-value]


def seed_demo_model(product: Product, kind: str) -> None:
    """Give a demo product Luneo's generated model of ``kind`` unless it has one; commits."""
    from render.three_d import demo_model_glb

    storage = current_app.extensions["luneo.storage"]
    if product.model_key and storage.exists(product.model_key):
        return
    save_product_model(product, demo_model_glb(kind), ModelOptions())
