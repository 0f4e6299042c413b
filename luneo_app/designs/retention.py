"""Retention of designs that never became an order: the rules in one place, and the purge.

| design | kept |
| --- | --- |
| on an order (any line of any order) | by the order's own retention (``orders/retention.py``) |
| the brand keeps designs (pay-to-keep: ``settings["keepDesigns"]``) | until the brand stops |
| saved by a shopper (``saved_at`` or ``customerRef``) | ``DESIGN_SAVED_RETENTION_DAYS`` |
| committed (cart or finalize: ``designs/drafts.py``) | ``DESIGN_RETENTION_DAYS`` (90) |
| draft (previews while editing), once settled | ``DRAFT_TTL_HOURS`` (72) |

Ages count from the design's last change (``updated_at``). The purge removes a design's files
(everything under ``brands/{brand}/designs/{id}/``) and then its row (its jobs and events go
with it), so a row never points at a missing file; it is idempotent (a second run finds
nothing), runs hourly on the schedule (``luneo.designs.purge_expired``) and writes one audit
event per brand with the ids it removed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, select

from ..audit import record
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand, Design, OrderItem
from . import lifecycle
from .drafts import SETTLED

log = logging.getLogger("luneo.designs")

S = lifecycle.DesignStatus


@dataclass(frozen=True)
class DesignPurge:
    """What a purge removed."""

    designs: int
    files: int


def keeps_designs(brand: Brand) -> bool:
    """Pay-to-keep: the brand's plan keeps every design it made."""
    return bool((brand.settings or {}).get("keepDesigns"))


def retention_of(design: Design, config: Any) -> timedelta | None:
    """How long after its last change a design without an order is kept (None: for now,
    a draft still rendering)."""
    if design.saved_at is not None or design.customer_ref:
        return timedelta(days=int(config["DESIGN_SAVED_RETENTION_DAYS"]))
    if design.committed_at is not None or design.finalized_at is not None:
        return timedelta(days=int(config["DESIGN_RETENTION_DAYS"]))
    if design.status not in SETTLED:
        return None  # the sweeper settles it first
    return timedelta(hours=int(config["DRAFT_TTL_HOURS"]))


def purge_expired_designs(now: datetime | None = None, limit: int = 500) -> DesignPurge:
    """Remove the files and rows of designs past their retention (see the module's table)."""
    now = now or utcnow()
    config = current_app.config
    shortest = min(
        timedelta(hours=int(config["DRAFT_TTL_HOURS"])),
        timedelta(days=int(config["DESIGN_RETENTION_DAYS"])),
        timedelta(days=int(config["DESIGN_SAVED_RETENTION_DAYS"])),
    )
    candidates = db.session.execute(
        select(Design, Brand)
        .join(Brand, Brand.id == Design.brand_id)
        .where(
            Design.updated_at < now - shortest,
            Design.status.not_in((S.PRODUCTION_RENDERING.value,)),
            ~exists().where(OrderItem.design_id == Design.id),
        )
        .order_by(Design.updated_at)
        .limit(limit)
    ).all()
    storage = current_app.extensions["luneo.storage"]
    removed: dict[str, list[str]] = defaultdict(list)
    files = 0
    for design, brand in candidates:
        if keeps_designs(brand):
            continue
        age = now - (as_utc(design.updated_at) or now)
        kept = retention_of(design, config)
        if kept is None or age < kept:
            continue
        files += storage.delete_prefix(f"{brand_prefix(brand.id)}designs/{design.id}/")
        removed[brand.id].append(design.id)
    for brand_id, ids in removed.items():
        db.session.execute(
            delete(Design)
            .where(Design.id.in_(ids), ~exists().where(OrderItem.design_id == Design.id))
            .execution_options(synchronize_session=False)
        )
        record(
            "designs.retention_purged",
            actor="system:retention",
            brand_id=brand_id,
            target_type="design",
            details={"designs": ids, "count": len(ids)},
        )
    db.session.commit()
    total = sum(len(ids) for ids in removed.values())
    if total:
        log.info("retention removed %s designs and %s files", total, files)
    return DesignPurge(total, files)
