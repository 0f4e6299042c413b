"""Stripe webhooks at ``/webhooks/stripe``: verified with the official library before
anything else, recorded once per event id (``webhook_events``, platform ``stripe``),
answered at once and handled in a job.

Handled: ``checkout.session.completed`` (the subscription exists), ``invoice.paid``
(payment state clears), ``invoice.payment_failed`` (a grace period starts; once it is over
new work gets 402, orders keep producing), ``customer.subscription.updated`` and
``customer.subscription.deleted`` (the plan follows the subscription).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from celery import shared_task
from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..core.clock import utcnow
from ..core.errors import Unauthorized
from ..core.ids import new_id
from ..extensions import db
from ..models import BillingAccount, Brand, WebhookEvent
from .plans import catalog, find_plan
from .stripe_billing import StripeNotConfigured

log = logging.getLogger("luneo.billing")

STATUS = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "cancelled",
    "incomplete": "pending",
    "incomplete_expired": "expired",
    "paused": "cancelled",
}


def receive(body: bytes, signature: str | None) -> bool:
    """Verify and record a delivery; True when it is new (and queued). Raises 401 for a
    bad signature, before anything is read or written."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise StripeNotConfigured("Stripe webhooks are not configured.")
    try:
        event = stripe.Webhook.construct_event(body, signature or "", secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise Unauthorized(
            "The Stripe-Signature header does not match this body.", code="invalid_signature"
        ) from exc
    row_id = new_id("whe")
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(WebhookEvent)
        .values(
            id=row_id,
            platform="stripe",
            event_id=str(event.id)[:128],
            topic=str(event.type)[:64],
            received_at=utcnow(),
            status="received",
            attempts=0,
            payload=body.decode("utf-8"),
        )
        .on_conflict_do_nothing()
        .returning(WebhookEvent.id)
    )
    inserted = db.session.execute(statement).scalar() is not None
    db.session.commit()
    if inserted:
        handle_stripe_event.apply_async(args=(row_id,), queue="webhooks")
    return inserted


@shared_task(name="luneo.billing.stripe_event", ignore_result=True)
def handle_stripe_event(row_id: str) -> str | None:
    """Apply one recorded Stripe event (idempotent: a processed row is left alone)."""
    row = db.session.scalar(select(WebhookEvent).where(WebhookEvent.id == row_id).with_for_update())
    if row is None or row.status == "processed":
        db.session.rollback()
        return None
    event = json.loads(row.payload or "{}")
    obj = (event.get("data") or {}).get("object") or {}
    handler = HANDLERS.get(row.topic)
    note = handler(obj, _when(event)) if handler else "no handler"
    row.status, row.processed_at, row.note = "processed", utcnow(), (note or "")[:255]
    row.attempts += 1
    row.payload = None  # may carry names and addresses
    db.session.commit()
    return note


def _when(event: dict[str, Any]) -> datetime:
    created = event.get("created")
    return datetime.fromtimestamp(int(created), UTC) if created else utcnow()


def _account(customer_id: Any) -> BillingAccount | None:
    if not isinstance(customer_id, str):
        return None
    return db.session.scalar(
        select(BillingAccount).where(
            BillingAccount.provider == "stripe", BillingAccount.customer_id == customer_id
        )
    )


def checkout_completed(obj: dict[str, Any], _when: datetime) -> str:
    account = _account(obj.get("customer"))
    if account is None:
        return "unknown customer"
    if obj.get("subscription"):
        account.subscription_id = str(obj["subscription"])
    return "checkout completed"


def invoice_paid(obj: dict[str, Any], _when: datetime) -> str:
    account = _account(obj.get("customer"))
    if account is None:
        return "unknown customer"
    account.payment_failed_at = None
    account.grace_until = None
    if account.status == "past_due":
        account.status = "active"
    return "invoice paid"


def invoice_payment_failed(obj: dict[str, Any], when: datetime) -> str:
    account = _account(obj.get("customer"))
    if account is None:
        return "unknown customer"
    if account.payment_failed_at is None:  # the grace period runs from the first failure
        account.payment_failed_at = when
        account.grace_until = when + timedelta(days=current_app.config["BILLING_GRACE_DAYS"])
    account.status = "past_due"
    log.warning("invoice payment failed", extra={"brand_id": account.brand_id})
    return "payment failed: grace period running"


def subscription_updated(obj: dict[str, Any], when: datetime) -> str:
    account = _account(obj.get("customer"))
    if account is None:
        return "unknown customer"
    if account.source_updated_at is not None and when < _aware(account.source_updated_at):
        return "stale: a newer subscription change was applied"
    account.source_updated_at = when
    brand = db.session.get(Brand, account.brand_id)
    status = STATUS.get(str(obj.get("status")), "pending")
    plan = find_plan(str((obj.get("metadata") or {}).get("plan") or ""))
    account.subscription_id = str(obj.get("id") or account.subscription_id or "")
    account.status = status
    end = obj.get("current_period_end") or _item_period_end(obj)
    account.current_period_end = datetime.fromtimestamp(int(end), UTC) if end else None
    if status in ("active", "trialing", "past_due") and plan is not None:
        brand.plan = plan.key
        account.pending_plan = None
        # A cancellation at the period's end is a downgrade that applies then (the
        # ``deleted`` event does it); until then the plan paid for stays.
        account.details = {
            **(account.details or {}),
            "cancelAtPeriodEnd": bool(obj.get("cancel_at_period_end")),
        }
        return f"plan {plan.key} ({status})"
    if status in ("cancelled", "expired"):
        brand.plan = catalog()[1]
        return f"plan {brand.plan} ({status})"
    return f"subscription {status}"


def subscription_deleted(obj: dict[str, Any], _when: datetime) -> str:
    account = _account(obj.get("customer"))
    if account is None:
        return "unknown customer"
    brand = db.session.get(Brand, account.brand_id)
    if account.subscription_id and obj.get("id") and obj["id"] != account.subscription_id:
        return "an older subscription ended: plan unchanged"
    account.status = "cancelled"
    account.subscription_id = None
    brand.plan = catalog()[1]
    return f"plan {brand.plan} (cancelled)"


def _item_period_end(obj: dict[str, Any]) -> int | None:
    items = ((obj.get("items") or {}).get("data")) or []
    ends = [i.get("current_period_end") for i in items if i.get("current_period_end")]
    return max(ends) if ends else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.created": subscription_updated,
    "customer.subscription.updated": subscription_updated,
    "customer.subscription.deleted": subscription_deleted,
}
