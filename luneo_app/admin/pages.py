"""The embedded admin's pages (documents loaded with ``?id_token=``), rendered with Jinja.

Each page gets its data from the same services as the JSON API, so it paints at once; the
page's script then calls ``/admin/api/...`` for what the merchant does.
"""

from __future__ import annotations

import logging
from typing import Any

from apiflask import APIBlueprint
from flask import current_app, g, render_template, request, url_for

from connectors.shopify import ShopifyError
from render import fonts as font_catalog

from ..shopify.tokens import TokenUnavailable
from . import activity, billing, catalog, editor, onboarding, shop_settings
from .assets import asset_url, send_asset
from .guard import carried_args, demo_active, guard_page
from .params import page_arg, status_arg

log = logging.getLogger("luneo.admin")

bp = APIBlueprint(
    "admin", __name__, url_prefix="/admin", template_folder="templates", enable_openapi=False
)

NAV = (
    ("admin.home", "Home"),
    ("admin.products", "Products"),
    ("admin.designs", "Designs"),
    ("admin.orders", "Orders"),
    ("admin.webhooks", "Webhooks"),
    ("admin.billing_page", "Plan"),
    ("admin.settings", "Settings"),
)
STATUS_LABELS = {
    "queued": ("Queued", "info"),
    "rendering": ("Rendering", "info"),
    "preview_ready": ("Preview ready", "success"),
    "finalized": ("Ordered", "attention"),
    "awaiting_proof": ("Proof to approve", "attention"),
    "production_rendering": ("Making files", "info"),
    "production_ready": ("Ready to produce", "success"),
    "failed": ("Failed", "critical"),
    "pending": ("Waiting for files", "attention"),
    "packaging": ("Preparing files", "info"),
    "in_production": ("In production", "info"),
    "ready": ("Files ready", "success"),
    "produced": ("Produced", "success"),
    "shipped": ("Shipped", "success"),
    "problem": ("Needs attention", "critical"),
    "open": ("Open", "info"),
    "cancelled": ("Cancelled", "critical"),
    "closed": ("Closed", "neutral"),
}


@bp.before_request
def _guard():  # type: ignore[no-untyped-def]
    if request.endpoint == "admin.asset":
        return None
    return guard_page()


def admin_url(endpoint: str, **values: Any) -> str:
    """A link to another admin page that keeps Shopify's ``shop``/``host`` parameters."""
    return url_for(endpoint, **{**carried_args(), **values})


@bp.app_template_global("status_badge")
def status_badge(status: str | None) -> tuple[str, str]:
    """``(label, tone)`` of a design, order or production status."""
    if not status:
        return ("Unknown", "neutral")
    return STATUS_LABELS.get(status, (status.replace("_", " ").capitalize(), "neutral"))


@bp.app_template_global("plan_notice")
def plan_notice_of(brand: Any) -> dict[str, str] | None:
    """The plan banner for a page of ``brand`` (admin and console)."""
    return billing.plan_notice(brand)


@bp.app_template_filter("font_name")
def font_name(font_id: str | None) -> str:
    """A catalog font's display name (the id itself when unknown)."""
    names = {f.id: f.name for f in font_catalog.catalog()}
    return names.get(font_id or "", font_id or "—")


@bp.app_template_filter("money")
def money(cents: int | None, currency: str = "USD") -> str:
    """``12.50 EUR`` style amounts (the page script formats them in the shop's locale)."""
    if cents is None:
        return "—"
    return f"{cents / 100:,.2f} {currency}"


@bp.context_processor
def _page_context() -> dict[str, Any]:
    return {
        "asset_url": asset_url,
        "admin_url": admin_url,
        "nav": NAV,
        "demo": demo_active(),
        "api_key": onboarding.api_key(),
        "shop": getattr(g, "shop_domain", None),
        "brand": getattr(g, "brand", None),
    }


def _page(template: str, active: str, **context: Any) -> str:
    return render_template(f"admin/{template}", active=active, **context)


@bp.get("/static/<name>")
def asset(name: str):  # type: ignore[no-untyped-def]
    """The admin's scripts and styles (public, versioned, no session needed)."""
    return send_asset(name)


@bp.get("")
def home():  # type: ignore[no-untyped-def]
    """Onboarding checklist, plan and usage."""
    return _page(
        "home.html",
        "admin.home",
        checklist=onboarding.checklist(g.brand, g.shop_install, with_theme=False),
        usage=onboarding.usage(g.brand),
    )


@bp.get("/products")
def products():  # type: ignore[no-untyped-def]
    """The shop's products with a personalization switch each."""
    initial, error = None, None
    try:
        initial = catalog.list_products(
            g.brand,
            g.shop_domain,
            (request.args.get("query") or "")[:200] or None,
            None,
            None,
        )
    except (ShopifyError, TokenUnavailable) as exc:
        log.warning("products of %s not listed: %s", g.shop_domain, exc)
        error = "Shopify did not answer. Try again in a moment."
    return _page("products.html", "admin.products", initial=initial, load_error=error)


@bp.get("/products/<product_id>/template")
def template_editor(product_id: str):  # type: ignore[no-untyped-def]
    """Print areas, options and live preview of one product."""
    product = editor.find_product(g.brand.id, product_id)
    state = editor.editor_state(product, g.brand)
    return _page("editor.html", "admin.products", state=state, product=product)


@bp.get("/designs")
def designs():  # type: ignore[no-untyped-def]
    """What shoppers made, newest first."""
    listing = activity.list_designs(g.brand.id, page_arg(), status_arg())
    return _page("designs.html", "admin.designs", listing=listing)


@bp.get("/designs/<design_id>")
def design(design_id: str):  # type: ignore[no-untyped-def]
    """One design: preview, layers, timings, files."""
    return _page("design.html", "admin.designs", d=activity.design_detail(g.brand.id, design_id))


@bp.get("/orders")
def orders():  # type: ignore[no-untyped-def]
    """Orders carrying designs, their production status and files."""
    return _page(
        "orders.html", "admin.orders", listing=activity.list_orders(g.brand.id, page_arg())
    )


@bp.get("/webhooks")
def webhooks():  # type: ignore[no-untyped-def]
    """The shop's webhook endpoint and its delivery log, with replay."""
    from ..outbound.service import delivery_log

    return _page(
        "webhooks.html",
        "admin.webhooks",
        url=g.brand.webhook_url,
        deliveries=delivery_log(g.brand.id, 100),
        replay_url=lambda delivery_id: f"/webhooks/deliveries/{delivery_id}/replay",
    )


@bp.get("/billing")
def billing_page():  # type: ignore[no-untyped-def]
    """The plan, this month's usage against it, and the plans to choose from."""
    return _page(
        "billing.html",
        "admin.billing_page",
        data=billing.state(g.brand),
        # Back from Shopify's confirmation page (``charge_id``): say what became of it.
        returned=bool(request.args.get("charge_id")),
    )


@bp.get("/settings")
def settings():  # type: ignore[no-untyped-def]
    """Retention, AI, budget, webhook URL, denylist."""
    return _page(
        "settings.html",
        "admin.settings",
        settings=shop_settings.read_settings(g.brand),
        default_budget=current_app.config.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS"),
    )
