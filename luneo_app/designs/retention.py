"""Retention of designs that never became an order: the rules in one place, and the purge.

| design | kept |
| --- | --- |
| on an order (any line of any order) | by the order's own retention (``orders/retention.py``) |
| pay-to-keep (``settings["keepDesigns"]``, plan with ``payToKeep``) | kept; billed monthly |
| saved by a shopper (``saved_at`` or ``customerRef``) | ``DESIGN_SAVED_RETENTION_DAYS`` |
| committed (cart or finalize: ``designs/drafts.py``) | ``DESIGN_RETENTION_DAYS`` (90) |
| draft (previews while editing), once settled | ``DRAFT_TTL_HOURS`` (72) |

Ages count from the design's last change (``updated_at``). The purge removes a design's files
(everything under ``brands/{brand}/designs/{id}/``) and then its row (its jobs and events go
with it), so a row never points at a missing file; it is idempotent (a second run finds
nothing), runs hourly on the schedule (``luneo.designs.purge_expired``) and writes one audit
event per brand with the ids it removed. Designs a pay-to-keep brand keeps past these
periods are measured once a day (:func:`meter_kept_designs`) and billed per GB-month by
``billing.storage``, once per brand and month.
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
from ..billing import retention as billing_retention
from ..billing import storage as billing_storage
from ..core import uow
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
    """Pay-to-keep: the brand keeps every design it made (billing decides)."""
    return billing_retention.pays_to_keep(brand)


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


def _past_shortest(now: datetime, limit: int, brand_id: str | None = None) -> list[Any]:
    """(design, brand) rows without an order older than the shortest retention, oldest
    first: the purge's candidates."""
    config = current_app.config
    shortest = min(
        timedelta(hours=int(config["DRAFT_TTL_HOURS"])),
        timedelta(days=int(config["DESIGN_RETENTION_DAYS"])),
        timedelta(days=int(config["DESIGN_SAVED_RETENTION_DAYS"])),
    )
    query = (
        select(Design, Brand)
        .join(Brand, Brand.id == Design.brand_id)
        .where(
            Design.updated_at < now - shortest,
            Design.status.not_in((S.PRODUCTION_RENDERING.value,)),
            ~exists().where(OrderItem.design_id == Design.id),
        )
        .order_by(Design.updated_at)
        .limit(limit)
    )
    if brand_id is not None:
        query = query.where(Design.brand_id == brand_id)
    return list(db.session.execute(query).all())


def _expired(design: Design, now: datetime, config: Any) -> bool:
    """Past its retention (see the module's table)."""
    kept = retention_of(design, config)
    return kept is not None and now - (as_utc(design.updated_at) or now) >= kept


def meter_kept_designs(now: datetime | None = None) -> int:
    """Measure the designs each pay-to-keep brand keeps past their retention (their stored
    bytes) and record the month's storage charge once per brand (a later run in the same
    month finds it recorded). Returns how many brands got a new charge. Commits per brand."""
    now = now or utcnow()
    config = current_app.config
    storage = current_app.extensions["luneo.storage"]
    brands = db.session.scalars(
        select(Brand).where(Brand.settings["keepDesigns"].as_boolean().is_(True))
    ).all()
    charged = 0
    for brand in brands:
        if not keeps_designs(brand):
            continue
        kept = [d for d, _b in _past_shortest(now, 100_000, brand.id) if _expired(d, now, config)]
        size = 0
        for design in kept:
            prefix = f"{brand_prefix(brand.id)}designs/{design.id}/"
            size += sum(storage.stat(key).size for key in storage.list(prefix))
        if billing_storage.record_kept_storage(brand, size, len(kept), now):
            charged += 1
        uow.commit()  # the charge is reported by the job published after this commit
    return charged


def purge_expired_designs(now: datetime | None = None, limit: int = 500) -> DesignPurge:
    """Remove the files and rows of designs past their retention (see the module's table)."""
    now = now or utcnow()
    config = current_app.config
    candidates = _past_shortest(now, limit)
    storage = current_app.extensions["luneo.storage"]
    removed: dict[str, list[str]] = defaultdict(list)
    files = 0
    for design, brand in candidates:
        if keeps_designs(brand) or not _expired(design, now, config):
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
