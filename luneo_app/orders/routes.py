"""``/v1/orders`` for API brands, and the lasting download links of production files."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Dict, Email, Integer, List, Nested, String
from apiflask.validators import Length, Range, Regexp
from flask import current_app, g, redirect, request
from marshmallow import ValidationError, validates_schema
from sqlalchemy import select

from ..auth.principal import require
from ..core.errors import LuneoError, NotFound
from ..core.pagination import paginate
from ..extensions import db
from ..listing import NEXT_CURSOR_DOC, OrderListQuery, page_answer, product_filter
from ..models import Design, Order, OrderItem
from ..observability.metrics import IMAGE_DELIVERIES
from . import api
from .describe import describe_order
from .files import link_is_valid, order_folder

bp = APIBlueprint("orders", __name__, tag="Orders")

_DESIGN_ID = Length(1, 40)


class ShippingIn(Schema):
    name = String(validate=Length(max=255))
    company = String(validate=Length(max=255))
    address1 = String(validate=Length(max=255))
    address2 = String(validate=Length(max=255))
    city = String(validate=Length(max=128))
    province = String(validate=Length(max=128))
    zip = String(validate=Length(max=32))
    country = String(validate=Regexp(r"^[A-Z]{2}$", error="an ISO 3166 alpha-2 code"))
    phone = String(validate=Length(max=32))
    email = Email(validate=Length(max=320))


class StatedPriceIn(Schema):
    designId = String(required=True, validate=_DESIGN_ID)  # noqa: N815
    addOnCents = Integer(  # noqa: N815
        required=True,
        validate=Range(min=0),
        metadata={"description": "The personalization price your cart charged, in cents."},
    )
    currency = String(
        validate=Regexp(r"^[A-Z]{3}$", error="an ISO 4217 code"), metadata={"example": "EUR"}
    )


class OrderIn(Schema):
    designId = String(validate=_DESIGN_ID)  # noqa: N815 - API casing
    designIds = List(String(validate=_DESIGN_ID), validate=Length(1, 50))  # noqa: N815
    externalOrderId = String(required=True, validate=Length(1, 128))  # noqa: N815
    orderName = String(validate=Length(1, 64))  # noqa: N815
    shipping = Nested(ShippingIn, allow_none=True)
    statedPrices = List(  # noqa: N815
        Nested(StatedPriceIn),
        validate=Length(max=50),
        metadata={
            "description": "The price add-on your cart showed for each design (from the "
            "widget's `onAddToCart`). A line that disagrees with the server's price "
            "(`GET /v1/designs/{id}`) is flagged as a `price_mismatch` order problem."
        },
    )

    @validates_schema
    def one_way_to_name_designs(self, data: dict, **_: object) -> None:
        if ("designId" in data) == ("designIds" in data):
            raise ValidationError("Send either designId or designIds.", "designIds")


class OrderOut(Schema):
    orderId = String()  # noqa: N815
    externalOrderId = String()  # noqa: N815
    name = String()
    platform = String()
    status = String()
    productionStatus = String()  # noqa: N815
    zipUrl = String(allow_none=True)  # noqa: N815
    problems = List(Dict())
    shipping = Dict(allow_none=True)
    createdAt = String(allow_none=True)  # noqa: N815
    closedAt = String(allow_none=True)  # noqa: N815
    items = List(Dict())


class OrderList(Schema):
    data = List(Nested(OrderOut))
    nextCursor = String(allow_none=True, metadata=NEXT_CURSOR_DOC)  # noqa: N815


@bp.get("/v1/orders")
@require("orders:read")
@bp.input(OrderListQuery, location="query", arg_name="query")
@bp.output(OrderList)
@bp.doc(
    security="BearerAuth",
    summary="List orders",
    description="The brand's orders, newest first, a page at a time; filter by status, "
    "product and creation time.",
)
def list_orders(query: dict):  # type: ignore[no-untyped-def]
    """A page of the brand's orders."""
    statement = select(Order).where(Order.brand_id == g.brand.id)
    if query.get("status"):
        statement = statement.where(Order.status == query["status"])
    if query.get("productId"):
        product_id = product_filter(g.brand.id, query["productId"])
        with_product = (
            select(OrderItem.order_id)
            .join(Design, Design.id == OrderItem.design_id)
            .where(OrderItem.brand_id == g.brand.id, Design.product_id == product_id)
        )
        statement = statement.where(Order.id.in_(with_product))
    page = paginate(statement, Order, "orders", query, db.session)
    return page_answer(page.rows, page.next_cursor, describe_order)


@bp.post("/v1/orders")
@require("orders:write")
@bp.input(OrderIn, arg_name="body")
@bp.output(OrderOut, status_code=201)
@bp.doc(
    security="BearerAuth",
    summary="Create an order",
    description="Links finalized (or to-be-finalized) designs to an order of yours and "
    "renders their production files. Requires an `Idempotency-Key` header: the same key "
    "and body answer with the same order; the same key with another body is a 409.",
    responses={
        400: "Missing or malformed Idempotency-Key",
        409: "Key reused with another body, or externalOrderId already used",
        422: "Invalid body, unknown or failed designs",
    },
)
def create_order(body: dict):  # type: ignore[no-untyped-def]
    """Create the order (201), or repeat the earlier answer for the same key and body."""
    key = api.check_idempotency_key(request.headers.get("Idempotency-Key"))
    made = api.create_api_order(g.brand, body, key)
    headers = {"Idempotent-Replayed": "true"} if made.replayed else {}
    return describe_order(made.order), 201, headers


@bp.get("/v1/orders/<order_id>")
@require("orders:read")
@bp.output(OrderOut)
@bp.doc(
    security="BearerAuth", summary="Get an order", responses={404: "No such order for this brand"}
)
def get_order(order_id: str):  # type: ignore[no-untyped-def]
    """The order's status, its lines, problems and production file URLs."""
    return describe_order(api.get_api_order(g.brand.id, order_id))


@bp.post("/v1/orders/<order_id>/close")
@require("orders:write")
@bp.output(OrderOut)
@bp.doc(
    security="BearerAuth",
    summary="Close an order",
    description="Starts the files' retention period.",
)
def close_order(order_id: str):  # type: ignore[no-untyped-def]
    """Mark the order done; its files are kept for the retention period, then removed."""
    return describe_order(api.close_api_order(g.brand.id, order_id))


@bp.post("/v1/orders/<order_id>/cancel")
@require("orders:write")
@bp.output(OrderOut)
@bp.doc(
    security="BearerAuth",
    summary="Cancel an order",
    description="Stops production that has not started.",
)
def cancel_order(order_id: str):  # type: ignore[no-untyped-def]
    """Cancel the order; renders not started yet are cancelled."""
    return describe_order(api.cancel_api_order(g.brand.id, order_id))


@bp.get("/production/<order_id>/<name>")
@bp.doc(hide=True)
def production_file(order_id: str, name: str):  # type: ignore[no-untyped-def]
    """A lasting production link (written onto store orders): a short-lived download."""
    if (
        len(order_id) > 40
        or len(name) > 200
        or not link_is_valid(order_id, name, request.args.get("sig"))
    ):
        raise LuneoError("This download link is not valid.", code="bad_signature", status=403)
    order = db.session.get(Order, order_id)
    if order is None:
        raise NotFound("No such file.")
    if order.files_purged_at is not None:
        raise LuneoError(
            "These production files were removed after the retention period.",
            code="files_removed",
            status=410,
        )
    storage = current_app.extensions["luneo.storage"]
    key = order_folder(order) + name
    # Counted for the image delivery SLO: the link was valid, so a file that is gone or a
    # store that fails is a delivery Luneo owes and did not make.
    try:
        found = "/" not in name and storage.exists(key)
        url = storage.url(key, 300, filename=name) if found else None
    except Exception:
        IMAGE_DELIVERIES.labels("production", "error").inc()
        raise
    if url is None:
        IMAGE_DELIVERIES.labels("production", "missing").inc()
        raise NotFound("No such file.")
    IMAGE_DELIVERIES.labels("production", "redirected").inc()
    return redirect(url, code=302)
