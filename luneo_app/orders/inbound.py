"""Orders that a brand's own shop system sends (REST connector), or that Luneo reads from it.

``POST /v1/connectors/rest/orders``: an order event signed with the brand's inbound secret
(``Luneo-Signature``, HMAC-SHA256 over the timestamp and the raw body). The signature is
checked before anything else; the event's id and type are read from the signed body only.
Each event is recorded once in ``webhook_events`` (platform ``rest``, unique per brand and
event id, and per body): a second delivery of an event answers ``duplicate`` and does nothing.
An event may carry the whole order or only its id, which Luneo then reads from the brand's
API with the brand's key. Either way the order goes through :func:`.intake.sync_order` with
the platform of ``POST /v1/orders`` (``api``), so an order is one order whichever way it came.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import (
    ConnectorAuthError,
    ConnectorRequestError,
    ConnectorUnavailable,
    OrderInfo,
    WebhookRejected,
)
from connectors.rest import order_from_body

from ..commerce import platforms
from ..commerce.alerts import key_refused
from ..commerce.connections import connection_of, mark_working, platform_of
from ..core.clock import utcnow
from ..core.errors import Conflict, LuneoError, Unauthorized, ValidationFailed
from ..core.ids import new_id
from ..extensions import db
from ..models import Brand, Order, WebhookEvent
from .intake import sync_order

log = logging.getLogger("luneo.orders")

PLATFORM = "rest"
BRAND_HEADER = "Luneo-Brand"
# An event left "processing" this long (its handler died) may be taken again.
STUCK_AFTER = timedelta(minutes=5)


class StoreUnavailable(LuneoError):
    """The brand's API could not be read now: the sender should retry."""

    status = 503
    code = "store_unavailable"
    retry_after = 30


@dataclass(frozen=True)
class EventResult:
    """What receiving one event did."""

    event_id: str
    duplicate: bool
    order_id: str | None
    note: str

    def as_json(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "duplicate": self.duplicate,
            "orderId": self.order_id,
            "note": self.note,
        }


#: Brand states whose store orders are taken in and produced.
ORDER_INTAKE_STATES = ("active", "suspended")


def _brand_for(brand_ref: str | None) -> Brand | None:
    if not brand_ref or len(brand_ref) > 40:
        return None
    brand = db.session.get(Brand, brand_ref.strip())
    # A suspended brand's orders are still taken in: suspension never holds a paid order.
    if brand is None or brand.status not in ORDER_INTAKE_STATES or platform_of(brand) != "rest":
        return None
    return brand


def receive_event(brand_ref: str | None, headers: Any, body: bytes, url: str) -> EventResult:
    """Verify, record once and take in one order event (see the module docstring)."""
    brand = _brand_for(brand_ref)
    connector = platforms.for_brand(brand).connector(brand) if brand is not None else None
    if brand is None or connector is None:
        # An unknown brand reads like a bad signature: nothing tells brands apart.
        raise Unauthorized(
            "The event is not signed with this brand's secret.", code="invalid_signature"
        )
    try:
        event = connector.verify_webhook(headers, body, url)
    except WebhookRejected as exc:
        if exc.code == "bad_payload":
            raise ValidationFailed(str(exc), code="invalid_event") from exc
        raise Unauthorized(
            "The event is not signed with this brand's secret.", code="invalid_signature"
        ) from exc
    row_id, duplicate = _record(brand, event.event_id, event.topic, body, event.occurred_at)
    if duplicate is not None:
        return duplicate
    try:
        info = _order_of(brand, event.payload["data"])
        if event.topic == "order.cancelled":
            info = replace(info, status="cancelled")
        intake = sync_order(brand, "api", info)
    except Exception as exc:
        db.session.rollback()
        _finish(row_id, "failed", None, f"{type(exc).__name__}: {exc}"[:255])
        raise
    _finish(row_id, "processed", intake.order_id, intake.note)
    return EventResult(event.event_id, False, intake.order_id, intake.note)


def pull_order(brand: Brand, external_id: str) -> Order:
    """Read one order from the brand's API with its key and take it in. Commits."""
    if platform_of(brand) != "rest":
        raise ValidationFailed(
            "Set up the REST connector (API base URL and key) first.", code="no_rest_connector"
        )
    info = _order_of(brand, {"orderId": external_id})
    intake = sync_order(brand, "api", info)
    if intake.order_id is None:
        raise ValidationFailed(
            "This order carries no Luneo designs.",
            code="no_designs",
            details={"orderId": external_id},
        )
    order = db.session.get(Order, intake.order_id)
    assert order is not None
    return order


def _order_of(brand: Brand, data: dict[str, Any]) -> OrderInfo:
    if isinstance(data.get("order"), dict):
        try:
            return order_from_body(data["order"])
        except ConnectorRequestError as exc:
            raise ValidationFailed(str(exc), code="invalid_event") from exc
    platform = platforms.for_brand(brand)
    store = platform.store(brand)
    connector = platform.connector(brand)
    if store is None or connector is None:
        raise ValidationFailed(
            "The event names an order but the brand's API base URL and key are not set.",
            code="no_store_api",
        )
    order_id = str(data["orderId"]).strip()[:128]
    try:
        order = connector.fetch_order(store, order_id)
    except ConnectorUnavailable as exc:
        raise StoreUnavailable(f"Your API could not be read: {exc}") from exc
    except ConnectorAuthError as exc:
        row = connection_of(brand.id)
        if row is not None:
            key_refused(row.id, "your API refused Luneo's key")
        raise LuneoError(
            "Your API refused the key set in the Luneo console.",
            code="store_refused_key",
            status=502,
        ) from exc
    except ConnectorRequestError as exc:
        raise ValidationFailed(
            f"Your API did not give order {order_id!r}: {exc}", code="store_order_unreadable"
        ) from exc
    row = connection_of(brand.id)
    if row is not None:
        mark_working(row)  # the key works (again); saved with the order
    return order


def _record(
    brand: Brand, event_id: str, topic: str, body: bytes, occurred_at: Any
) -> tuple[str, EventResult | None]:
    """Insert the event's row once; returns (row id, None) to go on, or the duplicate's
    answer. An event whose earlier handling failed (or died) is taken again."""
    now = utcnow()
    key = f"{brand.id}:{event_id}"[:128]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    row_id = new_id("whe")
    inserted = db.session.execute(
        dialect.insert(WebhookEvent)
        .values(
            id=row_id,
            brand_id=brand.id,
            platform=PLATFORM,
            event_id=key,
            topic=topic,
            shop_domain=brand.id,
            triggered_at=occurred_at,
            received_at=now,
            status="processing",
            attempts=1,
            payload=None,  # handled at once: the order is kept as Luneo's order, not as a body
            body_sha256=hashlib.sha256(body).hexdigest(),
        )
        .on_conflict_do_nothing()
        .returning(WebhookEvent.id)
    ).scalar()
    db.session.commit()
    if inserted is not None:
        return row_id, None
    sha = hashlib.sha256(body).hexdigest()
    prior = db.session.scalar(
        select(WebhookEvent).where(
            WebhookEvent.platform == PLATFORM,
            (WebhookEvent.event_id == key)
            | (
                (WebhookEvent.shop_domain == brand.id)
                & (WebhookEvent.topic == topic)
                & (WebhookEvent.body_sha256 == sha)
            ),
        )
    )
    if prior is None:  # pragma: no cover - the conflicting row was just deleted
        raise Conflict("The event is being recorded; send it again.", code="event_in_progress")
    retry = prior.status == "failed" or (
        prior.status == "processing" and prior.received_at < now - STUCK_AFTER
    )
    if retry:
        taken = db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == prior.id, WebhookEvent.status == prior.status)
            .values(status="processing", attempts=WebhookEvent.attempts + 1, received_at=now)
        ).rowcount
        db.session.commit()
        if taken:
            return prior.id, None
    if prior.status != "processed":
        error = Conflict(
            "This event is being handled; send it again shortly.", code="event_in_progress"
        )
        error.retry_after = 5
        raise error
    return prior.id, EventResult(event_id, True, prior.resource_id, "duplicate event: nothing done")


def _finish(row_id: str, status: str, order_id: str | None, note: str | None) -> None:
    event = db.session.get(WebhookEvent, row_id)
    if event is None:
        return
    event.status = status
    event.resource_id = order_id
    event.note = note and note[:255]
    event.error = note if status == "failed" else None
    event.processed_at = utcnow()
    row = connection_of(event.brand_id) if event.brand_id else None
    if row is not None and status == "processed":
        row.last_event_at = utcnow()
    db.session.commit()
