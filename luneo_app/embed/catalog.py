"""The storefront's view of a product: what the widget needs to draw its form, and no more.

Merchant-only parts of a template (masks as images, internal notes, anything unknown) are left
out. A template without ``options`` still gets a usable form: one text field per print area
and, when the template offers materials, a material picker. Those synthesized options carry
``"synthetic": true`` so the widget does not send their ids to the designs API (which only
knows the template's own options).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app, url_for

from render import fonts as font_catalog
from render import webfonts

from ..ai import providers as ai_providers
from ..ai.service import artwork_offer
from ..designs import layout, variants
from ..files import derivatives
from ..models import Brand, Product

_AREA_KEYS = ("id", "x", "y", "width", "height", "rotation", "widthMm", "heightMm", "maxChars")
_OPTION_KEYS = (
    "id",
    "type",
    "label",
    "printArea",
    "maxChars",
    "fonts",
    "minSize",
    "maxSize",
    "default",
    "priceCents",
    "showWhen",
    "minDpi",
    "placeholder",
    "required",
    "help",
    "labels",
)
_VALUE_KEYS = ("value", "label", "labels", "priceCents", "color")
DEFAULT_MAX_CHARS = 20


@lru_cache(maxsize=64)
def font_version(path: Path) -> str:
    """A short content hash of a font file, so its URL can be cached forever."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _area(area: dict[str, Any]) -> dict[str, Any]:
    out = {k: area[k] for k in _AREA_KEYS if k in area}
    mask = area.get("mask")
    out["mask"] = mask if mask in ("rect", "ellipse", "rounded") else "rect"
    return out


def _option(option: dict[str, Any]) -> dict[str, Any]:
    out = {k: option[k] for k in _OPTION_KEYS if k in option}
    values = option.get("values")
    if isinstance(values, list):
        out["values"] = [
            {k: v[k] for k in _VALUE_KEYS if k in v} for v in values if isinstance(v, dict)
        ]
    return out


def _synthesized(template: dict[str, Any], areas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = [
        {
            "id": f"text-{area['id']}",
            "type": "text",
            "label": "",
            "printArea": area["id"],
            "maxChars": int(area.get("maxChars") or DEFAULT_MAX_CHARS),
            "synthetic": True,
        }
        for area in areas
    ]
    materials = template.get("materials")
    if isinstance(materials, list) and (len(materials) > 1 or materials != [None]):
        options.append(
            {
                "id": "material",
                "type": "material",
                "label": "",
                "values": [{"value": m} for m in materials],
                "synthetic": True,
            }
        )
    return options


def _with_artwork_maker(options: list[dict[str, Any]], offer: str | None) -> list[dict[str, Any]]:
    """Artwork options say who makes the artwork; the procedural pattern generator is free
    (never the AI price) and none is shown when the shop offers no artwork maker."""
    out = []
    for option in options:
        if option.get("type") != "ai":
            out.append(option)
        elif offer is not None:
            maker = {"provider": offer, "label": ai_providers.LABELS[offer]}
            extra = {"priceCents": 0} if offer == "procedural" else {}
            out.append({**option, **extra, "artwork": maker})
    return out


def _fonts(template: dict[str, Any], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    wanted: list[str] = list(template.get("fonts") or [])
    for option in options:
        wanted.extend(option.get("fonts") or [])
    known = font_catalog.catalog()
    if not wanted:
        wanted = [f.id for f in known if f.id not in font_catalog.FALLBACKS]
    by_id = {f.id: f for f in known}
    out = []
    for font_id in dict.fromkeys(wanted):
        info = by_id.get(font_id)
        if info is None:
            continue
        version = font_version(info.path)
        out.append(
            {
                "id": info.id,
                "name": info.name,
                "category": info.category,
                "url": url_for("widget.font", font_id=info.id, v=version, _external=False),
                # WOFF2 subsets by script: the browser fetches those the text needs
                "faces": [
                    {
                        "url": url_for(
                            "widget.font_subset",
                            font_id=info.id,
                            subset=subset,
                            v=version,
                            _external=False,
                        ),
                        "unicodeRange": unicode_range,
                    }
                    for subset, unicode_range in webfonts.built_faces(info.path)
                ],
            }
        )
    return out


def storefront_product(product: Product, brand: Brand) -> dict[str, Any]:
    """The widget's description of ``product``: photo, print areas, options, fonts, currency."""
    template = product.template or {}
    areas = [_area(a) for a in template.get("printAreas", []) if isinstance(a, dict)]
    declared = [o for o in template.get("options") or [] if isinstance(o, dict)]
    options = [_option(o) for o in declared] if declared else _synthesized(template, areas)
    placed = layout.slots(template)  # the merchant's slots, or the read-time layout
    for option in options:
        if option.get("id") in placed:
            option["slot"] = placed[option["id"]]
    options = _with_artwork_maker(options, artwork_offer(brand))
    materials = template.get("materials")
    storage = current_app.extensions["luneo.storage"]
    return {
        "productId": product.id,
        "externalId": product.external_id,
        "title": product.title,
        "imageUrl": storage.url(product.image_key) if product.image_key else None,
        # light WebP copies for the sketch: the widget takes the one that fits its canvas
        "imageSrcset": derivatives.srcset(product.image_key) if product.image_key else [],
        "background": (template.get("product") or {}).get("background", "#eeeeee"),
        "printAreas": areas,
        "options": options,
        "fonts": _fonts(template, options),
        "materials": materials if isinstance(materials, list) else None,
        "currency": brand.currency or "USD",
        "templateVersion": product.template_version,
        "has3d": bool(product.model_key),
        "variants": _variants(product, template, storage),
    }


def _variants(product: Product, template: dict[str, Any], storage: Any) -> list[dict[str, Any]]:
    """Each variant the merchant set up, as the widget switches to it: its photo (the
    product's when it has none) and its print areas (the product's when it has none)."""
    out = []
    for variant in variants.variants_of(template):
        shown = variants.for_variant(template, variant.get("id"), strict=False)
        key = (shown.get("product") or {}).get("photoKey") or product.image_key
        entry = {
            "id": variant.get("id"),
            "label": variant.get("label"),
            "imageUrl": storage.url(key) if key else None,
            "imageSrcset": derivatives.srcset(key) if key else [],
            "printAreas": [_area(a) for a in shown.get("printAreas", []) if isinstance(a, dict)],
        }
        if isinstance(variant.get("labels"), dict):
            entry["labels"] = variant["labels"]
        out.append(entry)
    return out
