"""``/v1/products``: an API brand's products, photos and personalization templates."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, Dict, List, Nested, String
from apiflask.validators import Length
from flask import current_app, g
from sqlalchemy import select

from ..auth.principal import require
from ..core.errors import ValidationFailed
from ..core.pagination import paginate
from ..designs.service import find_product
from ..designs.template import validate_template
from ..extensions import db
from ..listing import NEXT_CURSOR_DOC, ProductListQuery, page_answer
from ..models import Product, Upload

bp = APIBlueprint("products", __name__, url_prefix="/v1/products", tag="Products")


class ProductIn(Schema):
    externalId = String(required=True, validate=Length(1, 128))  # noqa: N815
    title = String(required=True, validate=Length(1, 255))
    template = Dict(required=True)
    imageUploadId = String(load_default=None, validate=Length(max=40))  # noqa: N815
    personalizable = Boolean(load_default=True)


class ProductOut(Schema):
    productId = String()  # noqa: N815
    externalId = String()  # noqa: N815
    title = String()
    personalizable = Boolean()
    template = Dict()
    templateVersion = String()  # noqa: N815
    imageUrl = String(allow_none=True)  # noqa: N815


class ProductList(Schema):
    data = List(Nested(ProductOut))
    nextCursor = String(allow_none=True, metadata=NEXT_CURSOR_DOC)  # noqa: N815


def _out(product: Product) -> dict:
    storage = current_app.extensions["luneo.storage"]
    return {
        "productId": product.id,
        "externalId": product.external_id,
        "title": product.title,
        "personalizable": product.personalizable,
        "template": product.template,
        "templateVersion": str(product.template_version),
        "imageUrl": storage.url(product.image_key) if product.image_key else None,
    }


@bp.put("")
@require("products:write")
@bp.input(ProductIn, arg_name="body")
@bp.output(ProductOut)
@bp.doc(security="BearerAuth", summary="Create or update a product by its external id")
def upsert_product(body: dict):  # type: ignore[no-untyped-def]
    """Create the product, or update it (a template change bumps its version)."""
    template = validate_template(body["template"])
    product = db.session.scalar(
        select(Product).where(
            Product.brand_id == g.brand.id, Product.external_id == body["externalId"]
        )
    )
    image_key = None
    if body.get("imageUploadId"):
        upload = db.session.scalar(
            select(Upload).where(Upload.id == body["imageUploadId"], Upload.brand_id == g.brand.id)
        )
        if upload is None:
            raise ValidationFailed(
                "Unknown upload.",
                code="unknown_upload",
                details={"imageUploadId": "unknown upload"},
            )
        image_key = upload.key
    if product is None:
        product = Product(
            brand_id=g.brand.id,
            platform="api",
            external_id=body["externalId"],
            title=body["title"],
            template=template,
            personalizable=body["personalizable"],
            image_key=image_key,
        )
        db.session.add(product)
    else:
        if product.template != template:
            product.template_version += 1
        product.title = body["title"]
        product.template = template
        product.personalizable = body["personalizable"]
        product.image_key = image_key or product.image_key
        product.deleted_at = None
    db.session.commit()
    return _out(product)


@bp.get("")
@require("products:read")
@bp.input(ProductListQuery, location="query", arg_name="query")
@bp.output(ProductList)
@bp.doc(
    security="BearerAuth",
    summary="List products",
    description="The brand's products, newest first, a page at a time (cursor pagination).",
)
def list_products(query: dict):  # type: ignore[no-untyped-def]
    """A page of the brand's products (deleted ones left out)."""
    statement = select(Product).where(Product.brand_id == g.brand.id, Product.deleted_at.is_(None))
    page = paginate(statement, Product, "products", query, db.session)
    return page_answer(page.rows, page.next_cursor, _out)


@bp.get("/<product_ref>")
@bp.doc(security="BearerAuth")
@require("products:read")
@bp.output(ProductOut)
def get_product(product_ref: str):  # type: ignore[no-untyped-def]
    """A product by Luneo id or external id."""
    return _out(find_product(g.brand.id, product_ref))
