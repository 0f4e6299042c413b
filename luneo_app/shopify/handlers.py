"""Handlers of the shop's lifecycle and catalog webhooks.

Order topics are handled by the orders feature; billing topics by ``billing``; privacy topics
in :mod:`.compliance`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from ..core.clock import utcnow
from ..extensions import db
from ..models import Product
from .install import mark_uninstalled
from .webhooks import WebhookDelivery, on_topic


@on_topic("app/uninstalled")
def shop_uninstalled(delivery: WebhookDelivery) -> str | None:
    """Mark the install uninstalled, destroy its tokens and cancel pending work."""
    return mark_uninstalled(delivery.shop_domain, delivery.occurred_at)


def product_external_ids(payload: dict[str, Any]) -> list[str]:
    """The ways a Shopify product may be stored as ``Product.external_id``: id and gid."""
    ids = []
    if payload.get("id") is not None:
        ids.append(str(payload["id"]))
        ids.append(f"gid://shopify/Product/{payload['id']}")
    gid = payload.get("admin_graphql_api_id")
    if isinstance(gid, str) and gid not in ids:
        ids.append(gid)
    return ids


def _newer_than_stored(occurred_at: datetime | None) -> Any:
    """Only rows the platform changed before ``occurred_at`` may be overwritten."""
    if occurred_at is None:
        return Product.source_updated_at.is_(None)
    return or_(Product.source_updated_at.is_(None), Product.source_updated_at < occurred_at)


@on_topic("products/update")
def product_updated(delivery: WebhookDelivery) -> str | None:
    """Keep the title and handle of a product Luneo knows up to date (newest change wins)."""
    if delivery.brand is None:
        return "unknown shop"
    payload = delivery.payload
    values: dict[str, Any] = {"source_updated_at": delivery.occurred_at or utcnow()}
    if isinstance(payload.get("title"), str) and payload["title"].strip():
        values["title"] = payload["title"].strip()[:255]
    if isinstance(payload.get("handle"), str):
        values["handle"] = payload["handle"][:255]
    changed = db.session.execute(
        update(Product)
        .where(
            Product.brand_id == delivery.brand.id,
            Product.platform == "shopify",
            Product.external_id.in_(product_external_ids(payload)),
            _newer_than_stored(delivery.occurred_at),
        )
        .values(**values)
    ).rowcount
    if changed:
        return "product updated"
    known = db.session.scalar(
        select(Product.id).where(
            Product.brand_id == delivery.brand.id,
            Product.external_id.in_(product_external_ids(payload)),
        )
    )
    return "stale: the product changed since" if known else "product not used by Luneo"


@on_topic("products/delete")
def product_deleted(delivery: WebhookDelivery) -> str | None:
    """A deleted product stops being personalizable; its designs and orders stay."""
    if delivery.brand is None:
        return "unknown shop"
    now = utcnow()
    changed = db.session.execute(
        update(Product)
        .where(
            Product.brand_id == delivery.brand.id,
            Product.platform == "shopify",
            Product.external_id.in_(product_external_ids(delivery.payload)),
            Product.deleted_at.is_(None),
            _newer_than_stored(delivery.occurred_at),
        )
        .values(deleted_at=now, personalizable=False, source_updated_at=delivery.occurred_at or now)
    ).rowcount
    return "product deleted" if changed else "product not used by Luneo"
