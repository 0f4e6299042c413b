"""``/support/brands/<id>/as-merchant``: the merchant's admin pages, read-only, for a staff
member who opened a view with a reason (:mod:`.view_as`).

The pages are the Shopify admin's own templates and scripts, painted from the same services
as ``/admin``; their scripts call ``.../as-merchant/api`` (the console's session cookie and
CSRF header, as the brand console does). Reads answer as ``/admin/api`` does; every other
request is refused with 403 ``read_only_view`` and a message the page shows. The merchant's
session and access tokens are never handed out: Shopify is read server-side, as for the
merchant.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from connectors.shopify import ShopifyError

from ..admin import activity, billing, catalog, editor, onboarding, shop_settings
from ..admin.pages import NAV
from ..admin.params import json_body, page_arg, status_arg, text_arg
from ..core.errors import LuneoError
from ..extensions import db
from ..shopify.tokens import TokenUnavailable
from ..web_errors import error_body
from . import view_as
from .blueprints import pages_bp as bp
from .routes import _act, _brand, me, refused, staff_view

PREFIX = "/brands/<brand_id>/as-merchant"
# The admin templates link with admin_url(endpoint): the same pages in the view.
ADMIN_TO_VIEW = {
    "admin.home": "support.merchant_home",
    "admin.products": "support.merchant_products",
    "admin.template_editor": "support.merchant_template_editor",
    "admin.designs": "support.merchant_designs",
    "admin.design": "support.merchant_design",
    "admin.orders": "support.merchant_orders",
    "admin.webhooks": "support.merchant_webhooks",
    "admin.billing_page": "support.merchant_billing",
    "admin.settings": "support.merchant_settings",
}


def _enter(brand_id: str) -> view_as.MerchantView:
    """Check the open view and set what the admin's services read from ``g``."""
    view = view_as.require(brand_id)
    brand = _brand(brand_id)
    install = view_as.live_install(brand)
    g.brand, g.shop_install, g.shop_domain = brand, install, install.shop_domain
    return view


def merchant_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page of the view: the open view is required (else the install page says why)."""

    @wraps(view)
    def wrapper(brand_id: str, **kwargs: Any) -> Any:
        try:
            opened = _enter(brand_id)
        except view_as.ViewClosed:
            return redirect(url_for("support.brand", brand_id=brand_id, done="view_closed"))
        g.merchant_view = opened
        return view(brand_id, **kwargs)

    return staff_view()(wrapper)


def merchant_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """A call of the view's scripts: JSON in the uniform error shape, whatever fails."""

    @wraps(view)
    def wrapper(brand_id: str, **kwargs: Any) -> Any:
        try:
            _enter(brand_id)
            return view(brand_id, **kwargs)
        except LuneoError as exc:
            db.session.rollback()
            return jsonify(error_body(exc.status, exc.message, exc.code, exc.details)), exc.status
        except ShopifyError:
            body = error_body(
                502, "Shopify did not answer. Try again in a moment.", "shopify_failed"
            )
            return jsonify(body), 502

    return staff_view()(wrapper)


def _page(brand_id: str, template: str, active: str, **context: Any) -> str:
    def view_url(endpoint: str, **values: Any) -> str:
        return url_for(ADMIN_TO_VIEW.get(endpoint, endpoint), brand_id=brand_id, **values)

    return render_template(
        f"admin/{template}",
        layout="support/merchant_base.html",
        active=ADMIN_TO_VIEW.get(active, active),
        admin_url=view_url,
        nav=[(ADMIN_TO_VIEW[endpoint], label) for endpoint, label in NAV],
        demo=False,
        shop=g.shop_domain,
        brand=g.brand,
        view=g.merchant_view,
        api_base=url_for("support.merchant_home", brand_id=brand_id) + "/api",
        **context,
    )


# ----------------------------------------------------------------------------- open / end
@bp.post("/brands/<brand_id>/view-as")
@staff_view()
def view_as_start(brand_id: str):  # type: ignore[no-untyped-def]
    """Open the read-only view as the merchant (reason required, audited)."""
    found = _brand(brand_id)
    try:
        view_as.start(me(), found, request.form.get("reason"))
    except LuneoError as exc:
        return refused(found, exc)
    return redirect(url_for("support.merchant_home", brand_id=brand_id))


@bp.post("/brands/<brand_id>/view-as/end")
@staff_view()
def view_as_end(brand_id: str):  # type: ignore[no-untyped-def]
    """Close the view (audited)."""
    return _act(brand_id, lambda b: view_as.end(me(), b), "view_ended")


# ----------------------------------------------------------------------------- pages
@bp.get(PREFIX)
@merchant_page
def merchant_home(brand_id: str):  # type: ignore[no-untyped-def]
    return _page(
        brand_id,
        "home.html",
        "admin.home",
        checklist=onboarding.checklist(g.brand, g.shop_install, with_theme=False),
        usage=onboarding.usage(g.brand),
    )


@bp.get(PREFIX + "/products")
@merchant_page
def merchant_products(brand_id: str):  # type: ignore[no-untyped-def]
    initial, error = None, None
    try:
        initial = catalog.list_products(
            g.brand, g.shop_domain, (request.args.get("query") or "")[:200] or None, None, None
        )
    except (ShopifyError, TokenUnavailable):
        error = "Shopify did not answer. Try again in a moment."
    return _page(brand_id, "products.html", "admin.products", initial=initial, load_error=error)


@bp.get(PREFIX + "/products/<product_id>/template")
@merchant_page
def merchant_template_editor(brand_id: str, product_id: str):  # type: ignore[no-untyped-def]
    product = editor.find_product(g.brand.id, product_id)
    state = editor.editor_state(product, g.brand)
    return _page(brand_id, "editor.html", "admin.products", state=state, product=product)


@bp.get(PREFIX + "/designs")
@merchant_page
def merchant_designs(brand_id: str):  # type: ignore[no-untyped-def]
    listing = activity.list_designs(g.brand.id, page_arg(), status_arg())
    return _page(brand_id, "designs.html", "admin.designs", listing=listing)


@bp.get(PREFIX + "/designs/<design_id>")
@merchant_page
def merchant_design(brand_id: str, design_id: str):  # type: ignore[no-untyped-def]
    detail = activity.design_detail(g.brand.id, design_id)
    return _page(brand_id, "design.html", "admin.designs", d=detail)


@bp.get(PREFIX + "/orders")
@merchant_page
def merchant_orders(brand_id: str):  # type: ignore[no-untyped-def]
    listing = activity.list_orders(g.brand.id, page_arg())
    return _page(brand_id, "orders.html", "admin.orders", listing=listing)


@bp.get(PREFIX + "/webhooks")
@merchant_page
def merchant_webhooks(brand_id: str):  # type: ignore[no-untyped-def]
    from ..outbound.service import delivery_log

    return _page(
        brand_id,
        "webhooks.html",
        "admin.webhooks",
        url=g.brand.webhook_url,
        deliveries=delivery_log(g.brand.id, 100),
        replay_url=lambda delivery_id: f"/webhooks/deliveries/{delivery_id}/replay",
    )


@bp.get(PREFIX + "/billing")
@merchant_page
def merchant_billing(brand_id: str):  # type: ignore[no-untyped-def]
    return _page(brand_id, "billing.html", "admin.billing_page", data=billing.state(g.brand))


@bp.get(PREFIX + "/settings")
@merchant_page
def merchant_settings(brand_id: str):  # type: ignore[no-untyped-def]
    from flask import current_app

    return _page(
        brand_id,
        "settings.html",
        "admin.settings",
        settings=shop_settings.read_settings(g.brand),
        default_budget=current_app.config.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS"),
    )


# ----------------------------------------------------------------------------- the API
@bp.get(PREFIX + "/api/home")
@merchant_api
def merchant_api_home(brand_id: str):  # type: ignore[no-untyped-def]
    return {
        "checklist": onboarding.checklist(g.brand, g.shop_install, with_theme=True),
        "usage": onboarding.usage(g.brand),
    }


@bp.get(PREFIX + "/api/billing")
@merchant_api
def merchant_api_billing(brand_id: str):  # type: ignore[no-untyped-def]
    return billing.state(g.brand)


@bp.get(PREFIX + "/api/products")
@merchant_api
def merchant_api_products(brand_id: str):  # type: ignore[no-untyped-def]
    return catalog.list_products(
        g.brand, g.shop_domain, text_arg("query"), text_arg("after"), text_arg("before")
    )


@bp.get(PREFIX + "/api/products/<product_id>/template")
@merchant_api
def merchant_api_template(brand_id: str, product_id: str):  # type: ignore[no-untyped-def]
    return editor.editor_state(editor.find_product(g.brand.id, product_id), g.brand)


@bp.post(PREFIX + "/api/products/<product_id>/preview")
@merchant_api
def merchant_api_preview(brand_id: str, product_id: str) -> Response:
    """The editor's draft preview: a drawing, nothing is stored (a read)."""
    return editor.preview_response(g.brand, product_id, json_body())


@bp.get(PREFIX + "/api/designs")
@merchant_api
def merchant_api_designs(brand_id: str):  # type: ignore[no-untyped-def]
    return activity.list_designs(g.brand.id, page_arg(), status_arg())


@bp.get(PREFIX + "/api/designs/<design_id>")
@merchant_api
def merchant_api_design(brand_id: str, design_id: str):  # type: ignore[no-untyped-def]
    return activity.design_detail(g.brand.id, design_id)


@bp.get(PREFIX + "/api/orders")
@merchant_api
def merchant_api_orders(brand_id: str):  # type: ignore[no-untyped-def]
    return activity.list_orders(g.brand.id, page_arg())


@bp.get(PREFIX + "/api/settings")
@merchant_api
def merchant_api_settings(brand_id: str):  # type: ignore[no-untyped-def]
    return shop_settings.read_settings(g.brand)


@bp.route(PREFIX + "/api/<path:rest>", methods=["POST", "PUT", "PATCH", "DELETE"])
@merchant_api
def merchant_api_write(brand_id: str, rest: str):  # type: ignore[no-untyped-def]
    """Every change the merchant's pages would make: refused, the view is read-only."""
    raise view_as.ReadOnlyView(view_as.READ_ONLY_MESSAGE)
