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
    optionId = String(load_default=None, validate=Length(max=64))  # noqa: N815
    consent = Boolean(
        load_default=False,
        metadata={
            "description": "Required `true`: the shopper consents to the photo's use (and has "
            "the permission of anyone in it). A brand's server sending photos attests it "
            "asked its shopper."
        },
    )
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
    "applied and metadata stripped. Every upload states `consent=true`. With `productId` "
    "(and `printArea` or `optionId`) the photo is graded fitted in its print area: below the "
    "photo option's `minDpi` it is refused (422 `photo_resolution_too_low`, "
    "`details.effectiveDpi` and `details.minDpi`); otherwise the answer gives the effective "
    "dpi.",
    responses={
        201: "Stored",
        413: "Too large",
        422: "Not a usable picture, no consent, or below the option's minimum print quality",
        429: "Too many uploads (RATE_LIMIT_UPLOADS)",
    },
)
def upload(form: dict):  # type: ignore[no-untyped-def]
    """Store a cleaned photo and say how well it will print."""
    principal = current_principal()
    result = service.store_upload(principal, g.brand, form["file"].read(), form)
    return result, 201
