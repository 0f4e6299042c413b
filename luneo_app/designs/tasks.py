"""Render jobs: the preview (fast path, ``previews`` queue) and the production files.

Each task loads fresh state, skips work already done (safe to run twice), and writes its
results through the storage interface before updating the design row. Status moves go
through ``lifecycle``; what follows them (3D files, order packaging, ``design.completed``)
is done by the receivers of its signals, not called from here.
"""

from __future__ import annotations

import logging
import time

from celery import shared_task
from flask import current_app

import render

from ..core import uow
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..files.storage import brand_prefix
from ..jobs import PermanentJobError, enqueue, tracked_task
from ..models import Design, Product, RenderJob
from . import lifecycle, variants
from .spec import PREVIEW_WIDTHS, build_spec

log = logging.getLogger("luneo.designs")


def _design_for(job: RenderJob) -> Design | None:
    design = db.session.get(Design, job.design_id) if job.design_id else None
    if design is None or design.brand_id != job.brand_id:
        return None
    return design


def _fail_design(job: RenderJob, exc: BaseException) -> None:
    design = _design_for(job)
    if design is None:
        return
    code = getattr(exc, "code", None) or "render_failed"
    message = getattr(exc, "message", None) or str(exc)
    lifecycle.failed(design, code, message, job.kind)  # committed with the job's end


@tracked_task("luneo.designs.render_preview", time_limit=60, soft_time_limit=50)
def render_preview(job: RenderJob, design_id: str) -> None:
    """Render the design's preview image (WebP) and mark it ready."""
    design = _design_for(job)
    if design is None or design.preview_key:
        return
    queued_ms = int((utcnow() - as_utc(job.enqueued_at)).total_seconds() * 1000)
    if design.status == lifecycle.S.QUEUED:
        lifecycle.preview_started(design)
        uow.commit()
    product = db.session.get(Product, design.product_id)
    started = time.perf_counter()
    try:
        spec = build_spec(product, design.layers, variants.design_template(design, product))
        width = PREVIEW_WIDTHS.get((design.timings or {}).get("previewMode"), 1200)
        data = render.preview(spec, width=width, fmt="webp", quality=82)
    except render.SpecError as exc:
        raise PermanentJobError(f"{exc.code}: {exc}") from exc
    render_ms = int((time.perf_counter() - started) * 1000)
    folder = f"{brand_prefix(design.brand_id)}designs/{design.id}"
    key = f"{folder}/preview-{design.content_hash[:12]}.webp"
    current_app.extensions["luneo.storage"].put(key, data, "image/webp")
    db.session.refresh(design)
    timings = {
        "previewQueueMs": queued_ms,
        "previewRenderMs": render_ms,
        "previewTotalMs": queued_ms + render_ms,
    }
    lifecycle.preview_rendered(design, key, timings)  # committed with the job's end


render_preview.job_function.on_failure = _fail_design


@tracked_task("luneo.designs.render_production", time_limit=300, soft_time_limit=280)
def render_production(job: RenderJob, design_id: str) -> None:
    """Render the print files of every print area the design uses, as its profile says."""
    design = _design_for(job)
    if design is None or design.snapshot is None:
        return
    if design.status == lifecycle.S.PRODUCTION_READY and design.production_keys:
        return
    lifecycle.production_started(design)
    uow.commit()
    snap = design.snapshot
    product = db.session.get(Product, design.product_id)
    template = {"product": snap.get("product") or {}, "printAreas": snap["printAreas"]}
    started = time.perf_counter()
    storage = current_app.extensions["luneo.storage"]
    try:
        spec = build_spec(product, snap["layers"], template)
        used_areas = []
        for layer in snap["layers"]:
            area = layer.get("printArea")
            if area and area not in used_areas:
                used_areas.append(area)
        files = {}
        for area in used_areas or [snap["printAreas"][0]["id"]]:
            # the area's print profile sets the dpi and the files (PDF/X-4, SVG, DXF ...)
            result = render.production(spec, area_id=area, title=f"Luneo {design.id} {area}")
            base = f"{brand_prefix(design.brand_id)}designs/{design.id}/production/{area}"
            files[area] = production_entry(result)
            for name, data in result.files.items():
                suffix, media_type = render.output.MEDIA_TYPES[name]
                storage.put(f"{base}.{suffix}", data, media_type)
                files[area][name] = f"{base}.{suffix}"
    except render.SpecError as exc:
        raise PermanentJobError(f"{exc.code}: {exc}") from exc
    db.session.refresh(design)
    # The 3D feature adds the GLB to the production set on the ``changing`` signal; orders
    # and outbound react on ``changed``, after the commit of the job's end.
    lifecycle.production_rendered(design, files, int((time.perf_counter() - started) * 1000))


render_production.job_function.on_failure = _fail_design


def production_entry(result: render.ProductionFile) -> dict:
    """What the production manifest says about one print area (file keys are added next to
    it): pixel size and dpi, and under ``print`` the sizes in mm, bleed, safe zone, colour
    space, ICC, the print profile and the preflight findings. Only file keys are strings at
    the top level (other features read them as storage keys)."""
    profile = result.profile
    return {
        "widthPx": result.width_px,
        "heightPx": result.height_px,
        "dpi": result.dpi,
        "print": {
            "widthMm": result.width_mm,
            "heightMm": result.height_mm,
            "bleedMm": profile.bleed_mm,
            "safeMm": profile.safe_mm,
            "colorSpace": profile.color_space,
            "icc": profile.icc,
            "profile": render.profiles.profile_json(profile),
            "preflight": [f.as_json() for f in result.findings],
        },
    }


def queue_preview(design: Design) -> RenderJob:
    """Add the design's preview job (fast ``previews`` queue) to the unit of work; it is
    published after the caller commits."""
    return enqueue(
        render_preview,
        kind="preview",
        brand_id=design.brand_id,
        design_id=design.id,
        queue="previews",
        args=(design.id,),
    )


def queue_production(design: Design) -> RenderJob:
    """Add the design's print-files job (``production`` queue) to the unit of work; it is
    published after the caller commits."""
    return enqueue(
        render_production,
        kind="production",
        brand_id=design.brand_id,
        design_id=design.id,
        queue="production",
        args=(design.id,),
    )


@shared_task(name="luneo.designs.purge_expired", ignore_result=True)
def purge_expired_designs_task() -> dict:
    """Periodic: remove designs (files and rows) past their retention."""
    from .retention import purge_expired_designs

    report = purge_expired_designs()
    return {"designs": report.designs, "files": report.files}


@shared_task(name="luneo.designs.meter_kept", ignore_result=True)
def meter_kept_designs_task() -> int:
    """Periodic (daily): this month's pay-to-keep storage charge of each brand, once."""
    from .retention import meter_kept_designs

    return meter_kept_designs()
