"""``/v1/connectors/rest``: a brand's own shop system sends order events, or has Luneo read one."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, String
from flask import g, request

from ..auth.principal import require
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
