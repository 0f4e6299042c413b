"""Enforcement: what a brand over its plan may still do.

New work of a kind whose allowance is used up, on a plan without overage, gets 402 with an
upgrade link; so does all new work once an unpaid invoice's grace period is over. Orders
are never held: intake, production and packaging never ask this module.
"""

from __future__ import annotations

from flask import current_app

from ..core.errors import PaymentRequired
from ..models import Brand
from .plans import METRIC_UNITS
from .usage import PlanUsage, usage_for


def upgrade_url(brand: Brand) -> str:
    """Where the brand's people choose a plan: the embedded admin's plan page for Shopify
    merchants, the console's billing page for API brands."""
    base = current_app.config["APP_URL"]
    return f"{base}/admin/billing" if brand.kind == "shopify" else f"{base}/console/billing"


def blocked_reason(usage: PlanUsage, metric: str) -> str | None:
    """Why new work of ``metric`` is refused (a machine code), or None when it may go on."""
    if usage.payment_overdue:
        return "payment_overdue"
    m = usage.metric(metric)
    if m.exhausted and not m.overage_allowed:
        return "plan_limit_reached"
    return None


def require_capacity(brand: Brand, metric: str = "designs") -> None:
    """Raise 402 when the brand may not start new work of ``metric``."""
    usage = usage_for(brand)
    reason = blocked_reason(usage, metric)
    if reason is None:
        return
    m = usage.metric(metric)
    url = upgrade_url(brand)
    if reason == "payment_overdue":
        message = (
            "The last invoice is unpaid and its grace period is over: new work is paused "
            f"until it is paid. Existing orders are still produced. Update payment at {url}."
        )
    else:
        message = (
            f"The {usage.plan.name} plan's {m.included} {METRIC_UNITS[metric]} for {usage.period} "
            f"are used up. Existing orders are still produced. Upgrade at {url}."
        )
    raise PaymentRequired(
        message,
        code=reason,
        details={
            "plan": usage.plan.key,
            "metric": metric,
            "used": m.used,
            "included": m.included,
            "period": usage.period,
            "upgradeUrl": url,
        },
    )


def personalization_available(brand: Brand) -> bool:
    """Whether the storefront widget may offer personalization (else it says it is
    unavailable and the product stays buyable as it is)."""
    return blocked_reason(usage_for(brand), "designs") is None
