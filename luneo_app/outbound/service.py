"""Outbound events: record once, deliver signed, retry with exponential backoff for a day.

:func:`send_event` writes one ``outbound_deliveries`` row (the exact JSON body, a stable
``event_id`` for the receiver's deduplication) and queues its delivery on the ``webhooks``
queue. :func:`attempt` makes one signed POST; :func:`record_attempt` decides what follows
(succeeded, retry at ``next_attempt_at``, or failed once the retry window is over).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from connectors import signatures

from ..core import uow
from ..core.clock import as_utc, utcnow
from ..core.errors import NotFound, ValidationFailed
from ..core.ids import new_id
from ..extensions import db
from ..models import Brand, OutboundDelivery
from ..observability.metrics import OUTBOUND_DELIVERIES
from .endpoints import EndpointRefused, check_url, target_of, targeted

log = logging.getLogger("luneo.outbound")

EVENT_TYPES = frozenset(
    {
        "design.completed",
        "order.production_ready",
        "order.problem",
        "budget.alert",
        "plan.alert",
        "webhook.test",
    }
)
USER_AGENT = "Luneo-Webhooks/1.0"
HISTORY_LENGTH = 20


@dataclass(frozen=True)
class AttemptResult:
    """One POST to the endpoint: the status code (None when no answer) and how long it took."""

    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None


# Keys of outbound bodies that hold personal data, dropped once a delivery is final.
PERSONAL_KEYS = frozenset(
    {"shipping", "billing", "customer", "customerRef", "email", "phone", "prompt"}
)


def strip_personal(body: str) -> str:
    """An outbound body without its personal fields (kept for the delivery log once no
    retry needs it)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        return json.dumps({"redacted": True})
    return json.dumps(_without_personal(envelope), separators=(",", ":"), sort_keys=True)


def _without_personal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_personal(v) for k, v in value.items() if k not in PERSONAL_KEYS}
    if isinstance(value, list):
        return [_without_personal(v) for v in value]
    return value


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, ...): doubling, capped."""
    cfg = current_app.config
    base = float(cfg["OUTBOUND_WEBHOOK_RETRY_BASE"])
    return min(base * (2 ** max(0, attempt - 1)), float(cfg["OUTBOUND_WEBHOOK_RETRY_MAX"]))


def event_body(event_id: str, event_type: str, brand_id: str, data: dict[str, Any]) -> str:
    """The JSON body the receiver gets (identical on every retry)."""
    envelope = {
        "id": event_id,
        "type": event_type,
        "createdAt": utcnow().isoformat(),
        "brandId": brand_id,
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


def send_event(
    brand: Brand, event_type: str, data: dict[str, Any], dedup_key: str | None = None
) -> OutboundDelivery | None:
    """Record an event for the brand's endpoint in the caller's unit of work; its delivery
    job is sent after the caller commits (a lost send is caught by the delivery sweep).

    Returns None when the brand has no endpoint. With ``dedup_key``, the same key again
    returns the first delivery and sends nothing more.
    """
    if event_type not in EVENT_TYPES and not targeted(event_type):
        raise ValueError(f"unknown outbound event type {event_type!r}")
    target = target_of(brand, event_type)
    if target is None:
        return None  # the brand has no endpoint for it
    now = utcnow()
    row_id, event_id = new_id("obd"), new_id("evt")
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(OutboundDelivery)
        .values(
            id=row_id,
            brand_id=brand.id,
            event_id=event_id,
            event_type=event_type,
            dedup_key=dedup_key,
            url=target[0],
            body=event_body(event_id, event_type, brand.id, data),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            expires_at=now + timedelta(seconds=current_app.config["OUTBOUND_WEBHOOK_WINDOW"]),
            history=[],
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing()
        .returning(OutboundDelivery.id)
    )
    inserted = db.session.execute(statement).scalar()
    if inserted is None:
        return db.session.scalar(
            select(OutboundDelivery).where(
                OutboundDelivery.brand_id == brand.id, OutboundDelivery.dedup_key == dedup_key
            )
        )
    uow.on_commit(lambda: queue_delivery(row_id))
    return db.session.get(OutboundDelivery, row_id)


def queue_delivery(delivery_id: str, countdown: float | None = None) -> None:
    """Send the delivery job to the ``webhooks`` queue (the sweep catches a failed send)."""
    from .tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(args=(delivery_id,), queue="webhooks", countdown=countdown)
    except Exception:  # noqa: BLE001 - the row stays due; `flask luneo deliver-webhooks` sends it
        log.exception("could not queue webhook delivery %s", delivery_id)


def signature_header(secrets: list[str], body: bytes, timestamp: int | None = None) -> str:
    """``Luneo-Signature``: ``t=<unix>,v1=<hex>[,v1=<hex>]``, one ``v1`` per secret.

    During a secret rotation's overlap window the body is signed with the new secret and
    the previous one (Stripe's scheme), so a receiver that still holds the old secret keeps
    verifying; :func:`connectors.signatures.verify` accepts any matching ``v1``.
    """
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    values = ",".join(f"v1={signatures.compute(s, stamp, body)}" for s in secrets)
    return f"t={stamp},{values}"


def attempt(delivery: OutboundDelivery, url: str, secrets: list[str]) -> AttemptResult:
    """One signed POST of the delivery's body. Never raises; redirects count as failures."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signatures.HEADER: signature_header(secrets, body),
        "Luneo-Event-Id": delivery.event_id,
        "Luneo-Event-Type": delivery.event_type,
        "Luneo-Delivery-Attempt": str(delivery.attempts),
    }
    started = time.perf_counter()
    try:
        check_url(url)
        timeout = float(current_app.config["OUTBOUND_WEBHOOK_TIMEOUT"])
        with httpx.Client(timeout=timeout, follow_redirects=False) as client:
            with client.stream("POST", url, content=body, headers=headers) as response:
                status = response.status_code
    except EndpointRefused as exc:
        return AttemptResult(False, None, _ms(started), exc.message)
    except httpx.HTTPError as exc:
        return AttemptResult(False, None, _ms(started), f"{type(exc).__name__}: no answer")
    ok = 200 <= status < 300
    return AttemptResult(ok, status, _ms(started), None if ok else f"answered {status}")


def record_attempt(delivery: OutboundDelivery, result: AttemptResult) -> float | None:
    """Write an attempt's outcome; returns the delay before the next try (None: no retry).

    The caller commits.
    """
    now = utcnow()
    entry = {
        "attempt": delivery.attempts,
        "at": now.isoformat(),
        "statusCode": result.status_code,
        "durationMs": result.duration_ms,
        "error": result.error,
    }
    delivery.history = ([*(delivery.history or []), entry])[-HISTORY_LENGTH:]
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error[:500] if result.error else None
    delivery.lease_until = None
    if result.ok:
        delivery.status = "succeeded"
        delivery.delivered_at = now
        delivery.body = strip_personal(delivery.body)  # no retry will need it again
        OUTBOUND_DELIVERIES.labels(delivery.event_type, "succeeded").inc()
        return None
    delay = backoff(delivery.attempts)
    next_at = now + timedelta(seconds=delay)
    if next_at > (as_utc(delivery.expires_at) or now):
        delivery.status = "failed"
        delivery.body = strip_personal(delivery.body)
        OUTBOUND_DELIVERIES.labels(delivery.event_type, "failed").inc()
        return None
    OUTBOUND_DELIVERIES.labels(delivery.event_type, "retrying").inc()
    delivery.status = "retrying"
    delivery.next_attempt_at = next_at
    return delay


def verify_endpoint(
    brand: Brand, event_type: str = "webhook.test", data: dict[str, Any] | None = None
) -> tuple[OutboundDelivery, AttemptResult]:
    """Send a signed test event now (no retries) to where ``event_type`` goes and log it.

    Commits.
    """
    target = target_of(brand, event_type)
    if target is None:
        raise ValidationFailed(
            "This brand has no endpoint for it yet.", code="no_webhook_url", status=409
        )
    url, secrets = target
    now = utcnow()
    event_id = new_id("evt")
    if data is None:
        data = {"message": "Luneo webhook test: your endpoint verified this signature."}
    delivery = OutboundDelivery(
        brand_id=brand.id,
        event_id=event_id,
        event_type=event_type,
        url=url,
        body=event_body(event_id, event_type, brand.id, data),
        status="sending",
        attempts=1,
        next_attempt_at=now,
        expires_at=now,
        history=[],
    )
    db.session.add(delivery)
    db.session.commit()
    result = attempt(delivery, url, secrets)
    record_attempt(delivery, result)
    db.session.commit()
    return delivery, result


def describe(delivery: OutboundDelivery) -> dict[str, Any]:
    """A delivery as the delivery log shows it (no body: it may hold customer data)."""
    return {
        "id": delivery.id,
        "eventId": delivery.event_id,
        "type": delivery.event_type,
        "url": delivery.url,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "lastStatusCode": delivery.last_status_code,
        "lastError": delivery.last_error,
        "nextAttemptAt": _iso(delivery.next_attempt_at)
        if delivery.status in ("pending", "retrying")
        else None,
        "deliveredAt": _iso(delivery.delivered_at),
        "createdAt": _iso(delivery.created_at),
        "history": delivery.history or [],
    }


def delivery_log(brand_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """The brand's latest deliveries, newest first."""
    rows = db.session.scalars(
        select(OutboundDelivery)
        .where(OutboundDelivery.brand_id == brand_id)
        .order_by(OutboundDelivery.created_at.desc(), OutboundDelivery.id)
        .limit(max(1, min(limit, 200)))
    ).all()
    return [describe(row) for row in rows]


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value else None


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def replay(brand: Brand, delivery_id: str) -> OutboundDelivery:
    """Send a logged delivery again (same event, same id) to the brand's current endpoint,
    with a fresh retry window. Commits, then queues it."""
    delivery = db.session.get(OutboundDelivery, delivery_id)
    if delivery is None or delivery.brand_id != brand.id:
        raise NotFound("No such delivery.")
    if delivery.event_type in ("webhook.test", "connector.test"):
        raise ValidationFailed("Test events are not replayed; test again.", code="not_replayable")
    target = target_of(brand, delivery.event_type)
    if target is None:
        raise ValidationFailed(
            "This brand has no endpoint for it yet.", code="no_webhook_url", status=409
        )
    now = utcnow()
    delivery.url = target[0]
    delivery.status = "pending"
    delivery.next_attempt_at = now
    delivery.lease_until = None
    delivery.expires_at = now + timedelta(seconds=current_app.config["OUTBOUND_WEBHOOK_WINDOW"])
    db.session.commit()
    queue_delivery(delivery.id)
    return delivery
