"""The template editor's service: what the editor loads, saving a template, the live preview.

A save is refused with one message per field (see :mod:`.template_checks`) and never
overwrites a template someone else saved meanwhile (``templateVersion`` must match).
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Response, request, url_for
from sqlalchemy import select

import render
from render import fonts as font_catalog
from render.spec import MATERIALS

from ..audit import record
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..designs import layout, variants
from ..designs.spec import build_spec
from ..embed.catalog import font_version
from ..extensions import db
from ..models import Brand, Product
from ..products.photos import store_picture
from .photos import derivative, product_photo
from .starter import DEFAULT_FONTS, MATERIAL_LABELS, suggested_options
from .template_checks import check_template, sync_materials

PREVIEW_WIDTH = 640
SAMPLE_TEXT = "Your text"
DEFAULT_INK = "#1f2a44"


def find_product(brand_id: str, product_id: str) -> Product:
    """A product of this brand by Luneo id; 404 for others' products and unknown ids alike."""
    product = db.session.scalar(
        select(Product).where(
            Product.id == product_id,
            Product.brand_id == brand_id,
            Product.deleted_at.is_(None),
        )
    )
    if product is None:
        raise NotFound("No such product in this shop.", code="product_not_found")
    return product


def font_choices() -> list[dict[str, str]]:
    """Every font the render engine draws, with a webfont URL for the editor's samples."""
    return [
        {
            "id": f.id,
            "name": f.name,
            "category": f.category,
            "url": url_for("widget.font", font_id=f.id, v=font_version(f.path)),
        }
        for f in font_catalog.catalog()
        if f.id not in font_catalog.FALLBACKS
    ]


def material_choices() -> list[dict[str, Any]]:
    """Printed colour and every material the engine simulates."""
    return [{"value": m, "label": MATERIAL_LABELS.get(m, str(m))} for m in (None, *MATERIALS)]


def editor_state(product: Product, brand: Brand) -> dict[str, Any]:
    """What the editor needs: the template (suggested options when it declares none),
    the photo, fonts, materials and the shop's currency."""
    template = copy.deepcopy(product.template or {})
    suggested = False
    if not template.get("options"):
        template["options"] = suggested_options(template)
        suggested = bool(template["options"])
    photo = product_photo(product)
    return {
        "productId": product.id,
        "title": product.title,
        "personalizable": bool(product.personalizable),
        "templateVersion": product.template_version,
        "template": layout.with_slots(template),  # templates saved before slots: laid out
        "suggested": suggested,
        "photo": {"url": photo.url, "width": photo.width, "height": photo.height}
        if photo
        else None,
        "variantPhotos": _variant_photos(template),
        "fonts": font_choices(),
        "defaultFonts": [f for f in (template.get("fonts") or DEFAULT_FONTS)],
        "materials": material_choices(),
        "currency": brand.currency or "USD",
    }


def save_template(
    brand: Brand,
    product_id: str,
    template: Any,
    expected_version: int | None,
    personalizable: bool | None,
    actor: str,
) -> dict[str, Any]:
    """Validate and store a product's template (its version goes up when it changed)."""
    product = find_product(brand.id, product_id)
    if expected_version is not None and expected_version != product.template_version:
        raise Conflict(
            "Someone saved this template meanwhile. Reload to see their changes.",
            code="template_changed",
            details={"templateVersion": product.template_version},
        )
    # stored with every option's slot, so what the editor showed is what is saved
    template = layout.with_slots(sync_materials(check_template(copy.deepcopy(template))))
    variants.check_photo_keys(template, brand.id, product.id)
    changed = template != layout.with_slots(product.template or {})
    if changed:
        product.template = template
        product.template_version += 1
    if personalizable is not None:
        product.personalizable = personalizable
    record(
        "product.template_saved",
        actor=actor,
        brand_id=brand.id,
        target_type="product",
        target_id=product.id,
        details={
            "version": product.template_version,
            "changed": changed,
            "printAreas": len(template.get("printAreas") or []),
            "options": len(template.get("options") or []),
            "variants": len(variants.variants_of(template)),
        },
    )
    db.session.commit()
    return editor_state(product, brand)


def _visible(option: dict[str, Any], chosen: dict[str, Any]) -> bool:
    cond = option.get("showWhen")
    return not isinstance(cond, dict) or chosen.get(cond.get("option")) == cond.get("equals")


def preview_layers(template: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Layers a shopper could make: each visible text field with its default (or sample)
    text in its first font, the chosen (or first) material and colour."""
    options = [o for o in template.get("options") or [] if isinstance(o, dict)]
    chosen: dict[str, Any] = {}
    for option in options:
        offered = [v.get("value") for v in option.get("values") or [] if isinstance(v, dict)]
        if offered:
            chosen[option["id"]] = values.get(option["id"], offered[0])
    material = next((chosen[o["id"]] for o in options if o.get("type") == "material"), None)
    color = next((chosen[o["id"]] for o in options if o.get("type") == "color"), DEFAULT_INK)
    texts = [o for o in options if o.get("type") == "text" and _visible(o, chosen)]
    fallback_font = (template.get("fonts") or DEFAULT_FONTS)[0]
    layers: list[dict[str, Any]] = []
    areas = [a.get("id") for a in template.get("printAreas") or [] if isinstance(a, dict)]
    for area in areas:
        here = [o for o in texts if o.get("printArea", areas[0]) == area]
        entries = [
            (str(values.get(o["id"]) or o.get("default") or SAMPLE_TEXT), o) for o in here
        ] or [(SAMPLE_TEXT, {})]
        for index, (text, option) in enumerate(entries):
            limit = option.get("maxChars")
            layers.append(
                {
                    "type": "text",
                    "printArea": area,
                    "text": text[: int(limit)] if isinstance(limit, int) and limit > 0 else text,
                    "font": (option.get("fonts") or [fallback_font])[0],
                    "autoFit": True,
                    "size": option.get("maxSize") or "auto",
                    "align": "center",
                    "color": color if isinstance(color, str) else DEFAULT_INK,
                    "material": material,
                    "x": 0.5,
                    # an option's text sits in the middle of its slot (``layout``)
                    "y": 0.5 if option.get("id") else (index + 1) / (len(entries) + 1),
                    **({"optionId": option["id"]} if option.get("id") else {}),
                }
            )
    return layout.place_layers(template, layers)


def preview_response(brand: Brand, product_id: str, body: dict[str, Any]) -> Response:
    """The editor's preview request (draft template + sample values) answered as WebP;
    shared by the Shopify admin and the brand console."""
    values = body.get("values") or {}
    if not isinstance(values, dict) or not all(
        isinstance(k, str) and (v is None or (isinstance(v, str) and len(v) <= 500))
        for k, v in values.items()
    ):
        raise ValidationFailed("Bad sample values.", details={"values": "text values only"})
    variant_id = body.get("variantId")
    if variant_id is not None and (not isinstance(variant_id, str) or len(variant_id) > 64):
        raise ValidationFailed("Bad variant.", details={"variantId": "a variant id"})
    image = preview_image(brand, product_id, body.get("template"), values, variant_id)
    response = Response(image, mimetype="image/webp")
    response.headers["Cache-Control"] = "no-store"
    return response


def preview_image(
    brand: Brand,
    product_id: str,
    template: Any,
    values: dict[str, Any],
    variant_id: str | None = None,
) -> bytes:
    """The product photo with the draft template's sample design, as WebP; with
    ``variant_id``, on that variant's photo and print areas (422 when the draft has no such
    variant)."""
    product = find_product(brand.id, product_id)
    draft = sync_materials(check_template(copy.deepcopy(template)))
    variants.check_photo_keys(draft, brand.id, product.id)
    draft = variants.for_variant(draft, variant_id)
    spec = build_spec(product, preview_layers(draft, values), draft)
    try:
        return render.preview(spec, width=PREVIEW_WIDTH, fmt="webp", quality=80)
    except render.SpecError as exc:
        message = str(getattr(exc, "message", exc))
        field = getattr(exc, "field", None)
        raise ValidationFailed(
            f"The preview could not be drawn: {message}",
            code=exc.code,
            details={field: message} if field else None,
        ) from exc


def _variant_photos(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each variant's own photo for the editor: ``{variant id: {url, width, height}}``."""
    out = {}
    for variant in variants.variants_of(template):
        key = variant.get("photoKey")
        photo = derivative(key, 1000) if isinstance(key, str) else None
        if photo is not None:
            out[str(variant.get("id"))] = {
                "url": photo.url,
                "width": photo.width,
                "height": photo.height,
            }
    return out


def store_variant_photo(brand: Brand, product_id: str, variant_id: str, data: bytes) -> dict:
    """Keep a variant's photo (checked to be a picture) for the editor to name in the
    template as ``photoKey``; the template itself changes only when the merchant saves.

    Returns ``{variantId, photoKey, photo: {url, width, height}}``; 422 when it is not a
    picture or the variant id is not one a shop could use.
    """
    product = find_product(brand.id, product_id)
    if not variants.VARIANT_ID.match(variant_id or ""):
        raise ValidationFailed(
            "Bad variant.", details={"variantId": "letters, digits, - _ . : (at most 64)"}
        )
    try:
        key = store_picture(
            data, f"{variants.photo_prefix(brand.id, product.id)}{variant_id.replace(':', '_')}"
        )
    except ValueError as exc:
        raise ValidationFailed(
            f"This file cannot be the variant's photo: {exc}.",
            code="invalid_photo",
            details={"file": str(exc)},
        ) from exc
    photo = derivative(key, 1000)
    return {
        "variantId": variant_id,
        "photoKey": key,
        "photo": {"url": photo.url, "width": photo.width, "height": photo.height}
        if photo
        else None,
    }


MAX_PHOTO_BYTES = 20 * 1024 * 1024


def uploaded_file() -> bytes:
    """The bytes of the request's multipart ``file`` (422 when missing or too large)."""
    file = request.files.get("file")
    if file is None:
        raise ValidationFailed("Choose a photo to upload.", details={"file": "required"})
    data = file.stream.read(MAX_PHOTO_BYTES + 1)
    if not data:
        raise ValidationFailed("The file is empty.", details={"file": "empty file"})
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed("The photo is too large.", details={"file": "at most 20 MB"})
    return data
