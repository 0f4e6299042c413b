"""``/v1/designs``: create, read, finalize, and follow a design's status."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from flask import Response, g
from sqlalchemy import select

from ..auth.principal import current_principal, require
from ..core.pagination import paginate
from ..extensions import db
from ..listing import DesignListQuery, page_answer, product_filter
from ..models import Design
from ..realtime import realtime
from ..realtime.log import LOG_ERRORS
from ..realtime.streams import (
    Event,
    StreamGrant,
    log_unavailable,
    open_stream,
    register_reader,
)
from ..web_errors import OUTAGE_ERRORS
from . import proof, service
from .events import is_settled
from .schemas import DesignAccepted, DesignIn, DesignList, DesignOut, FinalizeIn

bp = APIBlueprint("designs", __name__, url_prefix="/v1/designs", tag="Designs")


@bp.post("")
@require("designs:write")
@bp.input(DesignIn, arg_name="body")
@bp.output(DesignAccepted, status_code=202)
@bp.doc(
    security="BearerAuth",
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
    try:
        answer = {
            "designId": design.id,
            "status": design.status,
            "estimatedSeconds": service.estimated_seconds(design),
            "cached": cached,
            **service.artwork_summary(design),
        }
    except OUTAGE_ERRORS:
        if cached:
            raise  # nothing was written: the outage answer (503) is the truth
        # Committed, then the database or Redis went away: the design exists and its job
        # is in the outbox, so the client gets its id (and never sends it twice).
        db.session.rollback()
        answer = design.receipt
    return answer, 200 if cached else 202


@bp.get("")
@require("designs:read")
@bp.input(DesignListQuery, location="query", arg_name="query")
@bp.output(DesignList)
@bp.doc(
    security="BearerAuth",
    summary="List designs",
    description="The brand's designs, newest first, a page at a time; filter by status, "
    "product and creation time.",
)
def list_designs(query: dict):  # type: ignore[no-untyped-def]
    """A page of the brand's designs."""
    statement = select(Design).where(Design.brand_id == g.brand.id)
    if query.get("status"):
        statement = statement.where(Design.status == query["status"])
    if query.get("productId"):
        product_id = product_filter(g.brand.id, query["productId"])
        statement = statement.where(Design.product_id == product_id)
    page = paginate(statement, Design, "designs", query, db.session)
    return page_answer(page.rows, page.next_cursor, service.describe)


@bp.get("/<design_id>")
@require("designs:read")
@bp.output(DesignOut)
@bp.doc(
    security="BearerAuth", summary="Get a design", responses={404: "No such design for this brand"}
)
def get_design(design_id: str):  # type: ignore[no-untyped-def]
    """Status, preview URL, production URLs, timings and errors of a design."""
    return service.describe(service.get_design(g.brand.id, design_id))


@bp.post("/<design_id>/finalize")
@require("designs:write")
@bp.input(FinalizeIn, arg_name="body")
@bp.output(DesignOut)
@bp.doc(
    security="BearerAuth",
    summary="Finalize a design",
    responses={409: "Finalized with different content"},
)
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
@require("designs:read", allow_query_token=True)
@bp.doc(
    security="BearerAuth",
    summary="Follow a design's status (server-sent events)",
    description="`text/event-stream`: a `status` event with the design as `GET` shows it, "
    "then one per change, until the design is ready or failed. Browsers may pass the token "
    "as `?access_token=`. Comment lines keep an idle stream alive; a stream ends after "
    "`REALTIME_MAX_STREAM_SECONDS` and the browser reconnects.",
)
def events(design_id: str) -> Response:
    """Server-sent events of the design's status changes."""
    brand_id = g.brand.id
    # The log position is taken before the design is read: a change that lands in between
    # is replayed by the stream, never lost.
    try:
        cursor = realtime().log.last_id()
    except LOG_ERRORS:
        return log_unavailable()
    design = service.get_design(brand_id, design_id)
    first = Event("status", service.describe(design), id=cursor)
    grant = StreamGrant(
        kind="design",
        brand_id=brand_id,
        design_id=design_id,
        cursor=cursor,
        first=(first,),
        done=is_settled(design),
    )
    return open_stream(grant)


def read_design_state(brand_id: str, design_id: str) -> tuple[dict[str, Any], bool] | None:
    """The design as its stream shows it and whether the stream is done; None when gone."""
    design = db.session.scalar(
        select(Design).where(Design.id == design_id, Design.brand_id == brand_id)
    )
    if design is None:
        return None
    return service.describe(design), is_settled(design)


bp.record_once(lambda state: register_reader(state.app, "design", read_design_state))
