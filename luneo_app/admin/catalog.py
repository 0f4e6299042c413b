"""The shop's products as the merchant sees them, and the switch that makes one personalizable.

A Shopify shop's products come from the Admin GraphQL API (paginated by cursor, searchable by
title) and are joined with Luneo's own rows (personalizable, print areas). The demo shop has
no Shopify behind it: its catalog is the render engine's sample products, drawn in code.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import select

from connectors.base import ConnectorRequestError
from connectors.shopify_catalog import (
    PAGE_SIZE,
    PRODUCTS_QUERY,
    ProductPage,
    ShopProduct,
    page_variables,
    parse_product_page,
    product_gid,
)
from render import samples

from ..audit import record
from ..commerce.catalog import import_product
from ..core.errors import NotFound, ValidationFailed
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand, Product
from ..products.photos import store_photo
from ..shopify.tokens import shop_graphql
from .guard import demo_active
from .photos import THUMB_WIDTH, derivative
from .starter import starter_template, suggested_options

_SHOPIFY_ID = re.compile(r"^(gid://shopify/Product/)?[0-9]{1,20}$")
DEMO_PREFIX = "demo-"
DEMO_PHOTO_PX = 1000


def _demo_kind(external_id: str) -> str | None:
    kind = external_id.removeprefix(DEMO_PREFIX)
    return kind if external_id.startswith(DEMO_PREFIX) and kind in samples.KINDS else None


def _luneo_rows(brand_id: str, external_ids: list[str]) -> dict[str, Product]:
    """This brand's products among ``external_ids`` (numeric id or gid), by numeric id."""
    wanted = external_ids + [product_gid(e) for e in external_ids if _SHOPIFY_ID.match(e)]
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(Product).where(
            Product.brand_id == brand_id,
            Product.platform == "shopify",
            Product.external_id.in_(wanted),
            Product.deleted_at.is_(None),
        )
    ).all()
    return {row.external_id.rsplit("/", 1)[-1]: row for row in rows}


def _demo_page(
    brand: Brand, query: str | None, after: str | None, before: str | None
) -> ProductPage:
    """The demo shop's catalog in the shape of a Shopify page (cursor = position)."""
    storage = current_app.extensions["luneo.storage"]
    known = _luneo_rows(brand.id, [DEMO_PREFIX + kind for kind in samples.KINDS])
    items = []
    for kind in samples.KINDS:
        external_id = DEMO_PREFIX + kind
        row = known.get(external_id)
        title = row.title if row else samples.demo_template(kind)["name"]
        items.append((kind, external_id, title))
    words = [w.lower() for w in (query or "").split() if w]
    items = [i for i in items if all(w in i[2].lower() for w in words)]
    start = int(after) + 1 if after and after.isdigit() else 0
    if before and before.isdigit():
        start = max(0, int(before) - PAGE_SIZE)
    chosen = items[start : start + PAGE_SIZE]
    products = []
    for kind, external_id, title in chosen:
        key = f"{brand_prefix(brand.id)}demo-catalog/{kind}.png"
        if not storage.exists(key):
            storage.put(key, samples.demo_product_photo(kind, size=THUMB_WIDTH), "image/png")
        thumb = derivative(key, THUMB_WIDTH)
        products.append(
            ShopProduct(
                gid=external_id,
                external_id=external_id,
                title=title,
                handle=external_id,
                status="ACTIVE",
                image_url=thumb.url if thumb else None,
                image_alt=title,
            )
        )
    end = start + len(chosen) - 1
    return ProductPage(
        products=tuple(products),
        has_next=end + 1 < len(items),
        has_previous=start > 0,
        start_cursor=str(start) if chosen else None,
        end_cursor=str(end) if chosen else None,
    )


def describe_row(product: Product | None) -> dict[str, Any]:
    """Luneo's side of a listed product."""
    if product is None:
        return {"productId": None, "personalizable": False, "printAreas": 0, "options": 0}
    template = product.template or {}
    options = template.get("options") or suggested_options(template)
    return {
        "productId": product.id,
        "personalizable": bool(product.personalizable),
        "printAreas": len(template.get("printAreas") or []),
        "options": len(options),
    }


def list_products(
    brand: Brand, shop_domain: str, query: str | None, after: str | None, before: str | None
) -> dict[str, Any]:
    """One page of the shop's products with their Luneo state."""
    if demo_active():
        page = _demo_page(brand, query, after, before)
    else:
        data = shop_graphql(shop_domain, PRODUCTS_QUERY, page_variables(query, after, before))
        page = parse_product_page(data)
    rows = _luneo_rows(brand.id, [p.external_id for p in page.products])
    return {
        "products": [
            {
                "externalId": p.external_id,
                "title": p.title,
                "handle": p.handle,
                "status": p.status.lower(),
                "imageUrl": p.image_url,
                **describe_row(rows.get(p.external_id)),
            }
            for p in page.products
        ],
        "pageInfo": {
            "hasNextPage": page.has_next,
            "hasPreviousPage": page.has_previous,
            "startCursor": page.start_cursor,
            "endCursor": page.end_cursor,
        },
        "source": "demo" if demo_active() else "shopify",
        "query": query or "",
    }


def _check_external_id(external_id: str) -> None:
    ok = _demo_kind(external_id) is not None if demo_active() else _SHOPIFY_ID.match(external_id)
    if not ok:
        raise ValidationFailed(
            "That is not a product of this shop.",
            code="invalid_product_id",
            details={"productId": "unknown product id"},
        )


def _new_product(brand: Brand, external_id: str) -> Product:
    """Luneo's row for a shop product switched on for the first time, with its photo."""
    kind = _demo_kind(external_id) if demo_active() else None
    if kind is not None:
        product = Product(
            brand_id=brand.id,
            platform="shopify",
            external_id=external_id,
            title=samples.demo_template(kind)["name"],
            handle=external_id,
            template=starter_template(None, kind),
        )
        db.session.add(product)
        db.session.flush()
        store_photo(product, samples.demo_product_photo(kind, size=DEMO_PHOTO_PX))
        return product
    # The shop's connector reads the product by id, which also proves it is this shop's.
    try:
        product, _created = import_product(brand, external_id)
    except ConnectorRequestError as exc:
        if exc.code != "not_found":
            raise
        raise NotFound(
            "Shopify has no such product in this shop.", code="product_not_found"
        ) from exc
    product.template = starter_template(None)
    return product


def set_personalizable(brand: Brand, external_id: str, on: bool, actor: str) -> dict[str, Any]:
    """Switch personalization on or off for a shop product; returns its Luneo state.

    Switching on a product without print areas gives it a working starter template.
    """
    _check_external_id(external_id)
    product = _luneo_rows(brand.id, [external_id.rsplit("/", 1)[-1]]).get(
        external_id.rsplit("/", 1)[-1]
    )
    if product is None and not on:
        return describe_row(None)
    if product is None:
        product = _new_product(brand, external_id)
    elif on and not (product.template or {}).get("printAreas"):
        product.template = starter_template(product.template)
        product.template_version += 1
    product.personalizable = on
    record(
        "product.personalization_on" if on else "product.personalization_off",
        actor=actor,
        brand_id=brand.id,
        target_type="product",
        target_id=product.id,
        details={"externalId": product.external_id},
    )
    db.session.commit()
    return describe_row(product)
