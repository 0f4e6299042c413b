"""``/console``: the signed-in pages of an API brand's console.

Every view names the permission it needs with :func:`~.session.console_view` (the role
matrix test checks that none is missing). Pages paint server-side; forms post back with the
session's CSRF token and redirect; the template editor and settings reuse the Shopify
admin's templates and scripts against ``/console/api``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for

from ..accounts import erasure, passwords, service
from ..accounts.mail import MailUnavailable, outbox, outbox_enabled
from ..admin import activity, editor, shop_settings
from ..admin.params import page_arg, status_arg
from ..audit import record
from ..auth import apikeys
from ..auth.permissions import ROLE_HELP, ROLE_LABELS, key_scopes_for, scopes_of
from ..billing.seats import seats_of
from ..core import rotation
from ..core.errors import LuneoError, NotFound, PaymentRequired
from ..embed import origins
from ..extensions import db
from ..outbound import endpoints
from ..outbound import service as outbound
from . import overview
from .blueprints import pages_bp as bp
from .session import console_view, current

NAV = (
    ("console.dashboard", "Dashboard", "console:read"),
    ("console.products", "Products", "products:read"),
    ("console.designs", "Designs", "designs:read"),
    ("console.orders", "Orders", "orders:read"),
    ("console.keys", "API keys", "keys:manage"),
    ("console.webhooks", "Webhooks", "webhooks:manage"),
    ("console.connector", "Store", "webhooks:manage"),
    ("console.team", "Team", "console:read"),
    ("console.billing", "Billing", "console:read"),
    ("console.settings", "Settings", "console:read"),
    ("console.embed", "Embed", "console:read"),
    ("console_sso.page", "SSO", "team:manage"),
)
# The Shopify admin's templates link with admin_url(...): the same pages in the console.
ADMIN_TO_CONSOLE = {
    "admin.home": "console.dashboard",
    "admin.products": "console.products",
    "admin.designs": "console.designs",
    "admin.design": "console.design",
    "admin.orders": "console.orders",
    "admin.settings": "console.settings",
}


def _actor() -> str:
    return f"account:{current().id}"


def console_admin_url(endpoint: str, **values: Any) -> str:
    return url_for(ADMIN_TO_CONSOLE.get(endpoint, endpoint), **values)


def _page(template: str, active: str, **context: Any) -> str:
    return render_template(
        template,
        active=active,
        layout="console/base.html",
        admin_url=console_admin_url,
        **context,
    )


def _no_store(body: str) -> Response:
    """A page showing a secret once: never cached."""
    response = Response(body, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_error(exc: LuneoError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    flash(" ".join([exc.message, *(f"{k}: {v}." for k, v in details.items())]), "critical")


# ----------------------------------------------------------------------------- dashboard
@bp.get("")
@console_view("console:read")
def dashboard():  # type: ignore[no-untyped-def]
    """Designs and orders this month, AI spend against the cap, render health."""
    return _page("console/dashboard.html", "console.dashboard", data=overview.dashboard(g.brand))


@bp.post("/verification")
@console_view("console:read")
def resend_verification():  # type: ignore[no-untyped-def]
    account = current()
    if account.verified:
        flash("Your email address is already verified.", "success")
    else:
        try:
            service.send_verification(account)
            flash(f"We sent the link again to {account.email}.", "success")
        except MailUnavailable as exc:
            flash(exc.message, "critical")
    return redirect(request.referrer or url_for("console.dashboard"))


# ----------------------------------------------------------------------------- API keys
@bp.get("/keys")
@console_view("keys:manage")
def keys():  # type: ignore[no-untyped-def]
    """The brand's API keys: scopes, last use; create, rotate, revoke."""
    return _page(
        "console/keys.html",
        "console.keys",
        keys=apikeys.brand_keys(g.brand.id),
        scopes=key_scopes_for(current().role),
        key_active=apikeys.is_active,
        overlap_default=rotation.DEFAULT_OVERLAP_HOURS,
        overlap_max=rotation.MAX_OVERLAP_HOURS,
    )


def _show_key(issued: apikeys.IssuedKey, title: str) -> Response:
    body = _page("console/key_created.html", "console.keys", issued=issued, title=title)
    return _no_store(body)


@bp.post("/keys")
@console_view("keys:manage")
def create_key():  # type: ignore[no-untyped-def]
    """Create a key with the chosen scopes (at most the member's own); shown once."""
    if not current().verified:
        flash("Verify your email address before creating API keys.", "critical")
        return redirect(url_for("console.keys"))
    allowed = key_scopes_for(current().role)
    chosen = [s for s in request.form.getlist("scopes") if s in allowed]
    name = (request.form.get("name") or "").strip()[:255]
    if not chosen or not name:
        flash("Name the key and choose at least one scope.", "critical")
        return redirect(url_for("console.keys"))
    issued = apikeys.create_api_key(g.brand, name, chosen, created_by=current().id)
    record(
        "api_key.created",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="api_key",
        target_id=issued.id,
        details={"scopes": chosen, "name": name},
    )
    db.session.commit()
    return _show_key(issued, "Your new API key")


def _key_or_404(key_id: str) -> apikeys.ApiKey:
    row = apikeys.brand_key(g.brand.id, key_id)
    if row is None:
        raise NotFound("No such API key.")
    return row


@bp.post("/keys/<key_id>/revoke")
@console_view("keys:manage")
def revoke_key(key_id: str):  # type: ignore[no-untyped-def]
    row = _key_or_404(key_id)
    apikeys.revoke(row)
    record(
        "api_key.revoked",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="api_key",
        target_id=row.id,
    )
    db.session.commit()
    flash(f"Key “{row.name}” is revoked: calls with it fail from now on.", "success")
    return redirect(url_for("console.keys"))


@bp.post("/keys/<key_id>/rotate")
@console_view("keys:manage")
def rotate_key(key_id: str):  # type: ignore[no-untyped-def]
    """Issue the key's replacement (same name and scopes); the old key keeps working for
    the overlap window chosen in the form (hours), then is refused."""
    row = _key_or_404(key_id)
    if not apikeys.is_active(row) or row.expires_at is not None:
        flash("This key is revoked or already being replaced; create a new one.", "critical")
        return redirect(url_for("console.keys"))
    try:
        overlap = rotation.overlap_window(request.form.get("overlap_hours"))
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.keys"))
    issued = apikeys.rotate(g.brand, row, overlap, by=current().id)
    record(
        "api_key.rotated",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="api_key",
        target_id=row.id,
        details={"replacement": issued.id, "overlapHours": overlap_hours(overlap)},
    )
    db.session.commit()
    return _show_key(issued, f"Replacement for “{row.name}”")


def overlap_hours(overlap: timedelta) -> int:
    return int(overlap.total_seconds() // 3600)


# ----------------------------------------------------------------------------- webhooks
@bp.get("/webhooks")
@console_view("webhooks:manage")
def webhooks():  # type: ignore[no-untyped-def]
    """The endpoint, its secret, the event types and the delivery log with replay."""
    return _page(
        "console/webhooks.html",
        "console.webhooks",
        url=g.brand.webhook_url,
        events=sorted(outbound.EVENT_TYPES),
        deliveries=outbound.delivery_log(g.brand.id, 100),
        secret=None,
        replay_url=_replay_url,
        previous_until=endpoints.previous_secret_until(g.brand),
        overlap_default=rotation.DEFAULT_OVERLAP_HOURS,
        overlap_max=rotation.MAX_OVERLAP_HOURS,
    )


def _replay_url(delivery_id: str) -> str:
    return url_for("console.replay_delivery", delivery_id=delivery_id)


@bp.post("/webhooks")
@console_view("webhooks:manage")
def save_webhook():  # type: ignore[no-untyped-def]
    """Set or remove the endpoint URL (a new URL gets a new secret, shown once)."""
    url = (request.form.get("url") or "").strip() or None
    try:
        secret = endpoints.configure_endpoint(g.brand, url)
    except LuneoError as exc:
        db.session.rollback()
        _form_error(exc)
        return redirect(url_for("console.webhooks"))
    record(
        "webhook.endpoint_set" if url else "webhook.endpoint_removed",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="brand",
        target_id=g.brand.id,
        details={"url": url},
    )
    db.session.commit()
    return _webhooks_with_secret(secret, "Endpoint saved." if url else "Endpoint removed.")


def _webhooks_with_secret(secret: str | None, message: str) -> Response:
    flash(message, "success")
    if secret is None:
        return redirect(url_for("console.webhooks"))
    body = _page(
        "console/webhooks.html",
        "console.webhooks",
        url=g.brand.webhook_url,
        events=sorted(outbound.EVENT_TYPES),
        deliveries=outbound.delivery_log(g.brand.id, 100),
        secret=secret,
        replay_url=_replay_url,
        previous_until=endpoints.previous_secret_until(g.brand),
        overlap_default=rotation.DEFAULT_OVERLAP_HOURS,
        overlap_max=rotation.MAX_OVERLAP_HOURS,
    )
    return _no_store(body)


@bp.post("/webhooks/secret")
@console_view("webhooks:manage")
def rotate_webhook_secret():  # type: ignore[no-untyped-def]
    """A new signing secret for the same URL (shown once); the old one keeps signing beside
    it for the overlap window chosen in the form (hours)."""
    if not g.brand.webhook_url:
        flash("Set an endpoint URL first.", "critical")
        return redirect(url_for("console.webhooks"))
    try:
        overlap = rotation.overlap_window(request.form.get("overlap_hours"))
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.webhooks"))
    secret = endpoints.rotate_secret(g.brand, overlap)
    record(
        "webhook.secret_rotated",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="brand",
        target_id=g.brand.id,
        details={"overlapHours": overlap_hours(overlap)},
    )
    db.session.commit()
    until = endpoints.previous_secret_until(g.brand)
    if until is None:
        message = "New signing secret made; the old one no longer signs."
    else:
        message = (
            "New signing secret made. Until "
            f"{until.strftime('%Y-%m-%d %H:%M')} UTC each webhook carries two signatures, "
            "one per secret; update your receiver before then."
        )
    return _webhooks_with_secret(secret, message)


@bp.post("/webhooks/test")
@console_view("webhooks:manage")
def test_webhook():  # type: ignore[no-untyped-def]
    try:
        _delivery, result = outbound.verify_endpoint(g.brand)
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.webhooks"))
    if result.ok:
        flash(f"Your endpoint answered {result.status_code} in {result.duration_ms} ms.", "success")
    else:
        flash(f"The test failed: {result.error or result.status_code}.", "critical")
    return redirect(url_for("console.webhooks"))


@bp.post("/webhooks/deliveries/<delivery_id>/replay")
@console_view("webhooks:manage")
def replay_delivery(delivery_id: str):  # type: ignore[no-untyped-def]
    try:
        delivery = outbound.replay(g.brand, delivery_id)
    except LuneoError as exc:
        if exc.status == 404:
            raise
        _form_error(exc)
        return redirect(url_for("console.webhooks"))
    record(
        "webhook.replayed",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="delivery",
        target_id=delivery.id,
    )
    db.session.commit()
    flash(f"Event {delivery.event_id} is being sent again.", "success")
    return redirect(url_for("console.webhooks"))


# ----------------------------------------------------------------------------- products
@bp.get("/products")
@console_view("products:read")
def products():  # type: ignore[no-untyped-def]
    return _page(
        "console/products.html",
        "console.products",
        products=overview.products(g.brand.id),
        form={},
    )


@bp.post("/products")
@console_view("products:write")
def create_product():  # type: ignore[no-untyped-def]
    try:
        product = overview.create_product(
            current(), request.form.get("title", ""), request.form.get("externalId", "")
        )
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.products"))
    return redirect(url_for("console.template_editor", product_id=product.id))


@bp.get("/products/<product_id>/template")
@console_view("products:read")
def template_editor(product_id: str):  # type: ignore[no-untyped-def]
    """The Shopify admin's template editor, on the brand's product."""
    product = editor.find_product(g.brand.id, product_id)
    state = editor.editor_state(product, g.brand)
    return _page("admin/editor.html", "console.products", state=state, product=product)


@bp.post("/products/<product_id>/personalizable")
@console_view("products:write")
def set_personalizable(product_id: str):  # type: ignore[no-untyped-def]
    """Switch the widget on or off for a product (on needs at least one print area)."""
    product = editor.find_product(g.brand.id, product_id)
    on = request.form.get("on") == "1"
    if on and not (product.template or {}).get("printAreas"):
        flash("Draw a print area in the template before shoppers can personalize it.", "critical")
        return redirect(url_for("console.products"))
    product.personalizable = on
    record(
        "product.personalization_on" if on else "product.personalization_off",
        actor=_actor(),
        brand_id=g.brand.id,
        target_type="product",
        target_id=product.id,
        details={"externalId": product.external_id},
    )
    db.session.commit()
    flash(f"{product.title}: personalization {'on' if on else 'off'}.", "success")
    return redirect(url_for("console.products"))


# ----------------------------------------------------------------------------- activity
@bp.get("/designs")
@console_view("designs:read")
def designs():  # type: ignore[no-untyped-def]
    listing = activity.list_designs(g.brand.id, page_arg(), status_arg())
    return _page("admin/designs.html", "console.designs", listing=listing)


@bp.get("/designs/<design_id>")
@console_view("designs:read")
def design(design_id: str):  # type: ignore[no-untyped-def]
    return _page(
        "admin/design.html", "console.designs", d=activity.design_detail(g.brand.id, design_id)
    )


@bp.get("/orders")
@console_view("orders:read")
def orders():  # type: ignore[no-untyped-def]
    return _page(
        "admin/orders.html", "console.orders", listing=activity.list_orders(g.brand.id, page_arg())
    )


# ----------------------------------------------------------------------------- team
@bp.get("/team")
@console_view("console:read")
def team():  # type: ignore[no-untyped-def]
    return _page(
        "console/team.html",
        "console.team",
        members=service.team(g.brand.id),
        seats=seats_of(g.brand),
        roles=[r for r in ROLE_LABELS if r != "owner"],
        role_labels=ROLE_LABELS,
        role_help=ROLE_HELP,
    )


@bp.post("/team")
@console_view("team:manage")
def invite():  # type: ignore[no-untyped-def]
    try:
        invited = service.invite(current(), request.form.get("email"), request.form.get("role"))
        flash(f"Invitation sent to {invited.email}.", "success")
    except MailUnavailable:
        flash("The invitation is saved but the email could not be sent; try again.", "warning")
    except PaymentRequired as exc:  # the plan's seats are taken: the page explains and links
        flash(exc.message, "critical")
    except LuneoError as exc:
        _form_error(exc)
    return redirect(url_for("console.team"))


@bp.post("/team/<account_id>/role")
@console_view("team:manage")
def change_role(account_id: str):  # type: ignore[no-untyped-def]
    member = service.change_role(current(), account_id, request.form.get("role"))
    flash(f"{member.email} is now {ROLE_LABELS[member.role].lower()}.", "success")
    return redirect(url_for("console.team"))


@bp.post("/team/<account_id>/remove")
@console_view("team:manage")
def remove_member(account_id: str):  # type: ignore[no-untyped-def]
    service.remove_member(current(), account_id)
    flash("Removed from the team; their sessions have ended.", "success")
    return redirect(url_for("console.team"))


# ----------------------------------------------------------------------------- settings
@bp.get("/settings")
@console_view("console:read")
def settings():  # type: ignore[no-untyped-def]
    """Retention, AI and budget cap, webhook URL, moderation words; the brand's erasure."""
    return _page(
        "console/settings.html",
        "console.settings",
        settings=shop_settings.read_settings(g.brand),
        default_budget=current_app.config.get("AI_DEFAULT_MONTHLY_BUDGET_CENTS"),
        delay_hours=current_app.config["BRAND_ERASURE_DELAY_HOURS"],
    )


@bp.post("/settings/erase")
@console_view("brand:erase", recent=True)
def erase_brand():  # type: ignore[no-untyped-def]
    due = erasure.schedule(current(), g.brand.id)
    flash(
        f"Erasure scheduled for {due:%Y-%m-%d %H:%M} UTC. You can cancel it until then.", "warning"
    )
    return redirect(url_for("console.settings"))


@bp.post("/settings/erase/cancel")
@console_view("brand:erase", recent=True)
def cancel_erasure():  # type: ignore[no-untyped-def]
    erasure.cancel(current(), g.brand.id)
    flash("Erasure cancelled; nothing will be deleted.", "success")
    return redirect(url_for("console.settings"))


# ----------------------------------------------------------------------------- account
@bp.get("/account")
@console_view("console:read")
def account():  # type: ignore[no-untyped-def]
    """Your password and two-factor sign-in."""
    uri = service.enrolment_uri(current())
    return _page(
        "console/account.html",
        "console.account",
        enrolment=uri
        and {
            "uri": uri,
            "qr": passwords.totp_qr_svg(uri),
            "secret": uri.split("secret=")[1].split("&")[0],
        },
        codes=None,
        scopes=sorted(scopes_of(current().role)),
        role_labels=ROLE_LABELS,
    )


@bp.post("/account/password")
@console_view("console:read")
def change_password():  # type: ignore[no-untyped-def]
    from .session import end

    try:
        service.change_password(
            current(),
            request.form.get("current"),
            request.form.get("new"),
            request.remote_addr or "unknown",
        )
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.account"))
    end()
    flash("Password changed; every session was signed out. Sign in with the new one.", "success")
    return redirect(url_for("console_auth.login"))


@bp.post("/account/2fa")
@console_view("console:read")
def start_two_factor():  # type: ignore[no-untyped-def]
    try:
        service.start_two_factor(current())
    except LuneoError as exc:
        _form_error(exc)
    return redirect(url_for("console.account") + "#two-factor")


@bp.post("/account/2fa/confirm")
@console_view("console:read")
def confirm_two_factor():  # type: ignore[no-untyped-def]
    try:
        codes = service.confirm_two_factor(current(), request.form.get("code"))
    except LuneoError as exc:
        _form_error(exc)
        return redirect(url_for("console.account") + "#two-factor")
    body = _page(
        "console/account.html",
        "console.account",
        enrolment=None,
        codes=codes,
        scopes=sorted(scopes_of(current().role)),
        role_labels=ROLE_LABELS,
    )
    return _no_store(body)


@bp.post("/account/2fa/disable")
@console_view("console:read", recent=True)
def disable_two_factor():  # type: ignore[no-untyped-def]
    service.disable_two_factor(current())
    flash("Two-factor sign-in is off.", "success")
    return redirect(url_for("console.account"))


# ----------------------------------------------------------------------------- embed, outbox
@bp.get("/embed")
@console_view("console:read")
def embed():  # type: ignore[no-untyped-def]
    """The brand's storefront origins and the widget snippet for its own website."""
    products = [p for p in overview.products(g.brand.id) if p.personalizable]
    return _page(
        "console/embed.html",
        "console.embed",
        products=products,
        origins=origins.registered_origins(g.brand),
        max_origins=origins.MAX_ORIGINS,
        host=current_app.config["APP_URL"],
    )


def _save_origins(values: list[str], message: str) -> Response:
    try:
        origins.set_origins(g.brand, values, _actor())
        flash(message, "success")
    except LuneoError as exc:
        db.session.rollback()
        _form_error(exc)
    return redirect(url_for("console.embed"))


@bp.post("/embed/origins")
@console_view("embed:write")
def add_origin():  # type: ignore[no-untyped-def]
    """Register one more storefront origin (https, or http on localhost)."""
    value = (request.form.get("origin") or "").strip()
    if not value:
        flash("Enter the origin of your store, such as https://shop.example.com.", "critical")
        return redirect(url_for("console.embed"))
    added = origins.site_origin(value) or value
    return _save_origins(
        [*origins.registered_origins(g.brand), value], f"{added} can now show the widget."
    )


@bp.post("/embed/origins/remove")
@console_view("embed:write")
def remove_origin():  # type: ignore[no-untyped-def]
    """Stop minting widget tokens for one origin."""
    value = request.form.get("origin") or ""
    current_origins = origins.registered_origins(g.brand)
    if value not in current_origins:
        flash("That origin is not registered.", "critical")
        return redirect(url_for("console.embed"))
    kept = [o for o in current_origins if o != value]
    return _save_origins(kept, f"{value} removed: the widget no longer opens there.")


@bp.get("/outbox", endpoint="outbox")
def outbox_page():  # type: ignore[no-untyped-def]
    """The embedded default's mails (no SMTP relay): 404 anywhere else."""
    if not outbox_enabled():
        raise NotFound("No such page.")
    return _no_store(render_template("console/outbox.html", mails=list(outbox())))
