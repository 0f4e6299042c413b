"""``/v1/designs``: create, read, finalize, and follow a design's status."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, g, stream_with_context

from ..auth.principal import current_principal, require
from . import proof, service
from .events import status_events
from .schemas import DesignAccepted, DesignIn, DesignOut, FinalizeIn

bp = APIBlueprint("designs", __name__, url_prefix="/v1/designs", tag="Designs")


@bp.post("")
@bp.doc(security="BearerAuth")
@require("designs:write")
@bp.input(DesignIn, arg_name="body")
@bp.output(DesignAccepted, status_code=202)
@bp.doc(
    summary="Create a design",
    description="Validates the design against the product's "
    "template, returns the cached design for identical content, else queues its preview.",
    responses={
        200: "Identical design already exists (cached)",
        402: "The shop's monthly AI artwork budget is used up (AI designs only)",
        422: "Invalid design, or an artwork prompt that was refused",
    },
)
def create_design(body: dict):  # type: ignore[no-untyped-def]
    """Queue a design's preview (202), or return the identical cached design (200)."""
    principal = current_principal()
    source = "storefront" if principal.kind == "embed" else "api"
    design, cached = service.create_design(principal, body, source=source)
    answer = {
        "designId": design.id,
        "status": design.status,
        "estimatedSeconds": service.estimated_seconds(design),
        "cached": cached,
        **service.artwork_summary(design),
    }
    return answer, 200 if cached else 202


@bp.get("/<design_id>")
@bp.doc(security="BearerAuth")
@require("designs:read")
@bp.output(DesignOut)
@bp.doc(summary="Get a design", responses={404: "No such design for this brand"})
def get_design(design_id: str):  # type: ignore[no-untyped-def]
    """Status, preview URL, production URLs, timings and errors of a design."""
    return service.describe(service.get_design(g.brand.id, design_id))


@bp.post("/<design_id>/finalize")
@bp.doc(security="BearerAuth")
@require("designs:write")
@bp.input(FinalizeIn, arg_name="body")
@bp.output(DesignOut)
@bp.doc(summary="Finalize a design", responses={409: "Finalized with different content"})
def finalize(design_id: str, body: dict):  # type: ignore[no-untyped-def]
    """Lock an immutable snapshot and queue the production files (idempotent)."""
    design = service.get_design(g.brand.id, design_id)
    expected = service.finalize_request_hash(design, body)
    design = service.finalize_design(design, content_hash=expected)
    return service.describe(design)


@bp.post("/<design_id>/proof")
@bp.doc(security="BearerAuth")
@require("designs:write")
@bp.output(DesignOut)
@bp.doc(
    summary="Approve a design's proof",
    description="When the shop asks for proof approval (`proofApproval` setting), a "
    "finalized design waits in `awaiting_proof` with its preview and `preflight` report; "
    "approving queues the production files. Storefront tokens may approve only when the "
    "shop lets shoppers approve.",
    responses={403: "Shoppers may not approve here", 409: "Not waiting, or preflight errors"},
)
def approve_proof(design_id: str):  # type: ignore[no-untyped-def]
    """Approve the proof (idempotent) and start production."""
    principal = current_principal()
    design = service.get_design(g.brand.id, design_id)
    by_shopper = principal.kind == "embed"
    actor = f"{principal.kind}:{principal.subject}"
    return service.describe(proof.approve(design, actor, by_shopper=by_shopper))


@bp.get("/<design_id>/events")
@bp.doc(security="BearerAuth")
@require("designs:read", allow_query_token=True)
@bp.doc(
    summary="Follow a design's status (server-sent events)",
    description="`text/event-stream` of `status` events until the design is ready or "
    "failed. Browsers may pass the token as `?access_token=`.",
)
def events(design_id: str) -> Response:
    """Server-sent events of the design's status changes."""
    brand_id = g.brand.id
    service.get_design(brand_id, design_id)
    stream = stream_with_context(status_events(brand_id, design_id, service.describe))
    return Response(
        stream,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
