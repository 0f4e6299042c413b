"""WooCommerce webhooks: verified first, recorded once, handled in a job.

The delivery URL names the store (its hook token) and the route names the topic: WooCommerce
signs only the body, so its ``X-WC-Webhook-Topic``/``-Source``/``-Delivery-ID`` headers are
never believed. The signature (``X-WC-Webhook-Signature``, base64 HMAC-SHA256 of the raw
body with the store's webhook secret) is checked before anything else; the one exception is
the unsigned ``webhook_id=<n>`` form post WooCommerce sends when a webhook is created,
answered 200 and otherwise ignored. Each body is recorded once per store and topic
(``webhook_events`` unique on its hash): a replay answers ``duplicate`` and does nothing.

Features register handlers with :func:`on_topic` (``orders`` links designs; the catalog
imports products); :func:`handle` runs them in the ``luneo.commerce.woo_webhook`` job.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import WebhookRejected

from ..core.clock import utcnow
from ..core.errors import LuneoError, Unauthorized
from ..core.ids import new_id
from ..extensions import db
from ..models import Brand, CommerceConnection, WebhookEvent
from .woo_auth import TOPICS, connector

log = logging.getLogger("luneo.commerce")

PLATFORM = "woocommerce"
_PING = re.compile(rb"^webhook_id=\d{1,20}$")


@dataclass(frozen=True)
class WooDelivery:
    """A verified delivery, as its handler gets it."""

    topic: str
    brand: Brand
    connection: CommerceConnection
    payload: dict[str, Any]


Handler = Callable[[WooDelivery], "str | None"]
REGISTRY: dict[str, Handler] = {}


def on_topic(*topics: str) -> Callable[[Handler], Handler]:
    """Register a handler for WooCommerce topics (``order.created`` ...)."""

    def register(func: Handler) -> Handler:
        for topic in topics:
            REGISTRY[topic] = func
        return func

    return register


@dataclass(frozen=True)
class Receipt:
    duplicate: bool
    ping: bool = False


def receive(token: str, slug: str, headers: Mapping[str, str], body: bytes) -> Receipt:
    """Verify and record one delivery, then queue its handling."""
    topic = TOPICS.get(slug)
    row = (
        db.session.scalar(select(CommerceConnection).where(CommerceConnection.hook_token == token))
        if topic and 10 <= len(token) <= 64
        else None
    )
    signed = bool(headers.get("X-WC-Webhook-Signature"))
    if row is not None and not signed and _PING.match(body.strip()):
        return Receipt(duplicate=False, ping=True)  # WooCommerce's creation ping: unsigned
    if row is None or row.platform != "woocommerce" or not row.inbound_secret_enc:
        raise Unauthorized(
            "The webhook is not signed for a connected store.", code="invalid_signature"
        )
    try:
        verified = connector(row).verify_webhook(headers, body, row.store_url or "")
    except WebhookRejected as exc:
        if exc.code == "bad_payload":
            raise LuneoError(
                "The webhook body is not a JSON object.", code="invalid_webhook_body", status=400
            ) from exc
        raise Unauthorized(
            "The webhook signature does not match.", code="invalid_signature"
        ) from exc
    if verified.payload.get("id") is None:
        raise LuneoError(
            "The webhook body names no resource.", code="invalid_webhook_body", status=400
        )
    sha = hashlib.sha256(body).hexdigest()
    row_id = new_id("whe")
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    values = {
        "id": row_id,
        "brand_id": row.brand_id,
        "platform": PLATFORM,
        "event_id": f"{row.id}:{topic}:{sha[:64]}",
        "topic": topic,
        "shop_domain": row.id,
        "resource_id": str(verified.payload.get("id"))[:128],
        "triggered_at": verified.occurred_at,
        "received_at": utcnow(),
        "status": "received",
        "attempts": 0,
        "payload": body.decode("utf-8", "replace"),
        "body_sha256": sha,
    }
    inserted = db.session.execute(
        dialect.insert(WebhookEvent)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(WebhookEvent.id)
    ).scalar()
    row.last_event_at = utcnow()
    db.session.commit()
    if inserted is None:
        return Receipt(duplicate=True)
    from .tasks import handle_woo_webhook

    try:
        handle_woo_webhook.apply_async(args=(row_id,), queue="webhooks")
    except Exception as exc:
        log.exception("could not queue WooCommerce webhook %s", row_id)
        db.session.execute(delete(WebhookEvent).where(WebhookEvent.id == row_id))
        db.session.commit()
        raise LuneoError(
            "The webhook could not be queued; retry later.", code="unavailable", status=503
        ) from exc
    return Receipt(duplicate=False)


class RetryLater(Exception):
    """Handling failed and has attempts left."""


def handle(row_id: str, max_attempts: int) -> None:
    """Run the topic's handler for one recorded delivery (idempotent)."""
    event = db.session.get(WebhookEvent, row_id)
    if event is None or event.status in ("processed", "failed", "ignored"):
        return
    event.attempts += 1
    event.status = "processing"
    db.session.commit()
    try:
        note = _dispatch(event)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        db.session.rollback()
        event = db.session.get(WebhookEvent, row_id)
        if event is None:
            return
        final = event.attempts >= max_attempts
        event.status = "failed" if final else "retrying"
        event.error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        log.warning(
            "WooCommerce webhook %s attempt %s failed", row_id, event.attempts, exc_info=True
        )
        if not final:
            raise RetryLater(str(exc)) from exc
        return
    event = db.session.get(WebhookEvent, row_id)
    if event is not None:
        event.status = "processed"
        event.note = note and note[:255]
        event.error = None
        event.processed_at = utcnow()
        event.payload = None  # handled: keep no personal data longer than needed
        db.session.commit()


def _dispatch(event: WebhookEvent) -> str | None:
    payload = json.loads(event.payload or "{}")
    row = db.session.get(CommerceConnection, event.shop_domain) if event.shop_domain else None
    brand = db.session.get(Brand, event.brand_id) if event.brand_id else None
    if row is None or brand is None or row.platform != "woocommerce":
        return "store no longer connected"
    handler = REGISTRY.get(event.topic)
    if handler is None:
        return "no handler"
    return handler(WooDelivery(event.topic, brand, row, payload))
