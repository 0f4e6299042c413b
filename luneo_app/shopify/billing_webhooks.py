"""Shopify billing webhooks: the subscription's state decides the plan, and Shopify's
warning near the capped amount reaches the merchant."""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import update

from ..billing import metering
from ..billing.accounts import account_of
from ..billing.plans import catalog, find_plan
from ..core import uow
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import BillableEvent
from .webhooks import WebhookDelivery, on_topic

ACTIVE = "ACTIVE"
ENDED = {"CANCELLED", "DECLINED", "EXPIRED", "FROZEN"}


def _cents(value: Any) -> int | None:
    try:
        return int(Decimal(str(value)) * 100) if value not in (None, "") else None
    except InvalidOperation:
        return None


@on_topic("app_subscriptions/update")
def subscription_updated(delivery: WebhookDelivery) -> str | None:
    """Keep the brand's plan in step with its Shopify app subscription (newest change wins).

    ACTIVE sets the plan the subscription is named after; the end of the subscription in
    force (cancelled, expired, frozen) returns the brand to the default plan; a declined or
    expired *pending* choice only clears that choice. A cancelled old subscription (Shopify
    cancels it when the merchant approves a new one) changes nothing.
    """
    if delivery.brand is None:
        return "unknown shop"
    subscription = delivery.payload.get("app_subscription") or {}
    status = str(subscription.get("status") or "").upper()
    if not status:
        return "no subscription in payload"
    gid = subscription.get("admin_graphql_api_id")
    brand = delivery.brand
    account = account_of(brand)
    occurred = delivery.occurred_at or utcnow()
    seen = as_utc(account.source_updated_at)
    if seen is not None and occurred < seen:
        return "stale: a newer subscription change was applied"
    account.source_updated_at = occurred
    details = dict(account.details or {})
    plan = find_plan(str(subscription.get("name") or ""))
    if status == ACTIVE:
        if plan is None:
            return f"unknown plan {str(subscription.get('name'))[:40]!r}: plan unchanged"
        if gid and gid == details.get("pendingSubscriptionId"):
            account.usage_item_id = details.get("pendingUsageItemId")
        elif gid != account.subscription_id:
            details.pop("pendingUsageItemId", None)
        account.subscription_id = gid
        account.status = "active"
        account.pending_plan = None
        account.capped_amount_cents = _cents(subscription.get("capped_amount"))
        if (account.capped_amount_cents or 0) >= int(details.get("pendingCapCents") or 0):
            details.pop("pendingCapCents", None)  # the raised cap was approved
        details.pop("pendingSubscriptionId", None)
        details.pop("approachingCap", None)
        details.pop("lastDeclined", None)  # an approved plan makes an older refusal moot
        account.details = details
        brand.plan = plan.key
        # A raised cap lets held charges through: they go back to the reporter.
        held = db.session.scalars(
            update(BillableEvent)
            .where(BillableEvent.brand_id == brand.id, BillableEvent.report_status == "held")
            .values(report_status="pending")
            .returning(BillableEvent.id)
        ).all()
        for event_id in held:
            uow.on_commit(functools.partial(metering.publish, event_id))
        return f"plan {plan.key} (active)"
    if status in ENDED:
        if gid and gid == details.get("pendingSubscriptionId"):
            details.pop("pendingSubscriptionId", None)
            details["lastDeclined"] = {"plan": account.pending_plan, "status": status.lower()}
            account.pending_plan = None
            account.details = details
            return f"pending choice {status.lower()}"
        if account.subscription_id and gid != account.subscription_id:
            return "an older subscription ended: plan unchanged"
        account.status = status.lower()
        account.subscription_id = None
        account.usage_item_id = None
        brand.plan = catalog()[1]
        return f"plan {brand.plan} ({status.lower()})"
    return f"subscription {status.lower()}: plan unchanged"


@on_topic("app_subscriptions/approaching_capped_amount")
def approaching_cap(delivery: WebhookDelivery) -> str | None:
    """Shopify warns at 90 % of the capped amount: the admin shows a banner asking the
    merchant to raise the cap (charges past it are held, not dropped)."""
    if delivery.brand is None:
        return "unknown shop"
    subscription = delivery.payload.get("app_subscription") or {}
    account = account_of(delivery.brand)
    details = dict(account.details or {})
    details["approachingCap"] = {
        "balanceUsedCents": _cents(subscription.get("balance_used")),
        "cappedAmountCents": _cents(subscription.get("capped_amount")),
        "at": utcnow().isoformat(),
    }
    account.details = details
    return "approaching the capped amount"
