"""Store uploads of a brand and grade their print quality against a print area."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..auth.principal import Principal
from ..core.clock import utcnow
from ..core.errors import ValidationFailed
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand, Upload
from .decode import DecodeLimits, decode_upload
from .faces import Faces
from .images import print_quality


def store_upload(principal: Principal, brand: Brand, raw: bytes, form: dict[str, Any]) -> dict:
    """Validate, clean and store a photo; returns the API answer."""
    cfg = current_app.config
    limits = DecodeLimits(
        max_bytes=cfg["UPLOAD_MAX_BYTES"],
        max_pixels=cfg["UPLOAD_MAX_PIXELS"],
        decode_pixels=cfg["UPLOAD_DECODE_PIXELS"],
        memory_mb=cfg["UPLOAD_DECODE_MEMORY_MB"],
    )
    if not raw:  # answered here: no child process for an empty form field
        raise ValidationFailed("The upload is empty.", code="empty_upload")
    consent = bool(form.get("consent"))
    _require_consent(principal, consent)  # before any decoding work
    clean, faces = decode_upload(raw, limits)
    quality = None
    if form.get("productId"):
        quality = _grade(principal, clean.width, clean.height, form)
    upload = Upload(
        brand_id=brand.id,
        key="",
        content_type=clean.content_type,
        width=clean.width,
        height=clean.height,
        size_bytes=len(clean.data),
        sha256=clean.sha256,
        original_format=clean.original_format,
        customer_ref=form.get("customerRef"),
        face_detected=faces is Faces.FOUND,
        consent=consent,
        consent_by=principal.kind,
        created_at=utcnow(),
    )
    db.session.add(upload)
    db.session.flush()
    upload.key = f"{brand_prefix(brand.id)}uploads/{upload.id}.{clean.extension}"
    storage = current_app.extensions["luneo.storage"]
    storage.put(upload.key, clean.data, clean.content_type)
    try:
        db.session.commit()
    except Exception:
        storage.delete(upload.key)  # no file without its row
        raise
    return {
        "uploadId": upload.id,
        "width": clean.width,
        "height": clean.height,
        "contentType": clean.content_type,
        "url": current_app.extensions["luneo.storage"].url(upload.key),
        "printQuality": quality.as_json() if quality else None,
    }


def _grade(principal: Principal, width: int, height: int, form: dict[str, Any]) -> Any:
    """Grade the photo fitted in its slot of the print area; 422 below the option's ``minDpi``.

    The option is ``optionId`` when given, else the area's image option (the first area's
    when no ``printArea`` is named). Fitted at its default size is the sharpest the widget
    places it, so a photo refused here could only print below the merchant's minimum.
    """
    from ..designs.quality import image_option, min_dpi_of, placed_size_mm, too_low
    from ..designs.service import find_product

    product = find_product(principal.brand_id, form["productId"])
    template = product.template or {}
    areas = template.get("printAreas", [])
    option = None
    if form.get("optionId"):
        option = image_option(template, form["optionId"], None)
        if option is None or option.get("type") != "image":
            raise ValidationFailed(
                "No such photo option on this product.",
                code="unknown_option",
                details={"optionId": form["optionId"]},
            )
    area_id = form.get("printArea") or (option or {}).get("printArea")
    area = next((a for a in areas if a.get("id") == area_id), None)
    if area is None and area_id:
        raise ValidationFailed(
            "No such print area on this product.",
            code="unknown_print_area",
            details={"printArea": area_id},
        )
    area = area or (areas[0] if areas else None)
    if area is None:
        return None
    option = option or image_option(template, None, area["id"])
    floor = min_dpi_of(option)
    width_mm, height_mm = placed_size_mm(template, option, area)
    quality = print_quality(width, height, width_mm, height_mm, floor or 150)
    if floor is not None and quality.effective_dpi < floor:
        raise too_low(quality.effective_dpi, floor, "file")
    return quality


def _require_consent(principal: Principal, consent: bool) -> None:
    """Every photo is uploaded with consent to use it, whoever or whatever it shows.

    From the storefront the shopper ticks the widget's box; an API brand's server states
    ``consent=true`` for its shoppers (it attests having asked them). Which of the two it was
    is kept on the upload (``consent_by``: ``embed`` or ``api_key``/``user``).
    """
    if not consent:
        raise ValidationFailed(
            "Please confirm you have the right to use this photo (and the permission of "
            "anyone in it), then upload it again.",
            code="consent_required",
            details={"consent": "required"},
        )
