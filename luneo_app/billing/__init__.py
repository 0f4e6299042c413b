"""Billing: plans and limits (``plans.json``), one metering path, enforcement, retention,
Shopify Billing for merchants and Stripe metered billing for API brands.

Other features ask this package; it imports none of them: Shopify's billing lives in
``shopify/billing.py`` and registers its charger with :mod:`.reporting`.
:func:`usage_for` answers "usage against the plan" for any brand (the support console's
plan and over-budget badges read it).
"""

from __future__ import annotations

from flask import Flask

from .usage import PlanUsage, usage_for

__all__ = ["PlanUsage", "init_billing", "usage_for"]


def init_billing(app: Flask) -> None:
    """Register the billing routes, the Stripe handlers and the seat check on new members."""
    from ..accounts.service import member_adding
    from . import stripe_billing, stripe_webhooks, tasks  # noqa: F401 - register on import
    from .routes import bp
    from .seats import on_member_adding

    app.register_blueprint(bp)
    member_adding.connect(on_member_adding)
