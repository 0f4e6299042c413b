"""Installing and uninstalling a shop: its brand, its ``shop_installs`` row, its tokens.

Both install paths end here: Shopify-managed install (the first admin request's session
token is exchanged, :func:`install_with_session_token`) and the authorization-code flow
(:func:`install_with_code`). Each runs under the shop's lock and asks Shopify for a new
token; a reinstall never reuses a token stored before the uninstall.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from shopify_app import IdTokenDetails
from sqlalchemy import select, update

from connectors.base import ConnectorError, StoreAccess
from connectors.shopify import ShopifyError, ShopProfile, TokenGrant, shop_handle

from ..audit import record
from ..core.clock import as_utc, utcnow
from ..extensions import db
from ..models import Brand, RenderJob, ShopInstall
from ..observability.metrics import SHOPIFY_INSTALLS
from .billing import end_subscription
from .client import admin_api
from .locks import shop_lock
from .tokens import destroy_tokens, needs_new_token, store_grant

log = logging.getLogger("luneo.shopify.install")

# Jobs still waiting for a worker; an uninstall cancels them.
PENDING_JOB_STATES = ("waiting", "queued", "retrying")


def find_install(shop_domain: str) -> ShopInstall | None:
    """The shop's install row (any state), read fresh from the database."""
    query = select(ShopInstall).where(ShopInstall.shop_domain == shop_domain)
    return db.session.scalar(query.execution_options(populate_existing=True))


def install_with_session_token(shop_domain: str, id_token: IdTokenDetails) -> ShopInstall:
    """Managed install: trade a verified session token for an expiring offline token.

    Does nothing (and calls nobody) when another request installed the shop meanwhile.
    """
    return _install(
        shop_domain,
        lambda: admin_api().exchange_session_token(id_token),
        via="token_exchange",
    )


def install_with_code(shop_domain: str, code: str) -> ShopInstall:
    """Authorization-code install: trade the callback's code for an expiring offline token."""
    return _install(shop_domain, lambda: admin_api().exchange_code(shop_domain, code), via="oauth")


def _install(shop_domain: str, grant_for: Callable[[], TokenGrant], via: str) -> ShopInstall:
    """Install (or renew) under the shop's lock; counts the outcome for the install alert."""
    try:
        install = _install_locked(shop_domain, grant_for, via)
    except Exception:
        SHOPIFY_INSTALLS.labels("failed").inc()
        raise
    SHOPIFY_INSTALLS.labels("succeeded").inc()
    return install


def _install_locked(shop_domain: str, grant_for: Callable[[], TokenGrant], via: str) -> ShopInstall:
    with shop_lock(shop_domain):
        install = find_install(shop_domain)
        if via == "token_exchange" and not needs_new_token(install):
            return install  # type: ignore[return-value]  # installed while we waited
        grant = grant_for()
        profile = _profile(shop_domain, grant)
        now = utcnow()
        if install is None:
            brand = Brand(
                kind="shopify", name=profile.name, currency=profile.currency, status="active"
            )
            db.session.add(brand)
            db.session.flush()
            install = ShopInstall(brand_id=brand.id, shop_domain=shop_domain, installed_at=now)
            db.session.add(install)
            action = "shop.installed"
        else:
            brand = db.session.get(Brand, install.brand_id)
            action = "shop.reinstalled" if install.uninstalled_at else "shop.token_renewed"
            if install.uninstalled_at is not None or install.installed_at is None:
                install.installed_at = now
            install.uninstalled_at = None
            install.webhook_failures = 0
            brand.status = "active"
        store_grant(install, grant)
        install.shop_id = profile.shop_id or install.shop_id
        install.api_version = current_app.config["SHOPIFY_API_VERSION"]
        record(
            action,
            actor=f"shopify:{via}",
            brand_id=brand.id,
            target_type="shop",
            target_id=shop_domain,
            details={"via": via, "scopes": install.scopes, "token_kind": install.token_kind},
        )
        db.session.commit()
        log.info("%s", action, extra={"shop": shop_domain, "via": via})
        if install.cart_transform_id is None:
            _ensure_fee_transform(install, grant)
        return install


def _ensure_fee_transform(install: ShopInstall, grant: TokenGrant) -> None:
    """Create Luneo's Cart Transform (exact personalization fees); commits.

    Best effort: a shop where it cannot be made keeps fee-product units (the storefront says
    so), and the next token renewal tries again.
    """
    try:
        transform_id = admin_api().ensure_cart_transform(
            StoreAccess(install.shop_domain, grant.access_token)
        )
    except ConnectorError as exc:
        log.warning("cart transform not created for %s: %s", install.shop_domain, exc.code)
        return
    install.cart_transform_id = transform_id[:128]
    record(
        "shop.cart_transform_created",
        actor="shopify:install",
        brand_id=install.brand_id,
        target_type="shop",
        target_id=install.shop_domain,
        details={"cartTransformId": transform_id[:128]},
    )
    db.session.commit()


def _profile(shop_domain: str, grant: TokenGrant) -> ShopProfile:
    """The shop's name and currency; a plain fallback when Shopify cannot say right now."""
    try:
        return admin_api().shop_profile(shop_domain, grant.access_token)
    except ShopifyError as exc:
        log.warning("shop profile of %s unavailable: %s", shop_domain, exc.code)
        return ShopProfile(name=shop_handle(shop_domain), currency="USD")


def backfill_shop_ids() -> dict[str, str]:
    """Ask Shopify for the numeric id of every installed shop that has none stored (installs
    made before Luneo kept it). Commits per shop. Returns ``{shop: id or failure reason}``."""
    from .tokens import access_token_for

    found: dict[str, str] = {}
    missing = db.session.scalars(
        select(ShopInstall.shop_domain).where(
            ShopInstall.shop_id.is_(None), ShopInstall.uninstalled_at.is_(None)
        )
    ).all()
    for shop_domain in missing:
        try:
            profile = admin_api().shop_profile(shop_domain, access_token_for(shop_domain))
        except Exception as exc:  # noqa: BLE001 - reported per shop, the others go on
            found[shop_domain] = f"failed: {getattr(exc, 'code', None) or type(exc).__name__}"
            db.session.rollback()
            continue
        if profile.shop_id is None:
            found[shop_domain] = "failed: Shopify did not say the shop's id"
            continue
        db.session.execute(
            update(ShopInstall)
            .where(ShopInstall.shop_domain == shop_domain)
            .values(shop_id=profile.shop_id)
        )
        db.session.commit()
        found[shop_domain] = profile.shop_id
    return found


FEE_TRANSFORM_SCOPE = "write_cart_transforms"


def ensure_fee_transforms() -> dict[str, str]:
    """Luneo's Cart Transform for every installed shop, for shops installed before Luneo made
    it at install; safe to run again. Commits per shop.

    Returns ``{shop: outcome}``: ``created <gid>`` (made now, or found on Shopify and now
    recorded), ``already set up <gid>``, ``skipped: ...`` (the shop has not granted
    ``write_cart_transforms`` yet) or ``failed: <code>`` (the others go on).
    """
    from .tokens import access_token_for

    outcome: dict[str, str] = {}
    installs = db.session.scalars(
        select(ShopInstall)
        .where(ShopInstall.uninstalled_at.is_(None))
        .order_by(ShopInstall.shop_domain)
    ).all()
    for install in installs:
        shop_domain = install.shop_domain
        if install.cart_transform_id:
            outcome[shop_domain] = f"already set up {install.cart_transform_id}"
            continue
        if FEE_TRANSFORM_SCOPE not in (install.scopes or "").split(","):
            outcome[shop_domain] = (
                f"skipped: the shop has not granted {FEE_TRANSFORM_SCOPE} yet (it is asked "
                "when the merchant next opens Luneo); fees stay in fee-product units"
            )
            continue
        try:
            transform_id = admin_api().ensure_cart_transform(
                StoreAccess(shop_domain, access_token_for(shop_domain))
            )
        except Exception as exc:  # noqa: BLE001 - reported per shop, the others go on
            outcome[shop_domain] = f"failed: {getattr(exc, 'code', None) or type(exc).__name__}"
            db.session.rollback()
            continue
        db.session.execute(
            update(ShopInstall)
            .where(ShopInstall.id == install.id)
            .values(cart_transform_id=transform_id[:128])
        )
        record(
            "shop.cart_transform_created",
            actor="cli",
            brand_id=install.brand_id,
            target_type="shop",
            target_id=shop_domain,
            details={"cartTransformId": transform_id[:128]},
        )
        db.session.commit()
        outcome[shop_domain] = f"created {transform_id[:128]}"
    return outcome


def mark_uninstalled(shop_domain: str, occurred_at: datetime | None) -> str:
    """``app/uninstalled``: drop the tokens, stop pending work, keep the data (until
    ``shop/redact``). Commits. Returns a note for the webhook log.

    A delivery triggered before the shop's latest install is stale (the merchant reinstalled
    meanwhile) and changes nothing.
    """
    with shop_lock(shop_domain):
        install = find_install(shop_domain)
        if install is None:
            return "unknown shop"
        if install.uninstalled_at is not None:
            return "already uninstalled"
        installed = as_utc(install.installed_at)
        occurred = as_utc(occurred_at)
        if installed is not None and occurred is not None and occurred < installed:
            return "stale: the shop reinstalled after this uninstall"
        now = utcnow()
        destroy_tokens(install)
        install.cart_transform_id = None  # Shopify removes the app's transforms with it
        install.uninstalled_at = occurred or now
        brand = db.session.get(Brand, install.brand_id)
        brand.status = "uninstalled"
        end_subscription(brand)  # Shopify ends the app's charges: a reinstall starts clean
        cancelled = db.session.execute(
            update(RenderJob)
            .where(RenderJob.brand_id == brand.id, RenderJob.status.in_(PENDING_JOB_STATES))
            .values(status="cancelled", finished_at=now, error="shop uninstalled the app")
        ).rowcount
        record(
            "shop.uninstalled",
            actor="shopify:webhook",
            brand_id=brand.id,
            target_type="shop",
            target_id=shop_domain,
            details={"tokens_destroyed": True, "jobs_cancelled": cancelled},
        )
        db.session.commit()
        return f"uninstalled; {cancelled} pending jobs cancelled"
