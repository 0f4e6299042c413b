"""The ``ai`` queue's job: make a design's AI artwork, then queue its preview.

The job belongs to the design lifecycle (it moves the design from ``generating`` to
``queued``); ``ai/`` is the service it calls (moderation, providers, budgets) and knows
nothing of designs. The task keeps its name ``luneo.ai.generate_artwork`` so messages
already in the broker still find it.

Safe to run twice: layers that already carry artwork are skipped, the artwork cache stops
a second paid call, and a design whose artwork is done but whose preview job was never
added (a crash in between) gets its preview job.
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

from sqlalchemy import select

import render

from ..ai import alerts
from ..ai import service as ai_service
from ..ai.layers import is_ai
from ..ai.moderation import PromptRefused
from ..core import uow
from ..extensions import db
from ..jobs import PermanentJobError, enqueue, tracked_task
from ..models import Brand, Design, Product, RenderJob
from . import lifecycle
from .spec import build_spec
from .tasks import queue_preview

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
    if design.status != lifecycle.S.GENERATING:
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
            stored, raised = ai_service.make_artwork(
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
    design.preflight = artwork_preflight(design, product, layers)
    lifecycle.artwork_made(design, layers, spent, int((time.perf_counter() - started) * 1000))
    _queue_preview_once(design)  # the same commit: never artwork without its preview job
    if new_alerts:
        uow.on_commit(lambda: alerts.dispatch(new_alerts))


def artwork_preflight(
    design: Design, product: Product, layers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The design's preflight report with its AI artwork in place.

    At design time AI layers are left out (their artwork does not exist yet); now the
    artwork is checked like a photo against each print area's profile: its resolution at
    the placed size against the profile's floor, colours out of the press's gamut,
    see-through pixels, the safe zone. Findings of the other layers are kept as they were.
    The design exists and is paid for, so a blocking finding is not refused here: it is
    kept as an error, which the merchant sees and which stops a proof being approved.
    """
    kept = [
        f
        for f in design.preflight or []
        if not (
            isinstance(f.get("layer"), int)
            and f["layer"] < len(layers)
            and is_ai(layers[f["layer"]])
        )
    ]
    try:
        spec = render.parse_spec(build_spec(product, layers, product.template or {}))
        found = render.preflight.check(spec)
    except render.SpecError as exc:  # a template edited since: the design page says so
        log.warning("artwork preflight of design %s failed: %s", design.id, exc.code)
        return kept
    out = []
    for finding in found:
        if finding.layer is None or not is_ai(layers[finding.layer]):
            continue
        entry = finding.as_json()
        entry["source"] = "artwork"
        if finding.code == "low_photo_resolution" and finding.value is not None:
            floor = spec.area(finding.area).profile.min_photo_dpi
            entry["message"] = (
                f"the AI artwork prints at {finding.value:.0f} dpi at this size; this print "
                f"needs {floor} dpi, so it will look soft: place it smaller"
            )
        out.append(entry)
    return kept + out


def queue_artwork(design: Design, remote_checked: bool) -> RenderJob:
    """Add the design's artwork job (``ai`` queue) to the unit of work."""
    return enqueue(
        generate_artwork,
        kind="artwork",
        brand_id=design.brand_id,
        design_id=design.id,
        queue="ai",
        args=(design.id,),
        payload={"remoteChecked": remote_checked},
    )


def _queue_preview_once(design: Design) -> None:
    if design.status != lifecycle.S.QUEUED or design.preview_key:
        return
    exists = db.session.scalar(
        select(RenderJob.id).where(RenderJob.design_id == design.id, RenderJob.kind == "preview")
    )
    if exists:
        return
    queue_preview(design)


def _fail(job: RenderJob, exc: BaseException) -> None:
    design = db.session.get(Design, job.design_id) if job.design_id else None
    if design is None or design.brand_id != job.brand_id:
        return
    code = getattr(exc, "code", None) or "artwork_failed"
    message = getattr(exc, "message", None) or "The artwork could not be made."
    lifecycle.failed(design, code, str(message), "artwork")


generate_artwork.job_function.on_failure = _fail
