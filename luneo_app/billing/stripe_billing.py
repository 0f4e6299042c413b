"""API brands pay through Stripe: a customer per brand, a subscription with the plan's
monthly price and metered prices fed by Billing Meter events, cards only on Stripe's own
pages (Checkout, the customer portal), automatic tax on invoices.

The official ``stripe`` library speaks to Stripe (``STRIPE_API_BASE`` points it elsewhere,
as the tests do at a local fake). Prices are found by lookup key
(``luneo_<plan>_monthly``, ``luneo_<plan>_<metric>``, ``luneo_<plan>_keptStorage`` at
1 cent per unit for pay-to-keep storage metered in cents), so plans.json stays the one place
the plan names live and Stripe's dashboard holds the ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from flask import current_app

from ..core.errors import LuneoError
from ..extensions import db
from ..models import BillableEvent, BillingAccount, Brand
from .accounts import account_of
from .plans import METRICS, STORAGE_KIND, Plan, raw_catalog
from .reporting import Charge, register_charger


class StripeNotConfigured(LuneoError):
    """The deployment has no Stripe key."""

    status = 503
    code = "billing_not_configured"


class StripeRefused(LuneoError):
    """Stripe refused a request (a missing price, a bad parameter)."""

    status = 502
    code = "billing_provider_refused"


def meter_names() -> dict[str, str]:
    """Billing Meter event names per metric (the plans file's ``stripeMeters``)."""
    return dict(raw_catalog()["stripeMeters"])


def client() -> stripe.StripeClient:
    """A Stripe client from the settings (one per call: cheap, and no global state)."""
    cfg = current_app.config
    if not cfg.get("STRIPE_API_KEY"):
        raise StripeNotConfigured("Billing is not configured: set STRIPE_API_KEY.")
    base = cfg.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        cfg["STRIPE_API_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=2,
    )


def ensure_customer(brand: Brand, email: str | None) -> BillingAccount:
    """The brand's Stripe customer, created once (Stripe's idempotency key makes a retry the
    same customer). Flushes; the caller commits."""
    account = account_of(brand)
    if account.customer_id:
        return account
    customer = client().v1.customers.create(
        params={"name": brand.name, "email": email or None, "metadata": {"brand_id": brand.id}},
        options={"idempotency_key": f"luneo-customer-{brand.id}"},
    )
    account.provider = "stripe"
    account.customer_id = customer.id
    db.session.flush()
    return account


def prices_for(plan: Plan) -> list[dict[str, Any]]:
    """Checkout line items: the monthly price, and one metered price per charged metric."""
    keys = [f"luneo_{plan.key}_monthly"] + [
        f"luneo_{plan.key}_{m}" for m in METRICS if plan.overage_allowed(m)
    ]
    if plan.pay_to_keep_cents_per_gb_month is not None:
        keys.append(f"luneo_{plan.key}_{STORAGE_KIND}")
    found = client().v1.prices.list(params={"lookup_keys": keys, "active": True})
    by_key = {p.lookup_key: p for p in found.data}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise StripeRefused(f"Stripe has no active price for {', '.join(missing)}.")
    items: list[dict[str, Any]] = [{"price": by_key[keys[0]].id, "quantity": 1}]
    items += [{"price": by_key[k].id} for k in keys[1:]]  # metered: no quantity
    return items


def checkout_url(brand: Brand, plan: Plan, email: str | None, return_url: str) -> str:
    """A Stripe Checkout page (subscription mode) for ``plan``; commits the customer."""
    account = ensure_customer(brand, email)
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": account.customer_id,
        "line_items": prices_for(plan),
        "success_url": f"{return_url}?checkout=done",
        "cancel_url": f"{return_url}?checkout=cancelled",
        "client_reference_id": brand.id,
        "billing_address_collection": "required",
        "customer_update": {"address": "auto", "name": "auto"},
        "automatic_tax": {"enabled": bool(current_app.config["STRIPE_AUTOMATIC_TAX"])},
        "tax_id_collection": {"enabled": True},
        "subscription_data": {"metadata": {"brand_id": brand.id, "plan": plan.key}},
        "metadata": {"brand_id": brand.id, "plan": plan.key},
    }
    if plan.trial_days:
        params["subscription_data"]["trial_period_days"] = plan.trial_days
    session = client().v1.checkout.sessions.create(params=params)
    account.pending_plan = plan.key
    db.session.commit()
    return str(session.url)


def portal_url(brand: Brand, return_url: str) -> str:
    """The customer portal (cards, invoices, cancellation) for a brand with a customer."""
    account = account_of(brand)
    if not account.customer_id:
        raise LuneoError("Choose a plan first.", code="no_billing_account", status=409)
    session = client().v1.billing_portal.sessions.create(
        params={"customer": account.customer_id, "return_url": return_url}
    )
    return str(session.url)


def send_meter_event(_brand: Brand, account: BillingAccount, event: BillableEvent) -> Charge:
    """One Billing Meter event for a billable event beyond the plan; its ``identifier`` is
    the event's id, so Stripe drops a repeat."""
    if not account.customer_id:
        raise StripeRefused("the brand has no Stripe customer")
    occurred = event.occurred_at
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    client().v1.billing.meter_events.create(
        params={
            "event_name": meter_names()[event.kind],
            "identifier": event.id,
            "timestamp": int(occurred.timestamp()),
            "payload": {"stripe_customer_id": account.customer_id, "value": _value(event)},
        }
    )
    return Charge(event.id, False, None)


def _value(event: BillableEvent) -> str:
    """One unit per event; pay-to-keep storage is metered in cents (its price is 1 cent)."""
    return str(event.unit_price_cents) if event.kind == STORAGE_KIND else "1"


register_charger("stripe", send_meter_event)


@dataclass(frozen=True)
class InvoiceLine:
    """An invoice as the console's billing page lists it."""

    number: str | None
    status: str
    total_cents: int
    tax_cents: int
    currency: str
    created: datetime
    hosted_url: str | None


def invoices(brand: Brand, limit: int = 12) -> list[InvoiceLine]:
    """The brand's latest invoices from Stripe (none without a customer)."""
    account = account_of(brand)
    if not account.customer_id:
        return []
    found = client().v1.invoices.list(params={"customer": account.customer_id, "limit": limit})
    lines = []
    for found_invoice in found.data:
        inv = found_invoice.to_dict()
        lines.append(
            InvoiceLine(
                number=inv.get("number"),
                status=str(inv.get("status") or ""),
                total_cents=int(inv.get("total") or 0),
                tax_cents=int(inv.get("tax") or 0),
                currency=str(inv.get("currency") or "usd"),
                created=datetime.fromtimestamp(int(inv.get("created") or 0), UTC),
                hosted_url=inv.get("hosted_invoice_url"),
            )
        )
    return lines
