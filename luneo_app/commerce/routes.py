"""WooCommerce's calls to Luneo: the key-authorisation callback and the webhooks."""

from __future__ import annotations

from urllib.parse import urlencode

from apiflask import APIBlueprint
from flask import jsonify, request

from . import woo_auth, woo_webhooks

bp = APIBlueprint("commerce", __name__, enable_openapi=False)


@bp.post("/woocommerce/auth/callback")
def woo_auth_callback():  # type: ignore[no-untyped-def]
    """WooCommerce posts the key the merchant approved (JSON); the state names the brand."""
    woo_auth.complete(request.get_json(silent=True))
    return jsonify({"connected": True}), 200


@bp.post("/woocommerce/webhooks/<token>/<slug>")
def woo_webhook(token: str, slug: str):  # type: ignore[no-untyped-def]
    """One WooCommerce webhook delivery: store from the URL, topic from the route."""
    body = request.get_data(cache=True)
    if not body and request.mimetype == "application/x-www-form-urlencoded":
        # The input checks read the form first; WooCommerce's ping is only ``webhook_id``.
        body = urlencode(list(request.form.items(multi=True))).encode()
    receipt = woo_webhooks.receive(token, slug, request.headers, body)
    return jsonify({"duplicate": receipt.duplicate, "ping": receipt.ping}), 200
