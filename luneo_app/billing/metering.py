"""The one metering path: every billable event is recorded here, once.

:func:`record` inserts a ``billable_events`` row with ``ON CONFLICT DO NOTHING`` on
(brand, idempotency key), so a retried job, a duplicate webhook or a second order naming
the same design is the same row. Whether the event is beyond the plan (and so charged) is
decided by :mod:`.reporting` in a job, from the event's rank in its month — a rank cannot
race the way a "count, then insert" check can. The row is also the outbox: a ``pending``
row is reported by the job published after the commit, or by the periodic sweep.

Billable: a design in a placed order (key ``design:{id}``, once per design), an AI image
(``ai:{design}:{layer hash}``), a 3D/AR bake (``bake3d:{design}``), and the month's
pay-to-keep storage of a brand (``keep:{YYYY-MM}``, :mod:`.storage`). Drafts and abandoned
carts never reach here: only order intake records designs.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..core import uow
from ..core.clock import utcnow
from ..core.ids import new_id
from ..extensions import db
from ..models import BillableEvent
from .plans import METRICS, STORAGE_KIND

log = logging.getLogger("luneo.billing")


def period_of(when: datetime | None = None) -> str:
    """``YYYY-MM`` (UTC): plans' allowances are per calendar month."""
    return (when or utcnow()).strftime("%Y-%m")


def record(
    brand_id: str,
    kind: str,
    key: str,
    *,
    occurred_at: datetime | None = None,
    details: dict | None = None,
) -> bool:
    """Record one billable event unless its key was recorded before; True when new.

    Adds to the caller's transaction (the caller commits); the charge is reported by a job
    published after that commit.
    """
    if kind not in METRICS and kind != STORAGE_KIND:
        raise ValueError(f"not a billable kind: {kind}")
    when = occurred_at or utcnow()
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    event_id = new_id("bev")
    statement = (
        dialect.insert(BillableEvent)
        .values(
            id=event_id,
            brand_id=brand_id,
            kind=kind,
            idempotency_key=key[:128],
            period=period_of(when),
            occurred_at=when,
            overage=False,
            unit_price_cents=0,
            report_status="pending",
            attempts=0,
            details=details or {},
        )
        .on_conflict_do_nothing(index_elements=["brand_id", "idempotency_key"])
        .returning(BillableEvent.id)
    )
    inserted = db.session.execute(statement).scalar() is not None
    if inserted:
        uow.on_commit(lambda: publish(event_id))
    return inserted


def publish(event_id: str) -> None:
    """Queue the report of one event (after a commit); the sweep catches a failed queue."""
    from .tasks import report_event_task

    try:
        report_event_task.apply_async(args=(event_id,), queue="default")
    except Exception:  # noqa: BLE001 - the row stays pending; the sweep reports it
        log.warning("billing event %s not queued; the sweep will report it", event_id)


def recorded(brand_id: str, key: str) -> BillableEvent | None:
    """The event recorded under ``key`` for this brand, if any."""
    return db.session.scalar(
        select(BillableEvent).where(
            BillableEvent.brand_id == brand_id, BillableEvent.idempotency_key == key
        )
    )
