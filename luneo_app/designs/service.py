"""Designs: create (validated, cached by content), render, finalize, describe.

Views call these functions; they own the unit of work: one commit each (``core/uow.py``),
with their jobs published after it. Status moves go through ``lifecycle``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from flask import current_app
from sqlalchemy import func, select

import render

from ..ai import layers as ai_layers
from ..ai import providers as ai_providers
from ..ai import service as ai_service
from ..auth.principal import Principal
from ..billing import enforcement
from ..core import uow
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import Brand, Design, Product, RenderJob
from ..observability import tracing
from ..web_errors import OUTAGE_ERRORS
from . import layout, lifecycle, metrics, proof, quality, tasks, variants
from .artwork import queue_artwork
from .lifecycle import DesignStatus
from .pricing import DesignPrice, design_price
from .spec import PREVIEW_WIDTHS, build_spec
from .template import check_layers, check_options

log = logging.getLogger("luneo.designs")


def find_product(brand_id: str, product_ref: str) -> Product:
    """A brand's product by Luneo id or by the platform's id; 404 otherwise."""
    product = db.session.scalar(
        select(Product).where(
            Product.brand_id == brand_id,
            (Product.id == product_ref) | (Product.external_id == product_ref),
            Product.deleted_at.is_(None),
        )
    )
    if product is None:
        raise NotFound(f"No product {product_ref!r} in this shop.", code="product_not_found")
    return product


def get_design(brand_id: str, design_id: str) -> Design:
    """A design of this brand; 404 for unknown ids and other brands' designs alike."""
    design = db.session.scalar(
        select(Design).where(Design.id == design_id, Design.brand_id == brand_id)
    )
    if design is None:
        raise NotFound("No such design.", code="design_not_found")
    return design


def _content_hash(
    spec: dict[str, Any], options: dict, prompt: str | None, mode: str, ai: list | None = None
) -> str:
    try:
        spec_hash = render.content_hash(spec)
    except render.SpecError as exc:
        raise _spec_error(exc) from exc
    doc = {
        "options": options,
        "prompt": prompt or "",
        "mode": mode,
        "engine": render.ENGINE_VERSION,
    }
    if ai:  # AI layers: what was asked for (their artwork is made later)
        doc["ai"] = ai
    extra = json.dumps(doc, sort_keys=True)
    return hashlib.sha256(f"{spec_hash}:{extra}".encode()).hexdigest()


def _spec_error(exc: render.SpecError) -> ValidationFailed:
    field = getattr(exc, "field", None)
    return ValidationFailed(
        str(getattr(exc, "message", exc)),
        code=exc.code,
        details={field: str(getattr(exc, "message", exc))} if field else None,
    )


def create_design(
    principal: Principal, payload: dict[str, Any], source: str = "api"
) -> tuple[Design, bool]:
    """Validate and queue a design, or return the cached one with the same content.

    Returns ``(design, cached)``. Nothing is written when validation fails.
    """
    product = find_product(principal.brand_id, payload["productId"])
    if not product.personalizable:
        raise ValidationFailed("This product is not personalizable.", code="not_personalizable")
    variant_id = payload.get("variantId") or None
    # the variant's photo and print areas, when it has its own (422 for an unknown variant)
    template = variants.for_variant(product.template or {}, variant_id)
    if not template.get("printAreas"):
        raise ValidationFailed("This product has no print area yet.", code="no_print_area")
    layers = ai_layers.prepare_layers(template, payload.get("layers") or [], payload.get("prompt"))
    layers = layout.place_layers(template, layers)  # stored with their slots
    options = payload.get("options") or {}
    mode = payload.get("previewMode") or "standard"
    check_options(template, options)
    check_layers(template, layers)
    brand = db.session.get(Brand, principal.brand_id)
    ai_service.check_prompts(brand, layers)
    bare = [ai_layers.without_artwork(layer) for layer in layers]
    spec = build_spec(product, bare, template, placeholders=True)
    content_hash = _content_hash(spec, options, None, mode, ai_layers.fingerprint(layers))

    # The cache is per customer: another shopper's identical design is theirs (their
    # customer_ref, erased with them), never handed to someone else.
    customer_ref = payload.get("customerRef")
    same_customer = (
        Design.customer_ref.is_(None)
        if customer_ref is None
        else Design.customer_ref == customer_ref
    )
    cached = db.session.scalar(
        select(Design)
        .where(
            Design.brand_id == principal.brand_id,
            Design.product_id == product.id,
            Design.content_hash == content_hash,
            Design.status != DesignStatus.FAILED.value,
            Design.variant_id.is_(None) if variant_id is None else Design.variant_id == variant_id,
            same_customer,
        )
        .order_by(Design.created_at)
        .limit(1)
    )
    if cached is not None:
        return cached, True

    findings = preflight_findings(spec, layers, template)  # 422: a photo or the profile
    enforcement.require_capacity(brand, "designs")  # 402 over a plan without overage
    wants_art = bool(ai_layers.ai_layers(layers))
    # AI artwork: moderation and the budget (422 / 402) before anything is written.
    plan = ai_service.plan_generation(brand, product, layers) if wants_art else None
    design = Design(
        brand_id=principal.brand_id,
        product_id=product.id,
        source=source,
        customer_ref=customer_ref,
        prompt=ai_layers.design_prompt(layers) or payload.get("prompt"),
        prompt_hash=(
            ai_service.layer_hash(product, ai_layers.ai_layers(layers)[0]) if wants_art else None
        ),
        options=options,
        layers=layers,
        variant_id=variant_id,
        content_hash=content_hash,
        status=lifecycle.initial_status(wants_art).value,
        timings={"previewMode": mode, "templateVersion": product.template_version},
        preflight=findings,
    )
    db.session.add(design)
    db.session.flush()
    lifecycle.created(design)
    metrics.count_created(design)
    if plan is not None:
        queue_artwork(design, plan.remote_checked)
    else:
        tasks.queue_preview(design)
    # What the answer says if the database or Redis fails right after the commit: the design
    # exists then, and the client must learn its id rather than be told to try again.
    design.receipt = {
        "designId": design.id,
        "status": design.status,
        "estimatedSeconds": estimated_seconds(design),
        "cached": False,
        **artwork_summary(design),
    }
    # One commit: the design and its first job exist together or not at all; the job is
    # published after it (in the embedded default it runs right here).
    uow.commit()
    try:
        db.session.refresh(design)
    except OUTAGE_ERRORS:
        db.session.rollback()
        log.warning("design %s accepted; reading it back failed", design.receipt["designId"])
    return design, False


def preflight_findings(
    spec: dict[str, Any], layers: list[dict[str, Any]], template: dict[str, Any] | None = None
) -> list[dict]:
    """The design's preflight report against each print area's profile (render.preflight).

    Raises ``ValidationFailed('photo_resolution_too_low')`` when a photo prints below its
    option's ``minDpi`` (with ``template``), and ``ValidationFailed('preflight_failed')``
    naming each layer when a finding is an error (the profile blocks it). AI layers are left
    out: their artwork is made later.
    """
    try:
        design = render.parse_spec(spec)
    except render.SpecError as exc:
        raise _spec_error(exc) from exc
    if template is not None:
        quality.check_photos(template, layers, design)
    findings = [
        f.as_json()
        for f in render.preflight.check(design)
        if f.layer is None or not ai_layers.is_ai(layers[f.layer])
    ]
    errors = [f for f in findings if f["severity"] == "error"]
    if errors:
        raise ValidationFailed(
            "The design cannot be printed well: " + "; ".join(f["message"] for f in errors),
            code="preflight_failed",
            details={
                (f"layers[{f['layer']}]" if "layer" in f else f"printAreas.{f['printArea']}"): f[
                    "message"
                ]
                for f in errors
            },
        )
    return findings


def design_content_hash(
    product: Product,
    layers: list[dict[str, Any]],
    options: dict[str, Any],
    mode: str,
    template: dict[str, Any] | None = None,
) -> str:
    """The design's content hash; checks the spec (422). AI layers count by what they ask
    for (prompt, seed, area), not by their artwork, which is made later."""
    placed = layout.place_layers(
        template if template is not None else product.template or {}, layers
    )
    bare = [ai_layers.without_artwork(layer) for layer in placed]
    spec = build_spec(product, bare, template, placeholders=True)
    # render.content_hash parses (validates) the spec: a bad one becomes a 422 there.
    return _content_hash(spec, options, None, mode, ai_layers.fingerprint(placed))


RECENT_PREVIEWS = 50  # the wait estimate averages the latest previews, never all of history


def estimated_seconds(design: Design) -> float:
    """A rough wait: jobs ahead in the preview queue times the recent preview time."""
    if design.status not in lifecycle.PREVIEW_PENDING:
        return 0.0
    ahead = (
        db.session.scalar(
            select(func.count())
            .select_from(RenderJob)
            .where(
                RenderJob.queue == "previews",
                RenderJob.status.in_(("waiting", "queued", "running")),
            )
        )
        or 0
    )
    latest = (
        select(RenderJob.duration_ms)
        .where(RenderJob.kind == "preview", RenderJob.status == "succeeded")
        .order_by(RenderJob.finished_at.desc())
        .limit(RECENT_PREVIEWS)
        .subquery()
    )
    recent = db.session.scalar(select(func.avg(latest.c.duration_ms)))
    per_job = (float(recent) / 1000.0) if recent else 0.3
    slots = max(1, current_app.config["JOB_CONCURRENCY_TOTAL"])
    return round(max(per_job, per_job * (ahead / slots)), 2)


def snapshot_of(design: Design, product: Product) -> dict[str, Any]:
    """The immutable record of what will be produced (the variant's photo and print areas
    when the design was made for a variant that has its own)."""
    template = variants.design_template(design, product)
    return {
        "productId": product.id,
        "productTitle": product.title,
        "variantId": design.variant_id,
        "templateVersion": product.template_version,
        "printAreas": template.get("printAreas", []),
        "product": template.get("product") or {},
        "productImageKey": product.image_key,
        "options": design.options,
        "layers": design.layers,
        "prompt": design.prompt,
        "contentHash": design.content_hash,
        # the labels the shopper saw, so the manifest and order rows say what was chosen
        # even if the merchant edits the template later (designs.choices)
        "template": {
            key: template.get(key)
            for key in ("options", "printAreas", "materials")
            if template.get(key) is not None
        },
    }


def finalize_design(
    design: Design,
    content_hash: str | None = None,
    enqueue_production: bool = True,
    check_quality: bool = True,
) -> Design:
    """Lock the design's snapshot and queue its production files; idempotent. Commits
    (the snapshot and the production job together).

    ``content_hash`` (when the caller sends the content it saw) must match: a finalized design
    never changes, later edits make a new design (409 otherwise). With ``check_quality`` a
    photo below its option's ``minDpi`` under the product's *current* template is refused
    (422 ``photo_resolution_too_low``): the merchant may have raised it since the preview.
    """
    if content_hash and content_hash != design.content_hash:
        raise Conflict(
            "This design's content differs from what was sent; create a new design instead.",
            code="design_content_mismatch",
        )
    if design.finalized_at is not None:
        return design
    if design.status == DesignStatus.FAILED:
        raise Conflict("A failed design cannot be finalized.", code="design_failed")
    if design.status == DesignStatus.GENERATING:
        raise Conflict(
            "The artwork is still being made; finalize once the preview is ready.",
            code="design_not_ready",
        )
    product = db.session.get(Product, design.product_id)
    if check_quality:
        check_print_quality(design, product)
    link_creation_trace(design)
    lifecycle.finalized(design, snapshot_of(design, product))
    metrics.count_committed(design)
    held = proof.hold_for_proof(design)  # the brand approves a proof before production
    if enqueue_production and not held:
        tasks.queue_production(design)
    uow.commit()
    db.session.refresh(design)
    return design


def check_print_quality(design: Design, product: Product) -> None:
    """Refuse (422) a design whose photos print below their option's ``minDpi`` now."""
    layers = design.layers or []
    if not any(isinstance(la, dict) and la.get("uploadId") for la in layers):
        return
    template = variants.design_template(design, product)
    bare = [ai_layers.without_artwork(layer) for layer in layers]
    try:
        parsed = render.parse_spec(build_spec(product, bare, template, placeholders=True))
    except render.SpecError as exc:
        raise _spec_error(exc) from exc
    quality.check_photos(template, layers, parsed)


def finalize_request_hash(design: Design, body: dict[str, Any]) -> str | None:
    """Content hash of what a finalize call says the design is (None when it says nothing).

    A caller may send the ``contentHash`` it was given, or the ``layers``/``options`` it has;
    either must match the stored design.
    """
    if body.get("contentHash"):
        return str(body["contentHash"])
    if body.get("layers") is None and body.get("options") is None:
        return None
    product = db.session.get(Product, design.product_id)
    layers = body.get("layers") if body.get("layers") is not None else design.layers
    options = body.get("options") if body.get("options") is not None else design.options
    mode = (design.timings or {}).get("previewMode", "standard")
    template = variants.design_template(design, product)
    return design_content_hash(product, layers, options, mode, template)


def describe(design: Design) -> dict[str, Any]:
    """The design as the API shows it, with signed file URLs."""
    storage = current_app.extensions["luneo.storage"]
    ttl = current_app.config["STORAGE_URL_TTL"]
    production = []
    for area, files in sorted((design.production_keys or {}).items()):
        if not isinstance(files, dict) or not files.get("png"):
            continue
        pdf_key = files.get("pdf") or files.get("pdfx4") or files.get("vector-pdf")
        production.append(
            {
                "printArea": area,
                "pngUrl": storage.url(files["png"], ttl),
                "pdfUrl": storage.url(pdf_key, ttl) if pdf_key else None,
                "widthPx": files.get("widthPx"),
                "heightPx": files.get("heightPx"),
                "dpi": files.get("dpi"),
                # every file of the print profile, and what the print shop needs to know
                "files": {
                    name: storage.url(files[name], ttl)
                    for name in render.output.MEDIA_TYPES
                    if isinstance(files.get(name), str)
                },
                "profile": (files.get("print") or {}).get("profile"),
                "widthMm": (files.get("print") or {}).get("widthMm"),
                "heightMm": (files.get("print") or {}).get("heightMm"),
            }
        )
    timings = {k: v for k, v in (design.timings or {}).items() if k.endswith("Ms")}
    return {
        "designId": design.id,
        "productId": design.product_id,
        "variantId": design.variant_id,
        "status": design.status,
        "previewUrl": storage.url(design.preview_key, ttl) if design.preview_key else None,
        "production": production,
        "options": design.options,
        "layers": ai_layers.public_layers(design.layers or [], storage, ttl),
        "prompt": design.prompt,
        **artwork_summary(design),
        "contentHash": design.content_hash,
        "finalized": design.finalized_at is not None,
        "finalizedAt": design.finalized_at.isoformat() if design.finalized_at else None,
        "committed": design.committed_at is not None,
        "createdAt": design.created_at.isoformat() if design.created_at else None,
        "timings": timings,
        "error": design.error,
        "price": price_of(design).as_dict(),
        "preflight": design.preflight or [],
        "proof": proof.summary(design),
    }


def price_of(design: Design) -> DesignPrice:
    """The server's price add-on of ``design`` (its product's template, its brand's currency).

    Artwork made (or to be made) by the procedural pattern generator is not AI and is never
    charged the AI option's price."""
    product = db.session.get(Product, design.product_id)
    brand = db.session.get(Brand, design.brand_id)
    template = (product.template if product else None) or {}
    provider = ai_layers.provider_of(design.layers or [])
    if provider is None and brand is not None and ai_layers.ai_layers(design.layers or []):
        provider = ai_service.artwork_offer(brand)  # artwork not made yet: who will make it
    if provider == "procedural":
        template = ai_layers.without_ai_price(template)
    return design_price(
        template,
        design.options or {},
        (brand.currency if brand else None) or "USD",
    )


def artwork_summary(design: Design) -> dict[str, str | None]:
    """Who made the design's artwork, said plainly: ``openai`` is AI, ``procedural`` is
    Luneo's pattern generator and is never presented as AI."""
    provider = ai_layers.provider_of(design.layers or [])
    return {
        "artworkProvider": provider,
        "artworkLabel": ai_providers.LABELS.get(provider) if provider else None,
    }


def preview_width(design: Design) -> int:
    return PREVIEW_WIDTHS.get((design.timings or {}).get("previewMode", "standard"), 1200)


def link_creation_trace(design: Design) -> bool:
    """Link the current span (the finalize) to the trace that created the design: the
    context its first job row stored when the creation request enqueued it."""
    if not tracing.recording():
        return False  # not traced: no query
    contexts = db.session.scalars(
        select(RenderJob.trace_context)
        .where(RenderJob.design_id == design.id)
        .order_by(RenderJob.enqueued_at, RenderJob.id)
        .limit(5)
    ).all()
    carrier = next((c for c in contexts if c), None)
    return tracing.link_current_span(
        carrier, **{"luneo.link": "design.created", "luneo.design_id": design.id}
    )
