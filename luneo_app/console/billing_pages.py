"""``/console/billing``: an API brand's plan, usage, invoices; Stripe Checkout and the
customer portal (cards never reach Luneo). The page is the Shopify admin's plan page."""

from __future__ import annotations

import logging

from flask import g, url_for

from ..admin import billing as plan_page
from ..admin.params import json_body
from ..billing import stripe_billing
from ..billing.plans import choosable_plan
from ..core.errors import LuneoError
from .blueprints import api_bp, pages_bp
from .pages import _page
from .session import console_view, current

log = logging.getLogger("luneo.console")


def _return_url() -> str:
    return url_for("console.billing", _external=True)


@pages_bp.get("/billing")
@console_view("console:read")
def billing():  # type: ignore[no-untyped-def]
    """Plan, this month's usage against it, plans, invoices."""
    invoices, error = [], None
    try:
        invoices = stripe_billing.invoices(g.brand)
    except (LuneoError, stripe_billing.stripe.StripeError) as exc:
        log.warning("invoices of %s not listed: %s", g.brand.id, exc)
        error = "Invoices could not be loaded from Stripe just now."
    return _page(
        "admin/billing.html",
        "console.billing",
        data=plan_page.state(g.brand),
        invoices=invoices,
        invoices_error=error,
    )


@api_bp.post("/billing/subscribe")
@console_view("settings:manage")
def billing_subscribe():  # type: ignore[no-untyped-def]
    """Choose a plan: answers the Stripe Checkout page to open (``url``)."""
    body = json_body()
    plan = choosable_plan(body.get("plan"))
    return plan_page.choose(
        g.brand,
        plan,
        confirm=body.get("confirm") is True,
        return_url=_return_url(),
        email=current().email,
    )


@api_bp.post("/billing/portal")
@console_view("settings:manage")
def billing_portal():  # type: ignore[no-untyped-def]
    """Stripe's customer portal: cards, invoices, cancellation."""
    return {"url": stripe_billing.portal_url(g.brand, _return_url())}
