"""One binding per commerce platform, chosen by the brand's platform setting.

Feature code asks :func:`for_brand` and calls the binding; it never tests the platform
itself. A binding knows its :class:`~connectors.base.CommerceConnector`, how to reach the
brand's store with it (:meth:`Platform.store`) and how Luneo's designs are written back:

==============  ==========================================================================
``shopify``     the Admin GraphQL connector, the shop's (refreshed) token, written at once
``rest``        a signed ``order.write_back`` event to the brand's order endpoint, through
                the outbound webhooks (timeout, retries with backoff for 24 h, delivery log)
``woocommerce`` order meta and a note through the REST API v3 with the store's keys
``api``         nothing to write: the brand hears ``order.production_ready``
==============  ==========================================================================
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from connectors.base import (
    CommerceConnector,
    ConnectorAuthError,
    ConnectorError,
    DesignAttachment,
    ProductInfo,
    StoreAccess,
)
from connectors.rest import RestConnector
from connectors.woocommerce import WooCommerceConnector

from ..core import uow
from ..extensions import db
from ..models import Brand, ShopInstall
from ..outbound.endpoints import EndpointRefused, check_url
from ..outbound.service import send_event
from ..shopify.client import EXTENSION as SHOPIFY_ADMIN
from ..shopify.tokens import access_token_for, refresh_after_rejection
from .alerts import key_refused
from .connections import connection_of, mark_working, platform_of, unseal

log = logging.getLogger("luneo.commerce")

WRITE_BACK_EVENT = "order.write_back"
TEST_EVENT = "connector.test"

# ``claim()`` takes the order's write-back (a conditional UPDATE left uncommitted): True when
# this caller is the one to write, False when another already did.
Claim = Callable[[], bool]


class Platform:
    """What Luneo does with one platform; subclasses override what differs."""

    name = "api"
    # The ``orders.platform`` of the orders this platform's intake makes.
    order_platform = "api"

    def connector(self, brand: Brand) -> CommerceConnector | None:
        """The platform's adapter for this brand (None: nothing to call)."""
        return None

    def store(self, brand: Brand) -> StoreAccess | None:
        """Where and as whom to call the brand's store (None: not connected)."""
        return None

    def fetch_product(self, brand: Brand, product_id: str) -> ProductInfo:
        """The store's product through the connector; ``ConnectorError`` (``not_connected``)
        when the brand has no store to read, ``not_found`` when the store has no such one."""
        store = self.store(brand)
        client = self.connector(brand)
        if store is None or client is None:
            raise ConnectorError("the store is not connected", code="not_connected")
        return client.fetch_product(store, product_id)

    def photo_allowed(self, url: str) -> bool:
        """Whether Luneo may download a product photo from ``url`` (the webhook SSRF guard:
        https, public addresses only)."""
        try:
            check_url(url)
        except EndpointRefused:
            return False
        return True

    def write_back(
        self,
        brand: Brand,
        order_id: str,
        external_id: str,
        attachment: DesignAttachment,
        claim: Claim,
    ) -> str:
        """Write the designs onto the store's order once; returns what happened."""
        return "no store to write back to"


def _timeout() -> float:
    return float(current_app.config["OUTBOUND_WEBHOOK_TIMEOUT"])


class ShopifyPlatform(Platform):
    name = order_platform = "shopify"

    def connector(self, brand: Brand) -> CommerceConnector | None:
        return current_app.extensions.get(SHOPIFY_ADMIN)

    def _install(self, brand: Brand) -> ShopInstall | None:
        install = db.session.scalar(select(ShopInstall).where(ShopInstall.brand_id == brand.id))
        if install is None or install.uninstalled_at is not None or install.token_kind == "demo":
            return None
        return install

    def store(self, brand: Brand) -> StoreAccess | None:
        install = self._install(brand)
        if install is None:
            return None
        return StoreAccess(install.shop_domain, access_token_for(install.shop_domain))

    def fetch_product(self, brand: Brand, product_id: str) -> ProductInfo:
        """The product by Admin GraphQL (which also proves it is this shop's); a refused
        token is refreshed once."""
        store = self.store(brand)
        admin = self.connector(brand)
        if store is None or admin is None:
            raise ConnectorError("the shop is not installed", code="not_connected")
        try:
            return admin.fetch_product(store, product_id)
        except ConnectorAuthError:
            token = refresh_after_rejection(store.address, store.credential)
            return admin.fetch_product(StoreAccess(store.address, token), product_id)

    def photo_allowed(self, url: str) -> bool:
        """Only Shopify's CDN (``SHOPIFY_CDN_ORIGIN``) serves a shop's product photos."""
        origin = (current_app.config.get("SHOPIFY_CDN_ORIGIN") or "https://cdn.shopify.com").rstrip(
            "/"
        )
        parts = urlsplit(url)
        return url.startswith(origin + "/") and not parts.username and ".." not in parts.path

    def write_back(
        self,
        brand: Brand,
        order_id: str,
        external_id: str,
        attachment: DesignAttachment,
        claim: Claim,
    ) -> str:
        """Written at once with the shop's token; a refused token is refreshed once."""
        install = self._install(brand)
        admin = self.connector(brand)
        if install is None:
            return "write-back skipped: the shop is not installed"
        if admin is None:
            return "write-back skipped: Shopify is not configured"
        shop = install.shop_domain
        db.session.commit()  # end the read; tokens use their own session
        token = access_token_for(shop)
        for _ in range(2):
            if not claim():
                db.session.rollback()
                return "already written back"
            try:
                admin.attach_designs(StoreAccess(shop, token), external_id, attachment)
            except ConnectorAuthError:
                db.session.rollback()
                token = refresh_after_rejection(shop, token)
                continue
            except Exception:
                db.session.rollback()
                raise
            db.session.commit()
            log.info(
                "order %s written back to %s",
                order_id,
                shop,
                extra={"lines": len(attachment.lines)},
            )
            return "written back"
        raise ConnectorAuthError("Shopify refused the shop's fresh token", code="unauthorized")


class RestPlatform(Platform):
    """A brand's own shop system; orders share ``POST /v1/orders``' platform (``api``)."""

    name = "rest"
    order_platform = "api"

    def connector(self, brand: Brand) -> CommerceConnector | None:
        row = connection_of(brand.id)
        secret = unseal(row.inbound_secret_enc) if row is not None else None
        return RestConnector(secret, timeout=_timeout())

    def store(self, brand: Brand) -> StoreAccess | None:
        row = connection_of(brand.id)
        if row is None or not row.store_url or not row.credential_enc:
            return None
        return StoreAccess(row.store_url, unseal(row.credential_enc) or "")

    def write_back(
        self,
        brand: Brand,
        order_id: str,
        external_id: str,
        attachment: DesignAttachment,
        claim: Claim,
    ) -> str:
        """An ``order.write_back`` event, recorded with the claim in one commit; the
        outbound webhooks deliver it (and retry) to the order endpoint."""
        if write_back_target(brand) is None:
            return "write-back skipped: no order endpoint"
        if not claim():
            db.session.rollback()
            return "already written back"
        data = {
            **attachment.as_json(),
            "externalOrderId": external_id,
            "status": "production_ready",
            "note": attachment.note,
        }
        key = f"{WRITE_BACK_EVENT}:{order_id}:{len(attachment.lines)}"
        send_event(brand, WRITE_BACK_EVENT, data, dedup_key=key)
        uow.commit()
        return "write-back queued to the order endpoint"


class WooCommercePlatform(Platform):
    name = order_platform = "woocommerce"

    def connector(self, brand: Brand) -> WooCommerceConnector:
        row = connection_of(brand.id)
        secret = unseal(row.inbound_secret_enc) if row is not None else None
        return WooCommerceConnector(secret, timeout=_timeout())

    def store(self, brand: Brand) -> StoreAccess | None:
        row = connection_of(brand.id)
        if row is None or row.platform != "woocommerce" or not row.credential_enc:
            return None
        return StoreAccess(row.store_url or "", unseal(row.credential_enc) or "")

    def write_back(
        self,
        brand: Brand,
        order_id: str,
        external_id: str,
        attachment: DesignAttachment,
        claim: Claim,
    ) -> str:
        """Order meta and a note, at once; a refused key marks the store failing (the job
        retries, and the order keeps its files whatever happens)."""
        store = self.store(brand)
        if store is None:
            return "write-back skipped: the store is not connected"
        row = connection_of(brand.id)
        row_id = row.id if row is not None else ""
        db.session.commit()
        if not claim():
            db.session.rollback()
            return "already written back"
        try:
            self.connector(brand).attach_designs(store, external_id, attachment)
        except ConnectorAuthError as exc:
            db.session.rollback()
            key_refused(row_id, f"WooCommerce refused Luneo's key ({exc}); reconnect the store")
            raise
        except Exception:
            db.session.rollback()
            raise
        row = connection_of(brand.id)
        if row is not None:
            mark_working(row)
        db.session.commit()
        return "written back"


PLATFORMS: dict[str, Platform] = {
    "shopify": ShopifyPlatform(),
    "rest": RestPlatform(),
    "woocommerce": WooCommercePlatform(),
    "api": Platform(),
}


def for_brand(brand: Brand) -> Platform:
    """The binding of the brand's platform (its platform setting; Shopify shops by kind)."""
    return PLATFORMS[platform_of(brand)]


def write_back_target(brand: Brand) -> tuple[str, str] | None:
    """Where the REST brand's write-back events go and the secret signing them."""
    if platform_of(brand) != "rest":
        return None
    row = connection_of(brand.id)
    if row is None or not row.outbound_url or not row.outbound_secret_enc:
        return None
    return row.outbound_url, unseal(row.outbound_secret_enc) or ""


def sample_write_back(brand: Brand) -> dict[str, Any]:
    """The body of the console's "send test" write-back event."""
    return {
        "message": "Luneo connector test: your order endpoint verified this signature.",
        "externalOrderId": "test",
        "status": "test",
        "lines": [],
    }
