"""The plan page, shared by the Shopify admin (``/admin/billing``) and the brand console
(``/console/billing``): the plan and this month's usage, the plans with what a change would
take away, and choosing a plan — Shopify's confirmation page for merchants, Stripe Checkout
for API brands (the caller sends the browser to the returned URL at the top level)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..billing import alerts as plan_alerts
from ..billing import stripe_billing
from ..billing.accounts import find_account
from ..billing.changes import effects_of_change, is_downgrade
from ..billing.enforcement import upgrade_url
from ..billing.plans import METRIC_LABELS, METRIC_UNITS, Plan, catalog, public_plans
from ..billing.usage import alerts_of, usage_for
from ..core.errors import Conflict
from ..extensions import db
from ..models import BillableEvent, Brand
from ..shopify import billing as shopify_billing
from ..shopify.client import admin_api


def held_charges(brand_id: str) -> int:
    """Usage charges Shopify refused past the capped amount, waiting for a higher cap."""
    return int(
        db.session.scalar(
            select(func.count()).where(
                BillableEvent.brand_id == brand_id, BillableEvent.report_status == "held"
            )
        )
        or 0
    )


def state(brand: Brand) -> dict[str, Any]:
    """Everything the plan page shows."""
    usage = usage_for(brand)
    account = find_account(brand.id)
    current = usage.plan
    plans = []
    for plan in public_plans():
        effects = effects_of_change(brand, plan) if is_downgrade(current, plan) else []
        plans.append(
            {
                **plan.as_json(),
                "current": plan.key == current.key,
                "downgrade": is_downgrade(current, plan),
                "effects": [{"what": e.what, "message": e.message} for e in effects],
            }
        )
    details = (account.details if account else None) or {}
    return {
        "provider": "shopify" if brand.kind == "shopify" else "stripe",
        "usage": usage.as_json(),
        "plans": plans,
        "labels": METRIC_LABELS,
        "units": METRIC_UNITS,
        "alerts": [plan_alerts.as_json(a) for a in alerts_of(brand.id)],
        "account": {
            "status": account.status if account else "none",
            "pendingPlan": account.pending_plan if account else None,
            "cappedAmountCents": account.capped_amount_cents if account else None,
            "pendingCapCents": details.get("pendingCapCents"),
            "canRaiseCap": bool(
                account
                and account.provider == "shopify"
                and account.status == "active"
                and account.usage_item_id
            ),
            "graceUntil": account.grace_until.isoformat()
            if account and account.grace_until
            else None,
            "approachingCap": details.get("approachingCap"),
            "lastDeclined": details.get("lastDeclined"),
            "cancelAtPeriodEnd": bool(details.get("cancelAtPeriodEnd")),
            "hasCustomer": bool(account and account.customer_id),
        },
        "heldCharges": held_charges(brand.id),
        "upgradeUrl": upgrade_url(brand),
    }


def choose(
    brand: Brand, plan: Plan, *, confirm: bool, return_url: str, email: str | None = None
) -> dict[str, Any]:
    """Start the move to ``plan``. A downgrade that takes something away answers 409 with
    what it takes until the caller confirms. Answers where to send the browser."""
    current = usage_for(brand).plan
    account = find_account(brand.id)
    if plan.key == current.key and account is not None and account.status in ("active", "trialing"):
        raise Conflict(f"You are already on {plan.name}.", code="already_on_plan")
    if is_downgrade(current, plan) and not confirm:
        effects = effects_of_change(brand, plan)
        if effects:
            raise Conflict(
                f"Moving to {plan.name} changes what you have now. Confirm to go ahead.",
                code="downgrade_needs_confirmation",
                details={"effects": [{"what": e.what, "message": e.message} for e in effects]},
            )
    free = plan.key == catalog()[1] or plan.price_cents == 0
    if brand.kind == "shopify":
        if free:
            shopify_billing.cancel(brand)
            return {"cancelled": True, "plan": plan.key}
        confirmation = shopify_billing.subscribe(brand, plan, return_url)
        return {"confirmationUrl": confirmation.confirmation_url}
    if free:
        # Cancelling happens in Stripe's portal (at the end of the paid period).
        return {"url": stripe_billing.portal_url(brand, return_url)}
    return {"url": stripe_billing.checkout_url(brand, plan, email, return_url)}


def raise_cap(brand: Brand, capped_cents: object) -> str:
    """Ask Shopify for a higher cap on usage charges; where to send the browser."""
    return shopify_billing.raise_cap(brand, capped_cents).confirmation_url


def shopify_return_url(shop_domain: str) -> str:
    """Where Shopify sends the merchant after the confirmation page: the plan page of the
    app in the shop's admin (Shopify appends the path to the app's URL)."""
    return f"{admin_api().app_url(shop_domain)}/billing"


def plan_notice(brand: Brand | None) -> dict[str, str] | None:
    """The banner every admin and console page shows when the plan needs attention."""
    if brand is None:
        return None
    usage = usage_for(brand)
    if usage.payment_overdue:
        return {
            "tone": "critical",
            "text": "Your last invoice is unpaid: new designs are paused. Orders already "
            "placed are still produced.",
        }
    if usage.over_plan:
        return {
            "tone": "critical",
            "text": f"The {usage.plan.name} plan's allowance for this month is used up: "
            "shoppers see personalization as unavailable. Orders already placed are produced.",
        }
    return None
