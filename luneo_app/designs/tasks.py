"""Render jobs: the preview (fast path, ``previews`` queue) and the production files.

Each task loads fresh state, skips work already done (safe to run twice), and writes its
results through the storage interface before updating the design row.
"""

from __future__ import annotations

import logging
import time

from flask import current_app

import render

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..files.storage import brand_prefix
from ..jobs import PermanentJobError, enqueue, tracked_task
from ..models import Design, Product, RenderJob
from ..orders.hooks import design_production_ready
from ..three_d.tasks import after_preview, attach_production_model
from .events import notify
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
    design.status = "failed"
    design.error = {"code": code, "message": message[:500], "step": job.kind}
    db.session.commit()
    notify(design)
    if job.kind == "production":
        # An order waiting on this design must learn that the line failed.
        design_production_ready(design.id)


@tracked_task("luneo.designs.render_preview", time_limit=60, soft_time_limit=50)
def render_preview(job: RenderJob, design_id: str) -> None:
    """Render the design's preview image (WebP) and mark it ready."""
    design = _design_for(job)
    if design is None or design.preview_key:
        return
    queued_ms = int((utcnow() - as_utc(job.enqueued_at)).total_seconds() * 1000)
    if design.status == "queued":
        design.status = "rendering"
        db.session.commit()
        notify(design)
    product = db.session.get(Product, design.product_id)
    started = time.perf_counter()
    try:
        spec = build_spec(product, design.layers)
        width = PREVIEW_WIDTHS.get((design.timings or {}).get("previewMode"), 1200)
        data = render.preview(spec, width=width, fmt="webp", quality=82)
    except render.SpecError as exc:
        raise PermanentJobError(f"{exc.code}: {exc}") from exc
    render_ms = int((time.perf_counter() - started) * 1000)
    folder = f"{brand_prefix(design.brand_id)}designs/{design.id}"
    key = f"{folder}/preview-{design.content_hash[:12]}.webp"
    current_app.extensions["luneo.storage"].put(key, data, "image/webp")
    db.session.refresh(design)
    design.preview_key = key
    if design.status in ("queued", "rendering"):
        design.status = "preview_ready"
    design.timings = {
        **(design.timings or {}),
        "previewQueueMs": queued_ms,
        "previewRenderMs": render_ms,
        "previewTotalMs": queued_ms + render_ms,
    }
    db.session.commit()
    notify(design)
    after_preview(design)  # 3D/AR files, on the '3d' queue, only once the preview exists


render_preview.job_function.on_failure = _fail_design


@tracked_task("luneo.designs.render_production", time_limit=300, soft_time_limit=280)
def render_production(job: RenderJob, design_id: str) -> None:
    """Render the print files of every print area the design uses, as its profile says."""
    design = _design_for(job)
    if design is None or design.snapshot is None:
        return
    if design.status == "production_ready" and design.production_keys:
        return
    design.status = "production_rendering"
    db.session.commit()
    notify(design)
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
    design.production_keys = files
    attach_production_model(design, product)  # the GLB joins the production set
    design.status = "production_ready"
    design.timings = {
        **(design.timings or {}),
        "productionRenderMs": int((time.perf_counter() - started) * 1000),
    }
    db.session.commit()
    notify(design)
    design_production_ready(design.id)  # orders: package what it completes; design.completed


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
    """Queue the design's preview on the fast ``previews`` queue."""
    return enqueue(
        render_preview,
        kind="preview",
        brand_id=design.brand_id,
        design_id=design.id,
        queue="previews",
        args=(design.id,),
    )


def queue_production(design: Design) -> RenderJob:
    """Queue the design's print files on the ``production`` queue."""
    return enqueue(
        render_production,
        kind="production",
        brand_id=design.brand_id,
        design_id=design.id,
        queue="production",
        args=(design.id,),
    )
