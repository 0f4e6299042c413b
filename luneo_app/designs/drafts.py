"""Drafts and committed designs.

Every typing pause in the widget makes a design (its preview is what the shopper sees).
Those are *drafts*. A design is *committed* when the shopper adds it to a cart (the widget
finalizes it then), an API brand finalizes it, or an order names it: ``designs.committed_at``
is set once, by ``lifecycle.finalized``. What the merchant calls "a design" (the admin's
Designs list, usage on the home page, plans and metering) is a committed design:
:func:`committed` is the one SQL condition for it.

Drafts expire: :func:`expire_drafts` (hourly, with the order file retention) deletes drafts
older than ``DRAFT_TTL_HOURS`` that are settled (preview ready or failed), not saved by the
shopper (``saved_at``) and not named by an order line, with their files.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, exists, select

from ..core.clock import utcnow
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Design, OrderItem
from .lifecycle import DesignStatus

log = logging.getLogger("luneo.designs.drafts")

SETTLED = (DesignStatus.PREVIEW_READY.value, DesignStatus.FAILED.value)


def committed() -> ColumnElement[bool]:
    """The SQL condition "this design is committed" (not a draft)."""
    return Design.committed_at.is_not(None)


def draft() -> ColumnElement[bool]:
    """The SQL condition "this design is a draft"."""
    return Design.committed_at.is_(None)


def is_committed(design: Design) -> bool:
    """True once the shopper committed the design (add to cart, finalize, an order)."""
    return design.committed_at is not None


def expire_drafts(now: datetime | None = None, limit: int = 500) -> int:
    """Delete up to ``limit`` expired drafts and their files; returns how many. Commits."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=int(current_app.config["DRAFT_TTL_HOURS"]))
    rows: list[Any] = db.session.execute(
        select(Design.id, Design.brand_id)
        .where(
            draft(),
            Design.saved_at.is_(None),
            Design.created_at < cutoff,
            Design.status.in_(SETTLED),
            ~exists().where(OrderItem.design_id == Design.id),
        )
        .order_by(Design.created_at)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    db.session.execute(
        delete(Design)
        .where(Design.id.in_(ids), draft())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    storage = current_app.extensions["luneo.storage"]
    for row in rows:
        try:
            storage.delete_prefix(f"{brand_prefix(row.brand_id)}designs/{row.id}/")
        except Exception:  # noqa: BLE001 - an orphan file is retried by nobody but harms nobody
            log.exception("files of expired draft %s not deleted", row.id)
    log.info("expired %d drafts", len(ids))
    return len(ids)
