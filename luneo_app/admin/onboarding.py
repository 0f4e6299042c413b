"""Home: the onboarding checklist with live state, and the plan and this month's usage.

The theme steps are read from the shop's main theme (``read_themes``): the app embed switched
on in ``config/settings_data.json`` and the app block on ``templates/product.json``. When
Luneo may not read the theme, or Shopify does not answer, the state is ``unknown`` and the
merchant gets the deep link to check: Luneo never claims a state it did not see.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import current_app, url_for
from sqlalchemy import func, select

from connectors.shopify import ShopifyError
from connectors.shopify_catalog import THEME_FILES_QUERY, parse_theme_state

from ..ai.budget import budget_cents, month_of, spent_cents
from ..billing import usage_for
from ..core.clock import utcnow
from ..extensions import db
from ..models import Brand, BudgetAlert, Order, Product, ShopInstall
from ..shopify.tokens import TokenUnavailable, shop_graphql
from .guard import demo_active

log = logging.getLogger("luneo.admin.onboarding")

BLOCK_HANDLE = "personalize"
EMBED_HANDLE = "luneo-embed"
THEME_SCOPE = "read_themes"


def api_key() -> str:
    """The app's client id (the theme editor links name the app by it)."""
    configured = current_app.config.get("SHOPIFY_API_KEY")
    app_config = current_app.extensions.get("luneo.shopify.app_config")
    return configured or getattr(app_config, "client_id", None) or "luneo"


def theme_links(shop_domain: str) -> dict[str, str]:
    """Deep links into the theme editor: add the app block, switch the app embed on."""
    editor = f"https://{shop_domain}/admin/themes/current/editor"
    key = api_key()
    block = urlencode(
        {"template": "product", "addAppBlockId": f"{key}/{BLOCK_HANDLE}", "target": "mainSection"}
    )
    embed = urlencode({"context": "apps", "activateAppId": f"{key}/{EMBED_HANDLE}"})
    return {"block": f"{editor}?{block}", "embed": f"{editor}?{embed}"}


def theme_state(install: ShopInstall, ask_shopify: bool = True) -> dict[str, Any]:
    """``{"embed": bool|None, "block": bool|None, "reason": str|None, "theme": str|None}``.

    Without ``ask_shopify`` a state that needs the Admin API is ``checking`` (the page asks
    for it afterwards, so the page itself never waits on Shopify).
    """
    if demo_active():
        return {"embed": None, "block": None, "theme": None, "reason": "demo"}
    if THEME_SCOPE not in (install.scopes or "").split(","):
        return {"embed": None, "block": None, "theme": None, "reason": "no_theme_access"}
    if not ask_shopify:
        return {"embed": None, "block": None, "theme": None, "reason": "checking"}
    try:
        data = shop_graphql(install.shop_domain, THEME_FILES_QUERY)
    except (ShopifyError, TokenUnavailable) as exc:
        log.info("theme state of %s unknown: %s", install.shop_domain, exc)
        return {"embed": None, "block": None, "theme": None, "reason": "shopify_unavailable"}
    state = parse_theme_state(data, BLOCK_HANDLE, EMBED_HANDLE)
    return {
        "embed": state.embed_enabled,
        "block": state.block_added,
        "theme": state.theme_name,
        "reason": None if state.theme_name else "no_main_theme",
    }


def _month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def usage(brand: Brand) -> dict[str, Any]:
    """The plan and this month's use of it (from :func:`billing.usage_for`, the figures the
    plan page, the API and enforcement read), the month's orders, the AI spend against the
    budget and the month's budget alerts (75 % / 100 %) raised by the AI feature."""
    now = utcnow()
    plan_usage = usage_for(brand)
    orders = db.session.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.brand_id == brand.id, Order.created_at >= _month_start(now))
    )
    alerts = db.session.scalars(
        select(BudgetAlert)
        .where(BudgetAlert.brand_id == brand.id, BudgetAlert.month == month_of(now))
        .order_by(BudgetAlert.threshold_percent.desc())
    ).all()
    spent = spent_cents(brand.id, month_of(now))
    budget = budget_cents(brand)
    return {
        "plan": plan_usage.plan.name,
        "planKey": plan_usage.plan.key,
        "badge": plan_usage.badge,
        "period": plan_usage.period,
        "metrics": [m.as_json() for m in plan_usage.metrics],
        "month": now.strftime("%B %Y"),
        "orders": orders or 0,
        "aiSpentCents": spent,
        "aiBudgetCents": budget,
        "aiBudgetUsed": round(min(1.0, spent / budget), 3) if budget else None,
        "aiEnabled": bool((brand.settings or {}).get("aiEnabled", True)),
        "currency": brand.currency or "USD",
        "alerts": [
            {
                "thresholdPercent": a.threshold_percent,
                "spentCents": a.spent_cents,
                "budgetCents": a.budget_cents,
            }
            for a in alerts
        ],
    }


def checklist(brand: Brand, install: ShopInstall, with_theme: bool) -> dict[str, Any]:
    """The onboarding steps, each with its live state and where to act."""
    product_ready = any(
        (template or {}).get("printAreas")
        for template in db.session.scalars(
            select(Product.template).where(
                Product.brand_id == brand.id,
                Product.personalizable.is_(True),
                Product.deleted_at.is_(None),
            )
        )
    )
    order_seen = (
        db.session.scalar(select(func.count()).select_from(Order).where(Order.brand_id == brand.id))
        or 0
    ) > 0
    theme = theme_state(install, ask_shopify=with_theme)
    links = theme_links(install.shop_domain)
    demo_page = (
        url_for("storefront.demo_product")
        if demo_active() and "storefront.demo_product" in current_app.view_functions
        else None
    )
    steps = [
        {"id": "embed", "done": theme["embed"], "link": links["embed"], "demoPage": demo_page},
        {"id": "block", "done": theme["block"], "link": links["block"], "demoPage": demo_page},
        {"id": "product", "done": product_ready, "link": None},
        {"id": "order", "done": order_seen, "link": None},
    ]
    return {
        "steps": steps,
        "done": sum(1 for s in steps if s["done"] is True),
        "total": len(steps),
        "themeReason": theme.get("reason"),
        "themeName": theme.get("theme"),
    }
