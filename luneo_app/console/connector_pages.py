"""``/console/connector``: where the brand's orders come from and where write-backs go.

Generic REST (the brand's own shop system: API base URL and key, order endpoint, inbound and
outbound secrets shown once, a "send test" button) or WooCommerce (connect with
WooCommerce's key authorisation, webhook health and re-enabling, product import).
"""

from __future__ import annotations

import re

from flask import flash, g, redirect, request, url_for

from connectors.base import ConnectorAuthError, ConnectorError

from ..audit import record
from ..commerce import alerts, catalog, connections, woo_auth
from ..commerce.platforms import TEST_EVENT, sample_write_back
from ..core.errors import LuneoError
from ..extensions import db
from ..outbound import service as outbound
from .blueprints import pages_bp as bp
from .pages import _actor, _form_error, _no_store, _page
from .session import console_view

SCOPE = "webhooks:manage"
# A store's product id: WooCommerce and Shopify ids are digits, a REST brand's may be a SKU.
PRODUCT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _render(secrets: dict[str, str] | None = None) -> str:
    row = connections.connection_of(g.brand.id)
    platform = connections.platform_of(g.brand)
    deliveries = [
        d
        for d in outbound.delivery_log(g.brand.id, 100)
        if d["type"] in ("order.write_back", TEST_EVENT)
    ][:20]
    return _page(
        "console/connector.html",
        "console.connector",
        platform=platform,
        connection=connections.describe(row),
        woo_key=woo_auth.describe_keys(row)
        if row is not None and row.platform == "woocommerce"
        else "",
        event_url=url_for("connectors.rest_order_event", _external=True),
        secrets=secrets or {},
        deliveries=deliveries,
        replay_url=None,
    )


def _audit(action: str, **details: object) -> None:
    record(
        action,
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="brand",
        target_id=g.brand.id,
        details=details or None,
    )


@bp.get("/connector")
@console_view(SCOPE)
def connector():  # type: ignore[no-untyped-def]
    """The connection's settings, health, secrets and the latest write-backs."""
    if request.args.get("success") == "0":
        flash("The store did not approve the connection.", "critical")
    return _render()


@bp.post("/connector/rest")
@console_view(SCOPE)
def save_rest():  # type: ignore[no-untyped-def]
    """Set the REST connector; the first save also makes both secrets (shown once)."""
    form = request.form
    try:
        row = connections.configure_rest(
            g.brand,
            base_url=form.get("base_url"),
            api_key=form.get("api_key"),
            order_endpoint=form.get("order_endpoint"),
        )
    except LuneoError as exc:
        db.session.rollback()
        _form_error(exc)
        return redirect(url_for("console.connector"))
    secrets: dict[str, str] = {}
    if not row.inbound_secret_enc:
        secrets["inbound"] = connections.new_inbound_secret(row)
    if not row.outbound_secret_enc:
        secrets["outbound"] = connections.new_outbound_secret(row)
    _audit("connector.rest_saved", baseUrl=row.store_url, orderEndpoint=row.outbound_url)
    db.session.commit()
    flash("REST connector saved.", "success")
    return _no_store(_render(secrets)) if secrets else redirect(url_for("console.connector"))


def _rotate(which: str) -> object:
    """A new inbound or outbound secret, shown once; the old one stops at once."""
    row = connections.connection_of(g.brand.id)
    if row is None or row.platform != "rest":
        flash("Set up the REST connector first.", "critical")
        return redirect(url_for("console.connector"))
    make = connections.new_inbound_secret if which == "inbound" else connections.new_outbound_secret
    secret = make(row)
    _audit(f"connector.{which}_secret_rotated")
    db.session.commit()
    flash("New secret made; the old one no longer works.", "success")
    return _no_store(_render({which: secret}))


@bp.post("/connector/rest/inbound-secret")
@console_view(SCOPE)
def rotate_inbound_secret():  # type: ignore[no-untyped-def]
    """A new secret for the brand's order events (shown once)."""
    return _rotate("inbound")


@bp.post("/connector/rest/outbound-secret")
@console_view(SCOPE)
def rotate_outbound_secret():  # type: ignore[no-untyped-def]
    """A new secret for Luneo's write-backs (shown once)."""
    return _rotate("outbound")


@bp.post("/connector/rest/test")
@console_view(SCOPE)
def test_rest():  # type: ignore[no-untyped-def]
    """Send a signed ``connector.test`` event to the order endpoint now."""
    try:
        _delivery, result = outbound.verify_endpoint(
            g.brand, TEST_EVENT, sample_write_back(g.brand)
        )
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.connector"))
    if result.ok:
        flash(
            f"Your order endpoint answered {result.status_code} in {result.duration_ms} ms.",
            "success",
        )
    else:
        flash(f"The test failed: {result.error or result.status_code}.", "critical")
    return redirect(url_for("console.connector"))


@bp.post("/connector/woocommerce")
@console_view(SCOPE)
def connect_woo():  # type: ignore[no-untyped-def]
    """Send the merchant to WooCommerce to approve Luneo's key."""
    try:
        target = woo_auth.start(g.brand, request.form.get("store_url") or "")
    except LuneoError as exc:
        db.session.rollback()
        _form_error(exc)
        return redirect(url_for("console.connector"))
    _audit("connector.woocommerce_started")
    db.session.commit()
    return redirect(target, code=303)


def _woo_row():  # type: ignore[no-untyped-def]
    row = connections.connection_of(g.brand.id)
    if row is None or row.platform != "woocommerce" or not row.credential_enc:
        flash("Connect a WooCommerce store first.", "critical")
        return None
    return row


@bp.post("/connector/woocommerce/check")
@console_view(SCOPE)
def check_woo():  # type: ignore[no-untyped-def]
    row = _woo_row()
    if row is not None:
        try:
            woo_auth.check_webhooks(row)
            flash("Webhooks checked.", "success")
        except ConnectorError as exc:
            flash(f"The store could not be reached: {exc}", "critical")
    return redirect(url_for("console.connector"))


@bp.post("/connector/woocommerce/reenable")
@console_view(SCOPE)
def reenable_woo():  # type: ignore[no-untyped-def]
    row = _woo_row()
    if row is not None:
        try:
            woo_auth.reenable(row)
            _audit("connector.woocommerce_webhooks_enabled")
            db.session.commit()
            flash("Webhooks turned on again.", "success")
        except ConnectorAuthError:
            flash("WooCommerce refused Luneo's key: connect the store again.", "critical")
        except ConnectorError as exc:
            flash(f"The store could not be reached: {exc}", "critical")
    return redirect(url_for("console.connector"))


@bp.post("/connector/woocommerce/import")
@console_view("products:write")
def import_woo_products():  # type: ignore[no-untyped-def]
    """Import the store's published products (with their first image) for templates."""
    row = _woo_row()
    if row is not None:
        try:
            result = catalog.import_products(g.brand)
            flash(
                f"{result.created} product(s) imported, {result.updated} refreshed, "
                f"{result.photos} photo(s) fetched.",
                "success",
            )
        except ConnectorAuthError:
            alerts.key_refused(row.id, "WooCommerce refused Luneo's key: reconnect the store")
            flash("WooCommerce refused Luneo's key: connect the store again.", "critical")
        except ConnectorError as exc:
            flash(f"The store could not be reached: {exc}", "critical")
    return redirect(url_for("console.connector"))


@bp.post("/connector/import-product")
@console_view("products:write")
def import_store_product():  # type: ignore[no-untyped-def]
    """Import one product of the brand's store by its id (title, handle, first photo), through
    the store's connector, for the brand to draw a template on."""
    external_id = (request.form.get("product_id") or "").strip()
    if not PRODUCT_ID.match(external_id):
        flash("Enter the product's id as your store shows it (letters, digits, - _ .).", "critical")
        return redirect(url_for("console.connector"))
    try:
        product, created = catalog.import_product(g.brand, external_id)
        _audit("product.imported", externalId=external_id, productId=product.id)
        db.session.commit()
    except ConnectorAuthError:
        db.session.rollback()
        row = connections.connection_of(g.brand.id)
        if row is not None:
            alerts.key_refused(row.id, "the store refused Luneo's key while importing")
        flash(
            "Your store refused Luneo's key: update the key or connect the store again.", "critical"
        )
        return redirect(url_for("console.connector"))
    except ConnectorError as exc:
        db.session.rollback()
        messages = {
            "not_found": f"Your store has no product {external_id}.",
            "not_connected": "Connect your store (base URL and API key) first.",
        }
        flash(messages.get(exc.code, f"The store could not be reached: {exc}"), "critical")
        return redirect(url_for("console.connector"))
    verb = "imported" if created else "refreshed"
    flash(f"“{product.title}” {verb}: open Products to draw its template.", "success")
    return redirect(url_for("console.connector"))


@bp.post("/connector/disconnect")
@console_view(SCOPE)
def disconnect():  # type: ignore[no-untyped-def]
    """Stop taking orders from the store and forget its keys and secrets."""
    woo_auth.disconnect(g.brand)
    _audit("connector.disconnected")
    db.session.commit()
    flash("Disconnected: orders now come through POST /v1/orders only.", "success")
    return redirect(url_for("console.connector"))
