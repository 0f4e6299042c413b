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
    clean, faces = decode_upload(raw, limits)
    consent = bool(form.get("consent"))
    _require_consent(faces, consent)
    quality = None
    if form.get("productId"):
        from ..designs.service import find_product

        product = find_product(principal.brand_id, form["productId"])
        areas = (product.template or {}).get("printAreas", [])
        area = next((a for a in areas if a.get("id") == form.get("printArea")), None)
        if area is None and form.get("printArea"):
            raise ValidationFailed(
                "No such print area on this product.",
                code="unknown_print_area",
                details={"printArea": form["printArea"]},
            )
        area = area or (areas[0] if areas else None)
        if area is not None:
            options = (product.template or {}).get("options", [])
            min_dpi = next(
                (
                    int(o.get("minDpi", 150))
                    for o in options
                    if o.get("type") == "image" and o.get("printArea") in (None, area["id"])
                ),
                150,
            )
            quality = print_quality(
                clean.width, clean.height, float(area["widthMm"]), float(area["heightMm"]), min_dpi
            )
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


def _require_consent(faces: Faces, consent: bool) -> None:
    """A photo of a person needs the shopper's explicit consent (the widget's checkbox).

    When faces cannot be checked at all, consent is asked for every photo.
    """
    if faces is not Faces.NONE and not consent:
        raise ValidationFailed(
            "This photo seems to show a person. Please confirm you have their permission "
            "to use it, then upload it again.",
            code="face_consent_required",
            details={"consent": "required", "faceCheck": faces.value},
        )
