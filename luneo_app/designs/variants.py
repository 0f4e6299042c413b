"""Product variants with their own photo and print areas (a mug in white or black, a phone
case per model).

A template may list ``variants``::

    "variants": [
      {"id": "44012", "label": "Black", "labels": {"fr": "Noir"},
       "photoKey": "brands/<brand>/products/<product>/variant-44012-<sha>.png",
       "printAreas": [ {id: "front", x, y, width, height, widthMm, heightMm, ...} ]}
    ]

``id`` is what the storefront names the variant by (Shopify's variant id, or any key a
brand's own shop uses). ``photoKey`` replaces the product photo; ``printAreas`` replaces the
product's print areas and names the same areas (options point at area ids, so every variant
offers the same options, each placed on that variant's areas). Either may be absent: the
product's own is used then.

A design records the variant it was made for (``Design.variant_id``); its preview, 3D
texture and print files use :func:`for_variant` of the product's template. Variants not
listed use the product's own photo and areas (the widget sends no variant for them); the API
refuses a variant the template does not list (422 ``unknown_variant``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..core.errors import ValidationFailed
from ..files.storage import brand_prefix

MAX_VARIANTS = 100
VARIANT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def variants_of(template: dict[str, Any]) -> list[dict[str, Any]]:
    """The template's variants (an empty list when it declares none)."""
    listed = template.get("variants")
    return [v for v in listed if isinstance(v, dict)] if isinstance(listed, list) else []


def find_variant(template: dict[str, Any], variant_id: str | None) -> dict[str, Any] | None:
    """The variant named ``variant_id``, if the template lists it."""
    if not variant_id:
        return None
    return next((v for v in variants_of(template) if v.get("id") == variant_id), None)


def unknown_variant(variant_id: str, template: dict[str, Any]) -> ValidationFailed:
    """The 422 for a variant the product's template does not list."""
    known = [str(v.get("id")) for v in variants_of(template)]
    hint = f"one of {', '.join(known[:10])}" if known else "this product lists no variants"
    return ValidationFailed(
        f"Variant {variant_id[:64]!r} is not a variant of this product ({hint}).",
        code="unknown_variant",
        details={"variantId": f"unknown variant ({hint})"},
    )


def for_variant(
    template: dict[str, Any], variant_id: str | None, strict: bool = True
) -> dict[str, Any]:
    """The template as the variant shows it: its print areas, and its photo as
    ``product.photoKey`` (read by ``designs.spec.build_spec``).

    ``strict``: a variant the template does not list is a 422; otherwise (a design made for a
    variant the merchant removed since) the product's own photo and areas are used.
    """
    if not variant_id:
        return template
    variant = find_variant(template, variant_id)
    if variant is None:
        if strict:
            raise unknown_variant(variant_id, template)
        return template
    resolved = copy.copy(template)
    if isinstance(variant.get("printAreas"), list) and variant["printAreas"]:
        resolved["printAreas"] = copy.deepcopy(variant["printAreas"])
    if isinstance(variant.get("photoKey"), str):
        resolved["product"] = {**(template.get("product") or {}), "photoKey": variant["photoKey"]}
    return resolved


def photo_prefix(brand_id: str, product_id: str) -> str:
    """Where a product's variant photos are kept (a ``photoKey`` must lie under it)."""
    return f"{brand_prefix(brand_id)}products/{product_id}/variant-"


def check_photo_keys(template: dict[str, Any], brand_id: str, product_id: str) -> None:
    """Refuse (422) a variant photo that is not one stored for this product."""
    prefix = photo_prefix(brand_id, product_id)
    problems = {}
    for i, variant in enumerate(variants_of(template)):
        key = variant.get("photoKey")
        if key is not None and (not isinstance(key, str) or not key.startswith(prefix)):
            problems[f"variants[{i}].photoKey"] = "upload the variant's photo in the editor"
    if problems:
        raise ValidationFailed(
            "The template has problems; see the fields.",
            code="invalid_template",
            details=problems,
        )


def variant_problems(
    template: dict[str, Any],
    area_problems: Any,
    check_labels: Any,
    area_ids: set[str],
) -> dict[str, str]:
    """Problems of the template's ``variants`` (field -> message), for ``validate_template``.

    ``area_problems(where, area)`` and ``check_labels(labels, where, problems)`` are the
    template's own checks of a print area and of per-language labels.
    """
    listed = template.get("variants")
    if listed is None:
        return {}
    if not isinstance(listed, list):
        return {"variants": "must be a list"}
    if len(listed) > MAX_VARIANTS:
        return {"variants": f"at most {MAX_VARIANTS} variants"}
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for i, variant in enumerate(listed):
        where = f"variants[{i}]"
        if not isinstance(variant, dict):
            problems[where] = "must be an object"
            continue
        vid = variant.get("id")
        if not isinstance(vid, str) or not VARIANT_ID.match(vid):
            problems[f"{where}.id"] = (
                "the variant's id as your shop names it (letters, digits, - _ . :, at most 64)"
            )
        elif vid in seen:
            problems[f"{where}.id"] = f"another variant is already {vid!r}"
        else:
            seen.add(vid)
        label = variant.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 80:
            problems[f"{where}.label"] = "give the variant a name of 1–80 characters"
        check_labels(variant.get("labels"), f"{where}.labels", problems)
        areas = variant.get("printAreas")
        if areas is None:
            continue
        if not isinstance(areas, list):
            problems[f"{where}.printAreas"] = "must be a list"
            continue
        ids = set()
        for j, area in enumerate(areas):
            problems.update(area_problems(f"{where}.printAreas[{j}]", area))
            if isinstance(area, dict):
                ids.add(area.get("id"))
        if ids != area_ids:
            problems[f"{where}.printAreas"] = (
                "a variant's print areas are the product's own, placed on its photo: "
                + ", ".join(sorted(area_ids))
            )
    return problems


def design_template(design: Any, product: Any) -> dict[str, Any]:
    """The template a design is drawn on: its product's, as the design's variant shows it
    (the product's own when the merchant has removed that variant since)."""
    return for_variant(product.template or {}, getattr(design, "variant_id", None), strict=False)
