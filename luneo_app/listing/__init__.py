"""Query schemas and answers shared by the ``GET /v1/...`` lists (cursor pagination)."""

from __future__ import annotations

from typing import Any

from apiflask import Schema
from apiflask.fields import DateTime, Integer, String
from apiflask.validators import Length, OneOf, Range
from sqlalchemy import or_, select

from ..core.errors import ValidationFailed
from ..core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from ..extensions import db
from ..models import Product

DESIGN_STATUSES = (
    "queued",
    "generating",
    "rendering",
    "preview_ready",
    "finalized",
    "production_rendering",
    "production_ready",
    "failed",
)
ORDER_STATUSES = ("open", "closed", "cancelled")


class ListQuery(Schema):
    """Pagination and the created range, common to every list."""

    limit = Integer(
        load_default=DEFAULT_LIMIT,
        validate=Range(1, MAX_LIMIT),
        metadata={"description": f"Page size, 1-{MAX_LIMIT}.", "example": 20},
    )
    cursor = String(
        load_default=None,
        validate=Length(1, 512),
        metadata={"description": "`nextCursor` of the previous page (opaque)."},
    )
    createdAfter = DateTime(  # noqa: N815 - API casing
        load_default=None,
        metadata={
            "description": "Only items created at or after this instant (ISO 8601).",
            "example": "2026-01-01T00:00:00Z",
        },
    )
    createdBefore = DateTime(  # noqa: N815
        load_default=None,
        metadata={"description": "Only items created before this instant (ISO 8601)."},
    )


class ProductListQuery(ListQuery):
    pass


class DesignListQuery(ListQuery):
    status = String(
        load_default=None,
        validate=OneOf(DESIGN_STATUSES),
        metadata={"description": "Only designs in this status."},
    )
    productId = String(  # noqa: N815
        load_default=None,
        validate=Length(1, 128),
        metadata={"description": "Only designs of this product (Luneo id or your external id)."},
    )


class OrderListQuery(ListQuery):
    status = String(
        load_default=None,
        validate=OneOf(ORDER_STATUSES),
        metadata={"description": "Only orders in this status."},
    )
    productId = String(  # noqa: N815
        load_default=None,
        validate=Length(1, 128),
        metadata={"description": "Only orders with a design of this product."},
    )


NEXT_CURSOR_DOC = {
    "description": "Pass as `cursor` to get the next page; null on the last page.",
    "example": None,
}


def product_filter(brand_id: str, product_ref: str) -> str:
    """The Luneo id of the brand's product named in a filter; 422 when there is none."""
    product_id = db.session.scalar(
        select(Product.id).where(
            Product.brand_id == brand_id,
            or_(Product.id == product_ref, Product.external_id == product_ref),
        )
    )
    if product_id is None:
        raise ValidationFailed(
            "The productId filter names no product of this brand.",
            code="invalid_filter",
            details={"productId": "unknown product"},
        )
    return product_id


def page_answer(rows: list[Any], next_cursor: str | None, describe: Any) -> dict[str, Any]:
    """``{data, nextCursor}`` with each row described."""
    return {"data": [describe(row) for row in rows], "nextCursor": next_cursor}
