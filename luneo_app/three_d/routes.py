"""``/v1/products/{id}/model`` (a product's 3D model) and ``/v1/designs/{id}/ar`` (AR files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apiflask import APIBlueprint
from flask import current_app, g

from ..auth.principal import require
from ..designs.service import find_product, get_design
from . import product_model, tasks
from .schemas import ArReadyOut, ModelOut, ModelSettingsIn, ModelUploadIn

bp = APIBlueprint("three_d", __name__, url_prefix="/v1", tag="3D and AR")

AR_URL_TTL = 3600  # signed AR links live one hour
RETRY_AFTER = 2


def _options(body: dict) -> product_model.ModelOptions:
    return product_model.ModelOptions(
        material=body.get("material") or None,
        uv_rect=product_model.parse_uv_rect(body.get("uvRect")),
        print_area=body.get("printArea") or None,
        engraving_material=body.get("engravingMaterial") or None,
    )


@bp.put("/products/<product_ref>/model")
@require("products:write")
@bp.input(ModelUploadIn, location="form_and_files", arg_name="form")
@bp.output(ModelOut)
@bp.doc(
    summary="Upload a product's 3D model",
    description="Multipart form with a binary glTF (`.glb`) in `file`. The model is validated "
    "(size, triangle count, texture coordinates, the print material) before anything is "
    "stored; it replaces the product's previous model. Designs made afterwards get a "
    "personalised GLB and USDZ (see `GET /v1/designs/{id}/ar`).",
    responses={
        404: "No such product",
        413: "Larger than the request limit",
        422: "Unusable model: `invalid_glb`, `too_large`, `too_many_triangles`, `no_uvs`, "
        "`no_geometry`, `unsupported`, `no_print_material`, `unknown_material`, `bad_uv_rect`, "
        "`unknown_print_area`",
    },
)
def put_model(product_ref: str, form: dict):  # type: ignore[no-untyped-def]
    """Validate and store the product's model; answer what Luneo learnt about it."""
    product = find_product(g.brand.id, product_ref)
    product_model.save_product_model(product, form["file"].read(), _options(form))
    return product_model.describe_model(product)


@bp.patch("/products/<product_ref>/model")
@require("products:write")
@bp.input(ModelSettingsIn, arg_name="body")
@bp.output(ModelOut)
@bp.doc(
    summary="Change how a product's 3D model carries the design",
    description="Pick the print material, the UV rectangle or the print area without "
    "uploading the model again.",
    responses={404: "No such product, or it has no model", 422: "Unusable settings"},
)
def patch_model(product_ref: str, body: dict):  # type: ignore[no-untyped-def]
    """Re-validate the stored model with new settings."""
    product = find_product(g.brand.id, product_ref)
    product_model.update_model_settings(product, _options(body))
    return product_model.describe_model(product)


@bp.get("/products/<product_ref>/model")
@require("products:read")
@bp.output(ModelOut)
@bp.doc(summary="Get a product's 3D model", responses={404: "No such product, or no model"})
def get_model(product_ref: str):  # type: ignore[no-untyped-def]
    """The model's settings, what validation learnt, and a signed download URL."""
    return product_model.describe_model(find_product(g.brand.id, product_ref))


@bp.delete("/products/<product_ref>/model")
@require("products:write")
@bp.output({}, status_code=204)
@bp.doc(summary="Remove a product's 3D model", responses={404: "No such product"})
def delete_model(product_ref: str):  # type: ignore[no-untyped-def]
    """New designs of the product get no 3D view; files already made stay."""
    product_model.remove_product_model(find_product(g.brand.id, product_ref))
    return ""


@bp.get("/designs/<design_id>/ar")
@require("designs:read")
@bp.output(ArReadyOut)
@bp.doc(
    summary="Get a design's 3D and AR files",
    description="`200` with signed URLs (valid one hour) of the personalised GLB (for "
    "`<model-viewer>` and Android Scene Viewer) and USDZ (iOS AR Quick Look) once they are "
    "made. Otherwise `202` with the status and a `Retry-After` header, and the files are "
    "queued when missing. They are made after the 2D preview, never before it, and cached "
    "by texture: the same design on the same model is made once.",
    responses={
        202: "Not ready yet: `waiting_for_preview`, `queued` or `rendering`",
        404: "No such design for this brand",
        409: "`no_3d_model`: the product has no 3D model; `design_failed`",
        422: "`ar_render_failed`: this model cannot carry this design",
    },
)
def design_ar(design_id: str):  # type: ignore[no-untyped-def]
    """Signed GLB and USDZ URLs (200), or a status to poll (202)."""
    design = get_design(g.brand.id, design_id)
    state = tasks.ar_status(design)
    if state.status != "ready":
        body = {"designId": design.id, "status": state.status, "retryAfter": RETRY_AFTER}
        return body, 202, {"Retry-After": str(RETRY_AFTER)}
    storage = current_app.extensions["luneo.storage"]
    expires = datetime.now(UTC) + timedelta(seconds=AR_URL_TTL)
    return {
        "designId": design.id,
        "status": "ready",
        "glbUrl": storage.url(state.glb_key, AR_URL_TTL),
        "usdzUrl": storage.url(state.usdz_key, AR_URL_TTL),
        "expiresAt": expires.replace(microsecond=0).isoformat(),
    }
