"""Design status changes, published to the realtime event log for status streams.

Each change becomes one ``design.status`` event (the design's own stream re-reads the design
when it sees one; the brand-wide ``/v1/realtime`` stream passes it on as it is).
"""

from __future__ import annotations

from ..models import Design
from ..realtime import publish

FINAL_STATES = ("production_ready", "failed")


def notify(design: Design) -> None:
    """Tell status streams a design changed; call after the commit (best effort: the row
    stays the truth and ``GET /v1/designs/{id}`` answers it)."""
    data = {"designId": design.id, "productId": design.product_id, "status": design.status}
    publish(design.brand_id, "design.status", data, design_id=design.id)


def is_settled(design: Design) -> bool:
    """True when the design's stream has nothing more to say: production files ready, failed,
    or a preview that nobody finalized (finalizing opens a new stream)."""
    return design.status in FINAL_STATES or (
        design.status == "preview_ready" and design.finalized_at is None
    )
