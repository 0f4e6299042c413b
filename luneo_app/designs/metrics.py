"""Business metrics of designs: created, committed (finalized), failed, time to preview.

Counted after the commit that made the move durable (a rolled-back design is not counted).
``kind`` is ``ai`` for designs with AI artwork, ``standard`` for the rest.
"""

from __future__ import annotations

from typing import Any

from ..core import uow
from ..core.clock import as_utc, utcnow
from ..models import Design
from ..observability.metrics import DESIGNS, PREVIEW_READY
from . import lifecycle

S = lifecycle.DesignStatus


def kind_of(design: Design) -> str:
    """The dashboards' kind of a design."""
    return "ai" if design.prompt else "standard"


def count_created(design: Design) -> None:
    """Count a new design once its creation commits."""
    kind = kind_of(design)
    uow.on_commit(lambda: DESIGNS.labels("created", kind).inc())


def count_committed(design: Design) -> None:
    """Count a design whose production snapshot is locked (finalized) once that commits."""
    kind = kind_of(design)
    uow.on_commit(lambda: DESIGNS.labels("committed", kind).inc())


def on_design_changed(design: Design, change: Any = None) -> None:
    """Lifecycle receiver: count failures, time the preview."""
    if change is None or change.old == change.new:
        return
    kind = kind_of(design)
    if change.new == S.FAILED:
        DESIGNS.labels("failed", kind).inc()
    elif change.new == S.PREVIEW_READY and change.old in lifecycle.PREVIEW_PENDING:
        created = as_utc(design.created_at)
        if created is not None:
            PREVIEW_READY.labels(kind).observe(max(0.0, (utcnow() - created).total_seconds()))
