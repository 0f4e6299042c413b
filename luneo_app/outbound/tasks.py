"""Delivery jobs on the ``webhooks`` queue, and the sweep that catches what fell through.

A delivery job claims its row with one conditional UPDATE (due, or its previous sender's
lease ran out), so duplicate messages and re-deliveries never send an attempt twice. After
a failure it queues itself again with the backoff delay. Long delays and lost messages are
covered by :func:`sweep_due_deliveries` (``flask luneo deliver-webhooks``, cron or beat).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import Brand, BudgetAlert, OutboundDelivery
from .endpoints import target_of
from .service import attempt, queue_delivery, record_attempt

log = logging.getLogger("luneo.outbound")

# A message may arrive a little before its row says it is due (clocks, rounding).
EARLY_SLACK = timedelta(seconds=2)
# How long a stuck row waits before the sweep sends it again.
SWEEP_GRACE = timedelta(seconds=60)


def _lease() -> timedelta:
    return timedelta(seconds=float(current_app.config["OUTBOUND_WEBHOOK_TIMEOUT"]) + 30)


@shared_task(name="luneo.outbound.deliver", acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: str) -> None:
    """Make the delivery's next attempt if it is due and nobody else is making it."""
    now = utcnow()
    due = and_(
        OutboundDelivery.status.in_(("pending", "retrying")),
        OutboundDelivery.next_attempt_at <= now + EARLY_SLACK,
    )
    abandoned = and_(OutboundDelivery.status == "sending", OutboundDelivery.lease_until < now)
    claimed = db.session.execute(
        update(OutboundDelivery)
        .where(OutboundDelivery.id == delivery_id, or_(due, abandoned))
        .values(
            status="sending",
            attempts=OutboundDelivery.attempts + 1,
            lease_until=now + _lease(),
            updated_at=now,
        )
    ).rowcount
    db.session.commit()
    delivery = db.session.get(OutboundDelivery, delivery_id)
    if delivery is None:
        return
    if not claimed:
        if delivery.status == "sending" and not current_app.config["CELERY_EAGER"]:
            # Another process holds the lease (or died holding it): look again when it ends.
            remaining = (as_utc(delivery.lease_until) or now) - now
            queue_delivery(delivery_id, countdown=max(1.0, remaining.total_seconds() + 1))
        return  # done, or not due: the message that is due is already scheduled
    brand = db.session.get(Brand, delivery.brand_id)
    target = target_of(brand, delivery.event_type) if brand is not None else None
    if target is None:
        delivery.status = "failed"
        delivery.last_error = "the brand removed its endpoint"
        delivery.lease_until = None
        db.session.commit()
        return
    url, secrets = target
    delivery.url = url  # a corrected URL applies to pending retries too
    result = attempt(delivery, url, secrets)
    delay = record_attempt(delivery, result)
    db.session.commit()
    log.info(
        "webhook %s attempt %s: %s",
        delivery.event_id,
        delivery.attempts,
        result.status_code or result.error,
        extra={"event_type": delivery.event_type, "duration_ms": result.duration_ms},
    )
    if delivery.status == "succeeded":
        _after_delivery(delivery)
    elif delay is not None and not current_app.config["CELERY_EAGER"]:
        # Eager mode (no worker) cannot wait: the sweep sends due retries there.
        queue_delivery(delivery_id, countdown=delay)


def _after_delivery(delivery: OutboundDelivery) -> None:
    """Tell the feature that emitted the event that it was delivered."""
    if delivery.event_type != "budget.alert" or not delivery.dedup_key:
        return
    alert_id = delivery.dedup_key.split(":", 1)[-1]
    db.session.execute(
        update(BudgetAlert)
        .where(BudgetAlert.id == alert_id, BudgetAlert.brand_id == delivery.brand_id)
        .values(delivered_at=delivery.delivered_at)
    )
    db.session.commit()


def sweep_due_deliveries(limit: int = 500) -> int:
    """Queue every delivery that is overdue or whose sender vanished; returns how many."""
    now = utcnow()
    rows = db.session.scalars(
        select(OutboundDelivery.id)
        .where(
            or_(
                and_(
                    OutboundDelivery.status.in_(("pending", "retrying")),
                    OutboundDelivery.next_attempt_at <= now,
                ),
                and_(
                    OutboundDelivery.status == "sending",
                    OutboundDelivery.lease_until < now - SWEEP_GRACE,
                ),
            )
        )
        .order_by(OutboundDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    db.session.rollback()
    for delivery_id in rows:
        queue_delivery(delivery_id)
    return len(rows)


@shared_task(name="luneo.outbound.sweep", ignore_result=True)
def sweep_deliveries() -> int:
    """Periodic (beat or cron): send overdue deliveries and undelivered budget alerts."""
    from .events import offer_pending_alerts

    offer_pending_alerts()
    return sweep_due_deliveries()
