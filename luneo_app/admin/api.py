"""``/admin/api/...``: the JSON the admin pages call, with the App Bridge session token.

Every route runs behind :func:`~.guard.guard_api` (a bad token is a 401 with the retry
header) and reads or writes only the session's shop (``g.brand``). Errors have the uniform
shape ``{"error": {"code", "message", "details"}}``; ``details`` maps a field to its message.
"""

from __future__ import annotations

import logging

from apiflask import APIBlueprint
from flask import Response, g, jsonify

from connectors.shopify import ShopifyError, ShopifyRequestError

from ..billing.plans import choosable_plan
from ..core.errors import ValidationFailed
from ..designs import proof
from ..designs.service import get_design
from ..orders import reprint
from ..web_errors import error_body
from . import activity, billing, catalog, editor, onboarding, shop_settings
from .guard import actor, guard_api
from .params import json_body, page_arg, status_arg, text_arg

log = logging.getLogger("luneo.admin.api")

bp = APIBlueprint("admin_api", __name__, url_prefix="/admin/api", enable_openapi=False)
bp.before_request(guard_api)


@bp.errorhandler(ShopifyError)
def _shopify_failed(exc: ShopifyError):  # type: ignore[no-untyped-def]
    """Shopify did not answer (or refused): say so, in the uniform shape, and log why."""
    log.warning("Admin API call to Shopify failed: %s (%s)", exc, exc.code)
    status = 502 if isinstance(exc, ShopifyRequestError) else 503
    body = error_body(status, "Shopify did not answer. Try again in a moment.", "shopify_failed")
    return jsonify(body), status


@bp.get("/home")
def home():  # type: ignore[no-untyped-def]
    """The onboarding checklist (with the theme's live state) and this month's usage."""
    return {
        "checklist": onboarding.checklist(g.brand, g.shop_install, with_theme=True),
        "usage": onboarding.usage(g.brand),
    }


@bp.get("/billing")
def billing_state():  # type: ignore[no-untyped-def]
    """The plan, this month's usage against it, and the plans to choose from."""
    return billing.state(g.brand)


@bp.post("/billing/subscribe")
def billing_subscribe():  # type: ignore[no-untyped-def]
    """Choose a plan (``{"plan": "growth", "confirm": false}``): answers Shopify's
    ``confirmationUrl`` to open at the top level (or ``cancelled`` for the free plan)."""
    body = json_body()
    plan = choosable_plan(body.get("plan"))
    return billing.choose(
        g.brand,
        plan,
        confirm=body.get("confirm") is True,
        return_url=billing.shopify_return_url(g.shop_domain),
    )


@bp.post("/billing/cap")
def billing_cap():  # type: ignore[no-untyped-def]
    """Raise the monthly cap on usage charges (``{"cappedAmountCents": 50000}``): answers
    Shopify's ``confirmationUrl`` to open at the top level."""
    body = json_body()
    return {"confirmationUrl": billing.raise_cap(g.brand, body.get("cappedAmountCents"))}


@bp.get("/products")
def products():  # type: ignore[no-untyped-def]
    """A page of the shop's products: ``?query=`` searches titles, ``?after=``/``?before=``."""
    return catalog.list_products(
        g.brand, g.shop_domain, text_arg("query"), text_arg("after"), text_arg("before")
    )


@bp.put("/products/<external_id>/personalizable")
def personalizable(external_id: str):  # type: ignore[no-untyped-def]
    """Switch personalization of a shop product on or off (``{"personalizable": true}``)."""
    body = json_body()
    if not isinstance(body.get("personalizable"), bool):
        raise ValidationFailed(
            "Say whether the product is personalizable.",
            details={"personalizable": "must be true or false"},
        )
    return catalog.set_personalizable(g.brand, external_id[:64], body["personalizable"], actor())


@bp.get("/products/<product_id>/template")
def get_template(product_id: str):  # type: ignore[no-untyped-def]
    """The editor's state for a product: template, photo, fonts, materials, currency."""
    return editor.editor_state(editor.find_product(g.brand.id, product_id), g.brand)


@bp.put("/products/<product_id>/template")
def put_template(product_id: str):  # type: ignore[no-untyped-def]
    """Save a template; 422 with a message per field, 409 when it changed meanwhile."""
    body = json_body()
    version = body.get("templateVersion")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed("Bad version.", details={"templateVersion": "must be a number"})
    switch = body.get("personalizable")
    if switch is not None and not isinstance(switch, bool):
        raise ValidationFailed("Bad switch.", details={"personalizable": "must be true or false"})
    return editor.save_template(g.brand, product_id, body.get("template"), version, switch, actor())


@bp.post("/products/<product_id>/variants/<variant_id>/photo")
def variant_photo(product_id: str, variant_id: str):  # type: ignore[no-untyped-def]
    """Upload a variant's own photo (multipart ``file``); the editor names it in the
    template, which changes when the merchant saves."""
    return editor.store_variant_photo(g.brand, product_id, variant_id, editor.uploaded_file())


@bp.post("/products/<product_id>/preview")
def preview(product_id: str) -> Response:
    """The draft template drawn on the product photo by the render engine (WebP)."""
    return editor.preview_response(g.brand, product_id, json_body())


@bp.get("/designs")
def designs():  # type: ignore[no-untyped-def]
    """A page of the shop's designs (``?status=``, ``?page=``)."""
    return activity.list_designs(g.brand.id, page_arg(), status_arg())


@bp.get("/designs/<design_id>")
def design(design_id: str):  # type: ignore[no-untyped-def]
    """One design: preview, layers, timings, jobs and files."""
    return activity.design_detail(g.brand.id, design_id)


@bp.post("/designs/<design_id>/proof")
def approve_proof(design_id: str):  # type: ignore[no-untyped-def]
    """Approve a design's proof (its preview and preflight report): production starts."""
    design = get_design(g.brand.id, design_id)
    proof.approve(design, actor())
    return activity.design_detail(g.brand.id, design_id)


@bp.get("/orders")
def orders():  # type: ignore[no-untyped-def]
    """A page of orders with Luneo designs, their production state and files."""
    return activity.list_orders(g.brand.id, page_arg())


@bp.post("/orders/<order_id>/reprint")
def reprint_order(order_id: str):  # type: ignore[no-untyped-def]
    """Render an order's production files again after retention removed them (202)."""
    order = reprint.reprint(order_id, g.brand.id, actor())
    return {"orderId": order.id, "productionStatus": order.production_status}, 202


@bp.get("/settings")
def get_settings():  # type: ignore[no-untyped-def]
    """The shop's Luneo settings."""
    return shop_settings.read_settings(g.brand)


@bp.put("/settings")
def put_settings():  # type: ignore[no-untyped-def]
    """Change settings; every field is checked and nothing is stored unless all pass."""
    return jsonify(shop_settings.update_settings(g.brand, json_body(), actor()))
