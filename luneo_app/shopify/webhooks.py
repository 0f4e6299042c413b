"""Shopify webhooks: verified, recorded once, answered at once, handled in a job.

Receiving (:func:`receive`, in the request) checks the HMAC of the raw body
(``shopifyapp``'s ``verify_webhook_req``) before anything else, then trusts only what is
signed: the topic is the route's, the body must fit that topic and name the same shop as the
``X-Shopify-Shop-Domain`` header (:mod:`.webhook_bodies`; a disagreement is refused as a
forgery), and the body's own ``updated_at`` orders deliveries. It inserts one
``webhook_events`` row (unique on ``X-Shopify-Webhook-Id`` and on the body's hash per shop
and topic, so a redelivery or a replayed body is a no-op) and enqueues the job.

Handling (:func:`handle_delivery`, in the job) finds the shop, skips a delivery older than
one already handled for the same resource, and calls the topic's handler from
:data:`REGISTRY`. Features register their handlers with :func:`on_topic`::

    @on_topic("orders/create", "orders/updated")
    def link_designs(delivery: WebhookDelivery) -> str | None: ...

A topic without a handler is recorded and marked processed with the note "no handler".
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from flask import current_app
from shopify_app import verify_webhook_req
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from connectors.base import WebhookRejected
from connectors.shopify import normalize_shop_domain

from ..core.clock import as_utc, utcnow
from ..core.errors import LuneoError, Unauthorized, ValidationFailed
from ..core.ids import new_id
from ..extensions import db
from ..models import Brand, ShopInstall, WebhookEvent
from ..observability.metrics import SHOPIFY_WEBHOOK_LAG
from .app_config import COMPLIANCE_TOPICS, WebhookRoute
from .client import EXTENSION as SHOPIFY_ADMIN
from .session import demo_webhook_secret
from .webhook_bodies import SignedBody, parse_time, read_body

log = logging.getLogger("luneo.shopify.webhooks")

PLATFORM = "shopify"
_WEBHOOK_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_API_VERSION_RE = re.compile(r"^(\d{4}-\d{2}|unstable)$")
# Resources whose deliveries can arrive out of order: topic prefix -> GraphQL type.
_RESOURCE_TYPES = {"products": "Product", "orders": "Order"}
# Topics handled even when the shop is not (or no longer) installed.
_ALWAYS_HANDLED = COMPLIANCE_TOPICS | {"app/uninstalled"}
_DONE = ("processed", "ignored", "stale", "failed")
# Clocks differ a little; a delivery "triggered" later than this from now is not believed.
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified delivery, as a topic handler sees it."""

    event_id: str  # the webhook_events row
    webhook_id: str
    topic: str
    shop_domain: str
    payload: dict[str, Any]
    occurred_at: datetime | None
    brand: Brand | None
    install: ShopInstall | None


Handler = Callable[[WebhookDelivery], "str | None"]
REGISTRY: dict[str, Handler] = {}


def on_topic(*topics: str) -> Callable[[Handler], Handler]:
    """Register a handler for topics. It runs in a job, may raise to be retried, must be
    idempotent, and returns an optional note for the webhook log."""

    def register(func: Handler) -> Handler:
        for topic in topics:
            REGISTRY[topic] = func
        return func

    return register


# --- receiving ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Receipt:
    """The answer to a delivery: recorded now, or a duplicate of one already recorded."""

    duplicate: bool
    event_id: str | None


def receive(route: WebhookRoute, headers: Mapping[str, str], body: bytes, url: str) -> Receipt:
    """Verify, validate, record once and enqueue a delivery (see the module docstring)."""
    _verify_signature(headers, body, url)
    topic = _topic_of(route, headers.get("X-Shopify-Topic", ""))
    shop = normalize_shop_domain(headers.get("X-Shopify-Shop-Domain"))
    webhook_id = headers.get("X-Shopify-Webhook-Id", "")
    api_version = headers.get("X-Shopify-API-Version", "")
    problems = {}
    if topic is None:
        problems["X-Shopify-Topic"] = f"expected one of {sorted(route.topics)}"
    if shop is None:
        problems["X-Shopify-Shop-Domain"] = "not a myshopify.com domain"
    if not _WEBHOOK_ID_RE.match(webhook_id):
        problems["X-Shopify-Webhook-Id"] = "missing or malformed"
    if not _API_VERSION_RE.match(api_version):
        problems["X-Shopify-API-Version"] = "missing or malformed"
    triggered_at = parse_time(headers.get("X-Shopify-Triggered-At"))
    if headers.get("X-Shopify-Triggered-At") and triggered_at is None:
        problems["X-Shopify-Triggered-At"] = "not an ISO 8601 time"
    elif triggered_at is not None and triggered_at > utcnow() + MAX_CLOCK_SKEW:
        problems["X-Shopify-Triggered-At"] = "in the future"
    if problems:
        raise ValidationFailed(
            "The webhook headers are incomplete.",
            code="invalid_webhook_headers",
            status=400,
            details=problems,
        )
    signed = read_body(topic, body)  # type: ignore[arg-type]
    _check_shop(topic, shop, signed)  # type: ignore[arg-type]
    # The body's own time orders deliveries; the unsigned header is only a fallback.
    occurred_at = signed.occurred_at or triggered_at
    return _record(topic, shop, webhook_id, occurred_at, body.decode(), signed.sha256)  # type: ignore[arg-type]


def _topic_of(route: WebhookRoute, header: str) -> str | None:
    """The topic is the route's (each topic has its own path); a header naming another
    topic is refused rather than believed."""
    if len(route.topics) == 1:
        (topic,) = route.topics
        return topic if header == topic else None
    return header if header in route.topics else None


def _check_shop(topic: str, shop: str, signed: SignedBody) -> None:
    """The shop in the (unsigned) header must be the shop the signed body names, by domain
    and by Shopify's shop id. A disagreement is a forged delivery: refused, nothing written."""
    reason = None
    if signed.shop_domain is not None and signed.shop_domain != shop:
        reason = "shop domain in the body differs from the header"
    elif signed.shop_id is not None:
        query = select(ShopInstall.shop_domain, ShopInstall.shop_id).where(
            or_(ShopInstall.shop_domain == shop, ShopInstall.shop_id == signed.shop_id)
        )
        with db.engine.connect() as conn:
            owners = conn.execute(query).all()
        for domain, shop_id in owners:
            if domain == shop and shop_id is not None and shop_id != signed.shop_id:
                reason = "shop id in the body is not this shop's"
            elif domain != shop and shop_id == signed.shop_id:
                reason = "shop id in the body belongs to another shop"
    if reason is not None:
        log.warning(
            "webhook forgery attempt refused: %s",
            reason,
            extra={"topic": topic, "shop": shop},
        )
        raise Unauthorized(
            "The webhook names another shop than the one it was sent for.",
            code="webhook_shop_mismatch",
        )


def _verify_signature(headers: Mapping[str, str], body: bytes, url: str) -> None:
    """The Shopify connector checks the HMAC (current or previous app secret). Without
    Shopify credentials, only the demo shop's checkout (storefront/checkout.py) signs, with
    the demo key, and only in demo mode: set credentials and it can never sign again."""
    if not headers.get("X-Shopify-Hmac-Sha256"):
        raise Unauthorized("The webhook is not signed.", code="invalid_hmac")
    connector = current_app.extensions.get(SHOPIFY_ADMIN)
    if connector is None:
        _verify_demo_signature(headers, body, url)
        return
    try:
        connector.verify_webhook(headers, body, url)
    except WebhookRejected as exc:
        if exc.code == "bad_payload":
            return  # signed; the body's shape is checked per topic (webhook_bodies)
        raise Unauthorized("The webhook signature does not match.", code="invalid_hmac") from exc


def _verify_demo_signature(headers: Mapping[str, str], body: bytes, url: str) -> None:
    cfg = current_app.config
    demo_shop = cfg.get("DEMO_MODE") and not cfg.get("SHOPIFY_API_SECRET")
    if not demo_shop or headers.get("X-Shopify-Shop-Domain") != cfg.get("DEMO_SHOP_DOMAIN"):
        raise Unauthorized("The webhook is not signed.", code="invalid_hmac")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unauthorized("The webhook signature does not match.", code="invalid_hmac") from exc
    request = {
        "method": "POST",
        "headers": {"X-Shopify-Hmac-Sha256": headers["X-Shopify-Hmac-Sha256"]},
        "url": url,
        "body": text,
    }
    app_config = {"client_id": "", "client_secret": demo_webhook_secret()}
    if not verify_webhook_req(request, app_config).ok:  # type: ignore[arg-type]
        raise Unauthorized("The webhook signature does not match.", code="invalid_hmac")


_RECORDED_COLUMNS = (
    "id",
    "platform",
    "event_id",
    "topic",
    "shop_domain",
    "triggered_at",
    "received_at",
    "status",
    "attempts",
    "payload",
    "body_sha256",
)


@cache
def _insert_once(dialect_name: str) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING id``, built once
    per dialect (this is the hot path of every delivery)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = WebhookEvent.__table__
    return (
        dialect.insert(table)
        .values({name: bindparam(name) for name in _RECORDED_COLUMNS})
        # Any unique constraint: the webhook id, or the body already seen for shop and topic.
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )


def _record(
    topic: str,
    shop: str,
    webhook_id: str,
    triggered_at: datetime | None,
    body: str,
    body_sha256: str,
) -> Receipt:
    """Insert the row unless this webhook id, or this body for this shop and topic, is
    known; enqueue when the row is new."""
    from .tasks import handle_webhook

    engine = db.engine
    row_id = new_id("whe")
    values = {
        "id": row_id,
        "platform": PLATFORM,
        "event_id": webhook_id,
        "topic": topic,
        "shop_domain": shop,
        "triggered_at": triggered_at,
        "received_at": utcnow(),
        "status": "received",
        "attempts": 0,
        "payload": body,
        "body_sha256": body_sha256,
    }
    # One statement in autocommit: a single round trip, durable before the 200 goes out.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        inserted = conn.execute(_insert_once(engine.dialect.name), values).scalar()
    if inserted is None:
        return Receipt(duplicate=True, event_id=None)
    try:
        handle_webhook.apply_async(args=(row_id,), queue="webhooks")
    except Exception as exc:
        # Not queued: forget the row so Shopify's retry of this delivery is not a duplicate.
        log.exception("could not enqueue webhook %s; asking Shopify to retry", webhook_id)
        with engine.begin() as conn:
            conn.execute(delete(WebhookEvent).where(WebhookEvent.id == row_id))
        raise LuneoError(
            "The webhook could not be queued; retry later.", code="unavailable", status=503
        ) from exc
    return Receipt(duplicate=False, event_id=row_id)


# --- handling -----------------------------------------------------------------------------
class RetryLater(Exception):
    """Handling failed and has attempts left."""


def handle_delivery(row_id: str, max_attempts: int) -> None:
    """Handle one recorded delivery (idempotent). Raises :class:`RetryLater` to be retried."""
    event = db.session.get(WebhookEvent, row_id)
    if event is None or event.status in _DONE:
        return
    event.attempts += 1
    event.status = "processing"
    db.session.commit()
    try:
        _dispatch(event)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded on the row
        db.session.rollback()
        event = db.session.get(WebhookEvent, row_id)
        if event is None:
            return
        event.error = f"{type(exc).__name__}: {exc}"[:2000]
        final = event.attempts >= max_attempts
        event.status = "failed" if final else "retrying"
        install = _install_of(event.shop_domain)
        if install is not None and final:
            install.webhook_failures += 1
            install.last_error = f"webhook {event.topic} failed: {type(exc).__name__}"
        db.session.commit()
        log.warning(
            "webhook %s (%s) attempt %s failed",
            event.event_id,
            event.topic,
            event.attempts,
            exc_info=True,
        )
        if not final:
            raise RetryLater(str(exc)) from exc


def _dispatch(event: WebhookEvent) -> None:
    try:
        payload = json.loads(event.payload or "{}")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        _finish(event, "failed", "the body is not a JSON object")
        return
    install = _install_of(event.shop_domain)
    brand = db.session.get(Brand, install.brand_id) if install else None
    event.brand_id = brand.id if brand else None
    event.resource_id = _resource_of(event.topic, payload)
    if install is not None:
        install.last_webhook_at = utcnow()

    if event.topic not in _ALWAYS_HANDLED and (install is None or install.uninstalled_at):
        _finish(event, "ignored", "shop not installed")
        return
    if _superseded(event):
        _finish(event, "stale", "a newer delivery for this resource was already handled")
        return
    handler = REGISTRY.get(event.topic)
    if handler is None:
        _finish(event, "processed", "no handler")
        return
    delivery = WebhookDelivery(
        event_id=event.id,
        webhook_id=event.event_id,
        topic=event.topic,
        shop_domain=event.shop_domain or "",
        payload=payload,
        occurred_at=as_utc(event.triggered_at),
        brand=brand,
        install=install,
    )
    row_id = event.id
    note = handler(delivery)
    if delivery.occurred_at is not None:
        lag = (utcnow() - delivery.occurred_at).total_seconds()
        SHOPIFY_WEBHOOK_LAG.labels(delivery.topic).observe(max(0.0, lag))
    # A handler may have committed (or erased the shop); take the row as it is now.
    event = db.session.get(WebhookEvent, row_id)
    if event is not None:
        _finish(event, "processed", note)


def _finish(event: WebhookEvent, status: str, note: str | None) -> None:
    event.status = status
    event.note = (note or None) and note[:255]
    event.error = None
    event.processed_at = utcnow()
    event.payload = None  # handled: keep no personal data longer than needed
    db.session.commit()


def _install_of(shop_domain: str | None) -> ShopInstall | None:
    if not shop_domain:
        return None
    return db.session.scalar(select(ShopInstall).where(ShopInstall.shop_domain == shop_domain))


def _resource_of(topic: str, payload: dict[str, Any]) -> str | None:
    """``gid://shopify/Product/1`` for resource topics; None for the others."""
    kind = _RESOURCE_TYPES.get(topic.split("/", 1)[0])
    if kind is None:
        return None
    gid = payload.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid.startswith("gid://"):
        return gid[:128]
    resource_id = payload.get("id")
    return f"gid://shopify/{kind}/{resource_id}" if resource_id is not None else None


def _superseded(event: WebhookEvent) -> bool:
    """True when a delivery triggered later for the same resource was already handled."""
    if event.resource_id is None or event.triggered_at is None:
        return False
    newer = select(WebhookEvent.id).where(
        WebhookEvent.platform == PLATFORM,
        WebhookEvent.shop_domain == event.shop_domain,
        WebhookEvent.resource_id == event.resource_id,
        WebhookEvent.status == "processed",
        WebhookEvent.triggered_at > event.triggered_at,
        WebhookEvent.id != event.id,
    )
    return db.session.scalar(newer.limit(1)) is not None
