"""``POST /v1/uploads``: a shopper's photo, cleaned, stored and graded for print."""

from __future__ import annotations

from apiflask import APIBlueprint, Schema
from apiflask.fields import Boolean, File, String
from apiflask.validators import Length
from flask import g

from ..apidocs.schemas import UploadOut
from ..auth.principal import current_principal, require
from ..core.ratelimit import client_address, setting
from ..extensions import limiter
from . import service

bp = APIBlueprint("uploads", __name__, url_prefix="/v1/uploads", tag="Uploads")


class UploadIn(Schema):
    file = File(required=True)
    productId = String(load_default=None, validate=Length(max=128))  # noqa: N815
    printArea = String(load_default=None, validate=Length(max=64))  # noqa: N815
    consent = Boolean(load_default=False)
    customerRef = String(load_default=None, validate=Length(max=128))  # noqa: N815


@bp.post("")
@require("uploads:write")
@limiter.limit(
    setting("RATE_LIMIT_UPLOADS"),
    key_func=lambda: f"{g.brand.id}|{client_address()}",  # per shop and shopper address
    error_message="Too many photos uploaded.",
)
@bp.input(UploadIn, location="form_and_files", arg_name="form")
@bp.output(UploadOut, status_code=201)
@bp.doc(
    security="BearerAuth",
    summary="Upload a photo",
    description="JPEG, PNG, WebP or HEIC. EXIF orientation is "
    "applied and metadata stripped. With `productId` (and `printArea`) the answer grades "
    "print quality: effective dpi and good / low / too_low.",
    responses={
        201: "Stored",
        413: "Too large",
        422: "Not a usable picture",
        429: "Too many uploads (RATE_LIMIT_UPLOADS)",
    },
)
def upload(form: dict):  # type: ignore[no-untyped-def]
    """Store a cleaned photo and say how well it will print."""
    principal = current_principal()
    result = service.store_upload(principal, g.brand, form["file"].read(), form)
    return result, 201
