"""The ``ai`` queue's job: make a design's artwork, then hand the design to the preview job.

Safe to run twice: layers that already carry artwork are skipped, the artwork cache stops
a second paid call, and a design whose artwork is done but whose preview job was never
queued (a crash in between) gets its preview job.
"""

from __future__ import annotations

import copy
import logging
import time

from sqlalchemy import select

from ..designs.events import notify
from ..extensions import db
from ..jobs import PermanentJobError, tracked_task
from ..models import Brand, Design, Product, RenderJob
from . import alerts, service
from .layers import is_ai
from .moderation import PromptRefused

log = logging.getLogger("luneo.ai")


class ArtworkRefused(PermanentJobError):
    """The provider refused the prompt: trying again will not help."""

    def __init__(self, refused: PromptRefused) -> None:
        super().__init__(refused.message)
        self.code = refused.code
        self.message = refused.message


@tracked_task("luneo.ai.generate_artwork", time_limit=600, soft_time_limit=570)
def generate_artwork(job: RenderJob, design_id: str) -> None:
    """Make the artwork of every AI layer of the design, then queue its preview."""
    design = db.session.get(Design, design_id)
    if design is None or design.brand_id != job.brand_id:
        return
    if design.status != "generating":
        _queue_preview_once(design)
        return
    brand = db.session.get(Brand, design.brand_id)
    product = db.session.get(Product, design.product_id)
    remote_checked = bool((job.payload or {}).get("remoteChecked", False))
    started = time.perf_counter()
    layers = copy.deepcopy(design.layers)
    new_alerts = []
    spent = 0
    for layer in layers:
        if not is_ai(layer) or layer.get("artworkKey"):
            continue
        try:
            stored, raised = service.make_artwork(
                brand,
                product,
                layer,
                design_id=design.id,
                shopper_ref=design.customer_ref,
                remote_checked=remote_checked,
            )
        except PromptRefused as exc:
            raise ArtworkRefused(exc) from exc
        layer["artworkKey"] = stored.key
        layer["artworkProvider"] = stored.provider
        spent += stored.cost_cents
        new_alerts += raised
    design.layers = layers
    design.cost_cents = (design.cost_cents or 0) + spent
    design.status = "queued"
    design.timings = {
        **(design.timings or {}),
        "artworkMs": int((time.perf_counter() - started) * 1000),
    }
    db.session.commit()
    notify(design)
    if new_alerts:
        alerts.dispatch(new_alerts)
    _queue_preview_once(design)


def _queue_preview_once(design: Design) -> None:
    from ..designs import tasks as design_tasks

    if design.status != "queued" or design.preview_key:
        return
    exists = db.session.scalar(
        select(RenderJob.id).where(RenderJob.design_id == design.id, RenderJob.kind == "preview")
    )
    if exists:
        return
    design_tasks.queue_preview(design)


def _fail(job: RenderJob, exc: BaseException) -> None:
    design = db.session.get(Design, job.design_id) if job.design_id else None
    if design is None or design.brand_id != job.brand_id:
        return
    code = getattr(exc, "code", None) or "artwork_failed"
    message = getattr(exc, "message", None) or "The artwork could not be made."
    design.status = "failed"
    design.error = {"code": code, "message": str(message)[:500], "step": "artwork"}
    db.session.commit()
    notify(design)


generate_artwork.job_function.on_failure = _fail
