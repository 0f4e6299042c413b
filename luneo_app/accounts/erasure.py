"""An API brand's right to be forgotten: the owner asks, a delay runs, everything goes.

``DELETE /v1/brands/{id}/data`` (or the console's settings page) schedules the erasure
``BRAND_ERASURE_DELAY_HOURS`` ahead; until then the owner can cancel it. ``flask luneo
erase-due-brands`` (or the ``luneo.accounts.erase_due`` task on a schedule) then erases with
the same code and audit as Shopify's ``shop/redact``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..core.clock import as_utc, utcnow
from ..core.errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..models import Account, Brand
from ..privacy import erase_brand

log = logging.getLogger("luneo.accounts.erasure")


def _owned_brand(owner: Account, brand_id: str) -> Brand:
    if owner.brand_id != brand_id:
        raise NotFound("No such brand.")
    if owner.role != "owner":
        raise Forbidden("Only the brand's owner may erase its data.", code="owner_only")
    return db.session.get(Brand, brand_id)


def schedule(owner: Account, brand_id: str) -> datetime:
    """Schedule the erasure of every datum of the owner's brand; when it will run. Commits."""
    brand = _owned_brand(owner, brand_id)
    if brand.erasure_due_at is not None:
        return as_utc(brand.erasure_due_at)
    due = utcnow() + timedelta(hours=float(current_app.config["BRAND_ERASURE_DELAY_HOURS"]))
    brand.erasure_due_at = due
    record(
        "compliance.brand_erasure_scheduled",
        actor=f"account:{owner.id}",
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
        details={"dueAt": due.isoformat()},
    )
    db.session.commit()
    return due


def cancel(owner: Account, brand_id: str) -> None:
    """Cancel a scheduled erasure. Commits."""
    brand = _owned_brand(owner, brand_id)
    if brand.erasure_due_at is None:
        raise Conflict("No erasure is scheduled.", code="no_erasure")
    brand.erasure_due_at = None
    record(
        "compliance.brand_erasure_cancelled",
        actor=f"account:{owner.id}",
        brand_id=brand.id,
        target_type="brand",
        target_id=brand.id,
    )
    db.session.commit()


def erase_due(now: datetime | None = None) -> list[str]:
    """Erase every brand whose erasure is due; the erased brand ids. Commits each."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Brand.id).where(Brand.erasure_due_at.is_not(None), Brand.erasure_due_at <= now)
        )
    )
    erased = []
    for brand_id in due:
        brand = db.session.get(Brand, brand_id, with_for_update=True)
        if brand is None or brand.erasure_due_at is None or as_utc(brand.erasure_due_at) > now:
            db.session.rollback()  # cancelled or erased meanwhile
            continue
        name = brand.name
        rows, files = erase_brand(brand_id)
        record(
            "compliance.brand_erased",
            actor="luneo:erasure",
            brand_id=None,
            target_type="brand",
            target_id=brand_id,
            details={
                "brand": brand_id,
                "name": name,
                "rows": {k: v for k, v in rows.items() if v},
                "files": files,
            },
        )
        db.session.commit()
        log.info("brand %s erased: %s rows, %s files", brand_id, sum(rows.values()), files)
        erased.append(brand_id)
    return erased


@shared_task(name="luneo.accounts.erase_due")
def erase_due_task() -> int:
    """Celery entry of :func:`erase_due` (schedule it with beat, hourly)."""
    return len(erase_due())
