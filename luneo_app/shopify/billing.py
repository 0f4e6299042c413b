"""Shopify merchants pay through Shopify's Billing API.

Choosing a plan creates an app subscription (a recurring line item for the plan's price and
a usage line item capped at the plan's usage cap) and answers Shopify's confirmation URL,
which the admin opens at the top level. Shopify then sends ``app_subscriptions/update``;
that webhook, not the return from the confirmation page, is what changes the plan.

Usage beyond the plan is charged with ``appUsageRecordCreate`` carrying the billable
event's idempotency key, so a retry is never a second charge at Shopify either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from connectors.shopify import ShopifyRequestError

from ..billing import reporting
from ..billing.accounts import account_of, find_account
from ..billing.plans import STORAGE_KIND, Plan, catalog
from ..core.clock import utcnow
from ..core.errors import LuneoError, ValidationFailed
from ..extensions import db
from ..models import BillableEvent, BillingAccount, Brand, ShopInstall
from .tokens import shop_graphql

log = logging.getLogger("luneo.billing")

SHOP_PLAN_QUERY = """
query BillingShopPlan {
  shop { plan { partnerDevelopment } }
}
"""

SUBSCRIPTION_CREATE = """
mutation LuneoAppSubscriptionCreate(
  $name: String!
  $lineItems: [AppSubscriptionLineItemInput!]!
  $returnUrl: URL!
  $trialDays: Int
  $test: Boolean
) {
  appSubscriptionCreate(
    name: $name
    lineItems: $lineItems
    returnUrl: $returnUrl
    trialDays: $trialDays
    test: $test
  ) {
    appSubscription {
      id
      status
      lineItems {
        id
        plan { pricingDetails { __typename } }
      }
    }
    confirmationUrl
    userErrors { field message }
  }
}
"""

SUBSCRIPTION_CANCEL = """
mutation LuneoAppSubscriptionCancel($id: ID!) {
  appSubscriptionCancel(id: $id) {
    appSubscription { id status }
    userErrors { field message }
  }
}
"""

USAGE_RECORD_CREATE = """
mutation LuneoAppUsageRecordCreate(
  $subscriptionLineItemId: ID!
  $price: MoneyInput!
  $description: String!
  $idempotencyKey: String
) {
  appUsageRecordCreate(
    subscriptionLineItemId: $subscriptionLineItemId
    price: $price
    description: $description
    idempotencyKey: $idempotencyKey
  ) {
    appUsageRecord { id }
    userErrors { field message }
  }
}
"""


CAPPED_AMOUNT_UPDATE = """
mutation LuneoAppSubscriptionLineItemUpdate($id: ID!, $cappedAmount: MoneyInput!) {
  appSubscriptionLineItemUpdate(id: $id, cappedAmount: $cappedAmount) {
    appSubscription { id }
    confirmationUrl
    userErrors { field message }
  }
}
"""

# The highest monthly cap the plan page offers (Shopify's own limit is far above it).
MAX_CAP_CENTS = 1_000_000


class SubscriptionRefused(LuneoError):
    """Shopify refused the subscription (``userErrors``)."""

    status = 422
    code = "subscription_refused"


@dataclass(frozen=True)
class Confirmation:
    """Where to send the merchant to approve the charge."""

    confirmation_url: str
    subscription_id: str


def _money(cents: int) -> dict[str, str]:
    return {"amount": str(Decimal(cents) / 100), "currencyCode": "USD"}


def shop_of(brand: Brand) -> str:
    """The shop domain of a merchant brand."""
    domain = db.session.scalar(
        select(ShopInstall.shop_domain).where(ShopInstall.brand_id == brand.id)
    )
    if not domain:
        raise ValidationFailed("This brand has no Shopify shop.", code="not_a_shopify_brand")
    return domain


def line_items(plan: Plan) -> list[dict[str, Any]]:
    """The plan as Shopify line items: the monthly price and the capped usage charges."""
    terms = ", ".join(
        f"${Decimal(c) / 100} per extra {k}" for k, c in sorted(plan.overage_cents.items())
    )
    return [
        {
            "plan": {
                "appRecurringPricingDetails": {
                    "price": _money(plan.price_cents),
                    "interval": "EVERY_30_DAYS",
                }
            }
        },
        {
            "plan": {
                "appUsagePricingDetails": {
                    "terms": terms or "Usage beyond the plan",
                    "cappedAmount": _money(plan.usage_cap_cents),
                }
            }
        },
    ]


def is_development_store(shop: str) -> bool:
    """Development stores get ``test: true`` charges (Shopify never bills them)."""
    forced = current_app.config.get("SHOPIFY_BILLING_TEST")
    if forced is not None:
        return bool(forced)
    data = shop_graphql(shop, SHOP_PLAN_QUERY)
    return bool(((data.get("shop") or {}).get("plan") or {}).get("partnerDevelopment"))


def subscribe(brand: Brand, plan: Plan, return_url: str) -> Confirmation:
    """Create the app subscription for ``plan``; the caller sends the merchant to the
    returned confirmation URL. The plan changes when Shopify's webhook says it is active.
    Commits the pending choice."""
    shop = shop_of(brand)
    data = shop_graphql(
        shop,
        SUBSCRIPTION_CREATE,
        {
            "name": plan.name,
            "lineItems": line_items(plan),
            "returnUrl": return_url,
            "trialDays": plan.trial_days or None,
            "test": is_development_store(shop),
        },
    )
    result = data.get("appSubscriptionCreate") or {}
    errors = result.get("userErrors") or []
    if errors or not result.get("confirmationUrl"):
        message = "; ".join(str(e.get("message")) for e in errors) or "no confirmation URL"
        raise SubscriptionRefused(f"Shopify refused the subscription: {message}"[:300])
    subscription = result.get("appSubscription") or {}
    account = account_of(brand)
    account.provider = "shopify"
    account.pending_plan = plan.key
    account.pending_since = utcnow()
    details = dict(account.details or {})
    details["pendingSubscriptionId"] = subscription.get("id")
    details["pendingUsageItemId"] = _usage_item(subscription)
    account.details = details
    db.session.commit()
    return Confirmation(result["confirmationUrl"], str(subscription.get("id") or ""))


def raise_cap(brand: Brand, capped_cents: object) -> Confirmation:
    """Ask Shopify to raise the usage line item's capped amount
    (``appSubscriptionLineItemUpdate``); the merchant approves on the returned confirmation
    URL, then ``app_subscriptions/update`` carries the new cap and held charges are re-sent.
    Commits the pending cap."""
    account = account_of(brand)
    if account.provider != "shopify" or account.status != "active" or not account.usage_item_id:
        raise LuneoError(
            "Your plan has no usage charges to cap: choose a paid plan first.",
            code="no_usage_charges",
            status=409,
        )
    current = int(account.capped_amount_cents or 0)
    if (
        isinstance(capped_cents, bool)
        or not isinstance(capped_cents, int)
        or not current < capped_cents <= MAX_CAP_CENTS
    ):
        raise ValidationFailed(
            f"Choose a monthly cap above the current {Decimal(current) / 100:.2f} USD "
            f"and at most {Decimal(MAX_CAP_CENTS) / 100:.2f} USD.",
            details={"cappedAmountCents": f"an amount in cents above {current}"},
        )
    data = shop_graphql(
        shop_of(brand),
        CAPPED_AMOUNT_UPDATE,
        {"id": account.usage_item_id, "cappedAmount": _money(capped_cents)},
    )
    result = data.get("appSubscriptionLineItemUpdate") or {}
    errors = result.get("userErrors") or []
    if errors or not result.get("confirmationUrl"):
        message = "; ".join(str(e.get("message")) for e in errors) or "no confirmation URL"
        raise SubscriptionRefused(f"Shopify refused the new cap: {message}"[:300])
    details = dict(account.details or {})
    details["pendingCapCents"] = capped_cents
    account.details = details
    db.session.commit()
    return Confirmation(result["confirmationUrl"], str(account.subscription_id or ""))


def _usage_item(subscription: dict[str, Any]) -> str | None:
    for item in subscription.get("lineItems") or []:
        kind = ((item.get("plan") or {}).get("pricingDetails") or {}).get("__typename")
        if kind == "AppUsagePricing":
            return item.get("id")
    return None


def cancel(brand: Brand) -> None:
    """Cancel the active subscription (the brand goes back to the free plan once Shopify's
    webhook confirms it)."""
    account = account_of(brand)
    if not account.subscription_id:
        return
    data = shop_graphql(shop_of(brand), SUBSCRIPTION_CANCEL, {"id": account.subscription_id})
    errors = (data.get("appSubscriptionCancel") or {}).get("userErrors") or []
    if errors:
        raise SubscriptionRefused("; ".join(str(e.get("message")) for e in errors)[:300])


def charge_usage(brand: Brand, account: BillingAccount, event: BillableEvent) -> reporting.Charge:
    """``appUsageRecordCreate`` for one event beyond the plan. A charge that would pass
    the capped amount comes back ``held`` (Shopify's userError), never dropped."""
    if not account.usage_item_id:
        return reporting.Charge(None, True, "the subscription has no usage line item")
    try:
        data = shop_graphql(
            shop_of(brand),
            USAGE_RECORD_CREATE,
            {
                "subscriptionLineItemId": account.usage_item_id,
                "price": _money(event.unit_price_cents),
                "description": _description(event)[:255],
                "idempotencyKey": event.id,
            },
        )
    except ShopifyRequestError as exc:
        return reporting.Charge(None, True, str(exc)[:300])
    result = data.get("appUsageRecordCreate") or {}
    errors = result.get("userErrors") or []
    if errors:
        return reporting.Charge(None, True, "; ".join(str(e.get("message")) for e in errors)[:300])
    return reporting.Charge(str((result.get("appUsageRecord") or {}).get("id")), False, None)


def _description(event: BillableEvent) -> str:
    """What the merchant reads on Shopify's invoice for one usage charge."""
    if event.kind == STORAGE_KIND:
        details = event.details or {}
        gb = Decimal(int(details.get("bytes") or 0)) / 1_000_000_000
        return (
            f"Designs kept past retention, {event.period}: {details.get('designs')} designs, "
            f"{gb:.2f} GB"
        )
    return f"{event.kind} beyond the plan ({event.period}): {event.idempotency_key}"


def end_subscription(brand: Brand) -> None:
    """The app was uninstalled: Shopify cancels its charges and sends no more webhooks, so
    the brand returns to the default plan now and a reinstall starts clean. The caller
    commits; the usage already recorded stays."""
    account = find_account(brand.id)
    if account is not None and account.provider == "shopify":
        account.status = "cancelled"
        account.subscription_id = None
        account.usage_item_id = None
        account.pending_plan = None
        account.details = {}
    if brand.plan != "demo":
        brand.plan = catalog()[1]


reporting.register_charger("shopify", charge_usage)
