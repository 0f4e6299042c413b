"""The ``3d`` queue: a design's GLB and USDZ, made after its preview and never before.

:func:`on_design_changed` queues the files once a preview is rendered; ``ar_status``
answers ``/ar`` and queues the files when they are missing; :func:`on_design_changing`
puts the GLB in the production set in the same transaction that marks the design's
production files ready.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

import render
from render.three_d import ModelError

from ..billing import metering
from ..billing.enforcement import blocked_reason
from ..billing.usage import usage_for
from ..core import uow
from ..core.errors import Conflict, ValidationFailed
from ..designs import lifecycle
from ..extensions import db
from ..jobs import PermanentJobError, enqueue, tracked_task
from ..models import Brand, Design, Product, RenderJob
from .ar_files import current_files, make_ar_files, model_fingerprint

log = logging.getLogger("luneo.three_d")

KIND = "3d"
IN_FLIGHT = ("waiting", "queued", "running", "retrying")


@tracked_task("luneo.three_d.render_ar", time_limit=180, soft_time_limit=170)
def render_ar(job: RenderJob, design_id: str) -> None:
    """Bake the design's GLB and USDZ (or find them in the cache) and record their keys."""
    design = db.session.get(Design, design_id)
    if design is None or design.brand_id != job.brand_id or design.preview_key is None:
        return  # gone, or no preview yet: the preview job queues us when it is done
    product = db.session.get(Product, design.product_id)
    if product is None or not product.model_key or current_files(design, product):
        return
    try:
        make_ar_files(design, product)
    except (render.SpecError, ModelError) as exc:
        raise PermanentJobError(f"{exc.code}: {getattr(exc, 'message', exc)}") from exc
    metering.record(design.brand_id, "bakes3d", f"bake3d:{design.id}")
    db.session.commit()


def on_design_changed(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle receiver: once a preview is rendered, queue the 3D files."""
    if change.event == "preview_rendered":
        after_preview(design)


def on_design_changing(design: Design, change: lifecycle.Change) -> None:
    """Lifecycle receiver: production files ready means the GLB joins the set, in the same
    transaction."""
    if change.new == lifecycle.S.PRODUCTION_READY:
        attach_production_model(design, db.session.get(Product, design.product_id))


def after_preview(design: Design) -> None:
    """Queue the 3D files when the product has a model (commits the job).

    Not for the widget's drafts (``fast`` previews made while the shopper types): their 3D
    files are made when the 3D tab asks (``/ar``) or when the design is committed, so typing
    never waits for a GLB and USDZ nobody looks at (on the embedded default jobs run in the
    request: this was ~40 % of the keystroke-to-preview time, ``bench/preview_latency.py``).

    Never raises: a 3D problem must not fail the preview the shopper is waiting for.
    """
    if (design.timings or {}).get("previewMode") == "fast" and design.committed_at is None:
        return
    try:
        product = db.session.get(Product, design.product_id)
        if (
            product is not None
            and product.model_key
            and current_files(design, product) is None
            and _bake_allowed(design.brand_id)
        ):
            queue_ar(design, product)
            uow.commit()
    except Exception:  # noqa: BLE001 - the preview is done; /ar can queue again
        db.session.rollback()
        log.exception("could not queue 3d files for design %s", design.id)


def _bake_allowed(brand_id: str) -> bool:
    """A plan whose 3D/AR allowance is used up and has no overage gets no new bakes (the
    preview and the order are unaffected)."""
    brand = db.session.get(Brand, brand_id)
    return brand is not None and blocked_reason(usage_for(brand), "bakes3d") is None


def queue_ar(design: Design, product: Product) -> RenderJob:
    """The design's 3D job in flight, or a new one on the ``3d`` queue (added to the unit of
    work: the caller commits).

    The preview job (``after_preview``) and ``/ar`` may both get here at once: the design's
    row lock makes the second wait for the first one's job and find it in flight.
    """
    db.session.execute(select(Design.id).where(Design.id == design.id).with_for_update())
    job = in_flight_job(design.id)
    if job is not None:
        return job
    return enqueue(
        render_ar,
        kind=KIND,
        brand_id=design.brand_id,
        design_id=design.id,
        queue="3d",
        args=(design.id,),
        payload={"model": model_fingerprint(product.model_settings or {})},
    )


def in_flight_job(design_id: str) -> RenderJob | None:
    """The design's 3D job that is waiting, queued or running, if any."""
    return db.session.scalar(
        select(RenderJob)
        .where(
            RenderJob.design_id == design_id,
            RenderJob.kind == KIND,
            RenderJob.status.in_(IN_FLIGHT),
        )
        .order_by(RenderJob.enqueued_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ArStatus:
    """What ``/ar`` answers: ``ready`` with the keys, or a status to wait on."""

    status: str  # ready | waiting_for_preview | queued | rendering
    glb_key: str | None = None
    usdz_key: str | None = None


def ar_status(design: Design) -> ArStatus:
    """The design's AR files, queueing them when they are missing.

    Raises ``Conflict`` (409) when the product has no 3D model or the design failed, and
    ``ValidationFailed`` (422, ``ar_render_failed``) when this model could not be baked
    with this design (it will not be tried again until the model or its settings change).
    """
    product = db.session.get(Product, design.product_id)
    if product is None or not product.model_key:
        raise Conflict("This product has no 3D model, so there is no AR view.", code="no_3d_model")
    if design.status == lifecycle.S.FAILED:
        raise Conflict("This design failed to render.", code="design_failed")
    files = current_files(design, product)
    if files is not None:
        return ArStatus("ready", *files)
    if design.preview_key is None:
        return ArStatus("waiting_for_preview")
    job = in_flight_job(design.id)
    if job is None:
        failed = _failed_for_this_model(design, product)
        if failed is not None:
            raise ValidationFailed(
                "The 3D files for this design could not be made with this model.",
                code="ar_render_failed",
                details={"error": (failed.error or "")[:500]},
            )
        job = queue_ar(design, product)
        uow.commit()  # publishes the job (in the embedded default it runs here)
        db.session.refresh(design)
        db.session.refresh(job)
        files = current_files(design, product)  # eager mode: already made
        if files is not None:
            return ArStatus("ready", *files)
    return ArStatus("rendering" if job.status in ("running", "retrying") else "queued")


def _failed_for_this_model(design: Design, product: Product) -> RenderJob | None:
    last = db.session.scalar(
        select(RenderJob)
        .where(RenderJob.design_id == design.id, RenderJob.kind == KIND)
        .order_by(RenderJob.enqueued_at.desc())
        .limit(1)
    )
    model = model_fingerprint(product.model_settings or {})
    if last is not None and last.status == "failed" and (last.payload or {}).get("model") == model:
        return last
    return None


def attach_production_model(design: Design, product: Product | None) -> None:
    """For the production job: make sure a finalized design's GLB (and USDZ) exist and are
    recorded on the design, when the product has a model. Does not commit.

    A model that cannot take the design is logged, not raised: the print files matter more.
    """
    if product is None or not product.model_key or current_files(design, product):
        return
    try:
        make_ar_files(design, product)
    except (render.SpecError, ModelError) as exc:
        log.warning("no production GLB for design %s: %s", design.id, exc)
