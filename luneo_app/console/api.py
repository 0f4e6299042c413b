"""``/console/api/...``: the JSON the console's scripts call (cookie session + CSRF header).

The template editor and the settings form are the Shopify admin's scripts; they call the
same paths here as under ``/admin/api``, answered by the same services.
"""

from __future__ import annotations

from flask import Response, g, jsonify, redirect, request, url_for

from ..accounts import service
from ..accounts.throttle import client_address
from ..admin import editor, shop_settings
from ..admin.params import json_body
from ..core.errors import Forbidden, ValidationFailed
from ..orders import reprint
from .blueprints import api_bp as bp
from .session import console_view, current, mark_reauthenticated, safe_next


def _actor() -> str:
    return f"account:{current().id}"


@bp.get("/products/<product_id>/template")
@console_view("products:read")
def get_template(product_id: str):  # type: ignore[no-untyped-def]
    return editor.editor_state(editor.find_product(g.brand.id, product_id), g.brand)


@bp.put("/products/<product_id>/template")
@console_view("products:write")
def put_template(product_id: str):  # type: ignore[no-untyped-def]
    """Save a template; 422 with a message per field, 409 when it changed meanwhile."""
    body = json_body()
    version = body.get("templateVersion")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        raise ValidationFailed("Bad version.", details={"templateVersion": "must be a number"})
    switch = body.get("personalizable")
    if switch is not None and not isinstance(switch, bool):
        raise ValidationFailed("Bad switch.", details={"personalizable": "must be true or false"})
    return editor.save_template(
        g.brand, product_id, body.get("template"), version, switch, _actor()
    )


@bp.post("/products/<product_id>/variants/<variant_id>/photo")
@console_view("products:write")
def variant_photo(product_id: str, variant_id: str):  # type: ignore[no-untyped-def]
    """Upload a variant's own photo (multipart ``file``) for the template editor."""
    return editor.store_variant_photo(g.brand, product_id, variant_id, editor.uploaded_file())


@bp.post("/products/<product_id>/preview")
@console_view("products:read")
def preview(product_id: str) -> Response:
    """The draft template drawn by the render engine (WebP)."""
    return editor.preview_response(g.brand, product_id, json_body())


@bp.post("/orders/<order_id>/reprint")
@console_view("orders:write")
def reprint_order(order_id: str):  # type: ignore[no-untyped-def]
    """Render an order's production files again after retention removed them (202)."""
    order = reprint.reprint(order_id, g.brand.id, _actor())
    return {"orderId": order.id, "productionStatus": order.production_status}, 202


@bp.get("/settings")
@console_view("console:read")
def get_settings():  # type: ignore[no-untyped-def]
    return shop_settings.read_settings(g.brand)


@bp.put("/settings")
@console_view("settings:manage")
def put_settings():  # type: ignore[no-untyped-def]
    """Change settings; every field is checked and nothing is stored unless all pass.

    Refused until the email is verified: the AI budget stays 0 until then."""
    if g.brand.status == "unverified":
        raise Forbidden("Verify your email address first.", code="email_unverified")
    return jsonify(shop_settings.update_settings(g.brand, json_body(), _actor()))


@bp.post("/account/reauth")
@console_view("console:read")
def reauth():  # type: ignore[no-untyped-def]
    """Confirm the password (and code) for the next few minutes' dangerous actions.

    JSON (``{password, code}`` -> ``{reauthenticatedAt}``) or the re-authentication form
    (redirects back to ``next``).
    """
    is_form = request.mimetype != "application/json"
    body = request.form if is_form else json_body()
    auth_time = service.reauthenticate(
        current(), body.get("password"), body.get("code") or None, client_address()
    )
    mark_reauthenticated(auth_time.timestamp())
    if is_form:
        return redirect(safe_next(body.get("next"), url_for("console.settings")))
    return {"reauthenticatedAt": auth_time.isoformat()}
