"""Products imported from a brand's store (Shopify, WooCommerce, REST) for its templates.

One path for every platform: the brand's binding (:func:`~.platforms.for_brand`) reads the
product through its connector's ``fetch_product`` and the product becomes a Luneo product
(platform of the store, its external id, title, handle). Its first image is fetched and kept
as the product photo from where the platform allows (Shopify: its CDN only; others: the
webhook SSRF guard, https and public addresses), at most ``MAX_PHOTO_BYTES``, and checked to
be a picture. An import never turns personalization on; the brand draws the template first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from connectors.base import (
    ConnectorAuthError,
    ConnectorError,
    ConnectorRequestError,
    ConnectorUnavailable,
    ProductInfo,
)

from ..core.clock import utcnow
from ..core.errors import LuneoError, NotFound, ValidationFailed
from ..extensions import db
from ..models import Brand, Product
from ..products.photos import store_photo
from . import woo_webhooks
from .alerts import key_refused
from .connections import connection_of
from .platforms import Platform, for_brand

log = logging.getLogger("luneo.commerce")

MAX_PHOTO_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    photos: int


def upsert_product(brand: Brand, platform: str, info: ProductInfo) -> tuple[Product, bool]:
    """Create or refresh the brand's product for a store product; True when created.

    The caller commits.
    """
    product = db.session.scalar(
        select(Product).where(
            Product.brand_id == brand.id,
            Product.platform == platform,
            Product.external_id == info.external_id,
        )
    )
    created = product is None
    if product is None:
        product = Product(
            brand_id=brand.id,
            platform=platform,
            external_id=info.external_id,
            title=info.title or info.external_id,
            template={},
            images=[],
        )
        db.session.add(product)
        db.session.flush()
    product.title = info.title or product.title
    product.handle = info.handle
    product.source_updated_at = utcnow()
    return product, created


def fetch_photo(product: Product, info: ProductInfo, platform: Platform) -> bool:
    """Keep the store product's first image as the product photo; False when it failed."""
    if not info.images:
        return False
    url = info.images[0].url
    if any(image.get("source") == url for image in product.images or []):
        return False  # the same picture is already kept
    if not platform.photo_allowed(url):
        log.warning("the photo of product %s is not from where its store serves", product.id)
        return False
    try:
        with httpx.stream("GET", url, timeout=10.0, follow_redirects=False) as response:
            if response.status_code != 200:
                return False
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_PHOTO_BYTES:
                    return False
                chunks.append(chunk)
        store_photo(product, b"".join(chunks), source=url)
    except (httpx.HTTPError, ValueError):
        log.warning("could not import the photo of product %s", product.id)
        return False
    return True


def import_products(brand: Brand) -> ImportResult:
    """Import every published product of the brand's WooCommerce store. Commits."""
    platform = for_brand(brand)
    store = platform.store(brand)
    client = platform.connector(brand)
    if store is None or client is None or not hasattr(client, "all_products"):
        raise ConnectorError("the store is not connected", code="not_connected")
    infos = client.all_products(store)
    created = updated = photos = 0
    for info in infos:
        product, made = upsert_product(brand, platform.order_platform, info)
        created, updated = created + made, updated + (not made)
        photos += fetch_photo(product, info, platform)
        db.session.commit()
    return ImportResult(created, updated, photos)


def import_product(brand: Brand, external_id: str) -> tuple[Product, bool]:
    """Bring one store product (by the store's id) into Luneo with its photo, whatever the
    brand's platform; True when it is new. The caller commits.

    Raises ``ConnectorError``: ``not_connected`` (no store), ``not_found`` (the store has no
    such product, or it is another store's), ``unauthorized`` (the store refused the key).
    """
    platform = for_brand(brand)
    info = platform.fetch_product(brand, external_id)
    product, created = upsert_product(brand, platform.order_platform, info)
    fetch_photo(product, info, platform)
    return product, created


def import_for_api(brand: Brand, external_id: str) -> tuple[Product, bool]:
    """``import_product`` for the API: commits, and says what went wrong in HTTP terms
    (422 no store, 404 no such product, 502 key refused, 503 store unavailable)."""
    try:
        product, created = import_product(brand, external_id)
    except ConnectorAuthError as exc:
        db.session.rollback()
        row = connection_of(brand.id)
        if row is not None:
            key_refused(row.id, "the store refused Luneo's key while importing")
        raise LuneoError(
            "Your store refused Luneo's key.", code="store_refused_key", status=502
        ) from exc
    except ConnectorUnavailable as exc:
        db.session.rollback()
        raise LuneoError(
            f"Your store could not be read now: {exc}", code="store_unavailable", status=503
        ) from exc
    except ConnectorRequestError as exc:
        db.session.rollback()
        if exc.code == "not_found":
            raise NotFound(
                f"Your store has no product {external_id!r}.", code="store_product_not_found"
            ) from exc
        raise ValidationFailed(
            f"Your store did not give product {external_id!r}: {exc}",
            code="store_product_unreadable",
        ) from exc
    except ConnectorError as exc:
        db.session.rollback()
        raise ValidationFailed(
            "Connect your store first (REST: API base URL and key; or WooCommerce).",
            code="no_store",
        ) from exc
    db.session.commit()
    return product, created


@woo_webhooks.on_topic("product.updated")
def product_updated(delivery: woo_webhooks.WooDelivery) -> str:
    """A product changed in WooCommerce: refresh the Luneo product if it was imported."""
    from connectors.woocommerce import product_from_body

    info = product_from_body(delivery.payload)
    product = db.session.scalar(
        select(Product).where(
            Product.brand_id == delivery.brand.id,
            Product.platform == "woocommerce",
            Product.external_id == info.external_id,
        )
    )
    if product is None:
        return "product not imported"
    upsert_product(delivery.brand, "woocommerce", info)
    fetch_photo(product, info, for_brand(delivery.brand))
    db.session.commit()
    return "product refreshed"
