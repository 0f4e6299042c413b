"""``/v1/connectors/rest``: a brand's own shop system sends order events, or has Luneo read one."""

from __future__ import annotations

import re

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, String
from flask import current_app, g, request

from ..auth.principal import require
from ..commerce.catalog import import_for_api
from ..core.errors import ValidationFailed
from . import inbound
from .describe import describe_order
from .routes import OrderOut

bp = APIBlueprint("connectors", __name__, tag="Connectors")


class OrderEventOut(Schema):
    eventId = String()  # noqa: N815 - API casing
    duplicate = Boolean()
    orderId = String(allow_none=True)  # noqa: N815
    note = String()


@bp.post("/v1/connectors/rest/orders")
@bp.output(OrderEventOut)
@bp.doc(
    summary="Send an order event (REST connector)",
    description="Your shop system posts `order.created`, `order.updated` or `order.cancelled` "
    "as `{id, type, createdAt, data: {order} | {orderId}}`, signed with the brand's inbound "
    'secret: `Luneo-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` and the brand id '
    "in `Luneo-Brand`. The event id and type are read from the signed body; an event sent "
    "again answers `duplicate: true` and does nothing. With `orderId` only, Luneo reads the "
    "order from your API with your key. Orders are the orders of `POST /v1/orders`.",
    responses={
        401: "Unsigned, wrongly signed or stale event (nothing written)",
        409: "The same event is being handled (retry after `Retry-After`)",
        422: "Malformed event or order",
        502: "Your API refused the key set in the console",
        503: "Your API could not be read now (retry after `Retry-After`)",
    },
)
def rest_order_event():  # type: ignore[no-untyped-def]
    """Take in one signed order event (once per event id)."""
    result = inbound.receive_event(
        request.headers.get(inbound.BRAND_HEADER),
        request.headers,
        request.get_data(cache=True),
        request.url,
    )
    return result.as_json()


@bp.post("/v1/connectors/rest/orders/<external_id>/pull")
@require("orders:write")
@bp.output(OrderOut)
@bp.doc(
    security="BearerAuth",
    summary="Read an order from your API (REST connector)",
    description="Luneo reads `GET {baseUrl}/orders/{id}` with the key set in the console and "
    "takes the order in (idempotent: reading it again only adds new lines).",
    responses={
        422: "No REST connector, or the order carries no designs or could not be read",
        502: "Your API refused the key",
        503: "Your API could not be read now",
    },
)
def pull_rest_order(external_id: str):  # type: ignore[no-untyped-def]
    """Read the order by its id in your system and link its designs."""
    return describe_order(inbound.pull_order(g.brand, external_id[:128]))


# A store's product id: Shopify and WooCommerce ids are digits, a REST brand's may be a SKU.
STORE_PRODUCT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class ImportedProductOut(Schema):
    productId = String()  # noqa: N815
    externalId = String()  # noqa: N815
    title = String()
    personalizable = Boolean()
    imageUrl = String(allow_none=True)  # noqa: N815
    created = Boolean()


@bp.post("/v1/connectors/products/<external_id>/import")
@require("products:write")
@bp.output(ImportedProductOut)
@bp.doc(
    security="BearerAuth",
    summary="Import a product from your store",
    description="Luneo reads the product from the store your brand is connected to (REST: "
    "`GET {baseUrl}/products/{id}` with your key; WooCommerce: `GET /wp-json/wc/v3/products/{id}`) "
    "and keeps its title, handle and first photo, for you to draw its template. Importing again "
    "refreshes it. Personalization stays off until you switch it on.",
    responses={
        404: "Your store has no such product",
        422: "No store connected, or an invalid product id",
        502: "Your store refused Luneo's key (your team is emailed once)",
        503: "Your store could not be read now",
    },
)
def import_store_product(external_id: str):  # type: ignore[no-untyped-def]
    """Import (or refresh) one product of the brand's store by its id there."""
    if not STORE_PRODUCT_ID.match(external_id):
        raise ValidationFailed(
            "A product id is letters, digits, '-', '_' or '.' (at most 128).",
            code="invalid_product_id",
            details={"externalId": "invalid"},
        )
    product, created = import_for_api(g.brand, external_id)
    storage = current_app.extensions["luneo.storage"]
    return {
        "productId": product.id,
        "externalId": product.external_id,
        "title": product.title,
        "personalizable": product.personalizable,
        "imageUrl": storage.url(product.image_key) if product.image_key else None,
        "created": created,
    }
