"""An order's production files: stable names, the order folder, the zip, signed links.

Every line's files are copied from its design's production set into the order's folder
under a stable name, ``{orderName}-{lineNumber}-{designId}.png`` (and ``.pdf``; a design with
several print areas adds ``-{area}``; a 3D model adds ``.glb``), so the workshop can sort and
find them. The order folder is what the retention policy removes.

Links written onto store orders (:func:`production_link`) do not expire: they are signed for
one order and one file name and serve the file for as long as it is kept. The route turns
them into a short-lived storage URL.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import quote

from flask import current_app

import render

from ..core.secret_keys import derived_keys, matches_any
from ..designs.choices import design_choices
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Design, Order, OrderItem, Product

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so the same files always make the same zip
# file kinds of a production set -> (file name suffix, media type); print profiles add
# PDF/X-4, SVG, DXF and vector PDF (render.output.MEDIA_TYPES)
_KINDS = {**render.output.MEDIA_TYPES, "glb": ("glb", "model/gltf-binary")}
# what the manifest says about an area's files besides their names (``print``: profile,
# colour space, ICC, sizes in mm, bleed, preflight; see designs.tasks.production_entry)
_FACTS = ("widthPx", "heightPx", "dpi", "print")


def safe_order_name(order: Order) -> str:
    """The order's name as a file name part: ``#1001`` -> ``1001``."""
    name = _UNSAFE.sub("-", (order.name or "").strip()).strip("-._")[:64]
    return name or order.id


def order_folder(order: Order) -> str:
    """The storage folder of an order's production files."""
    return f"{brand_prefix(order.brand_id)}orders/{order.id}/"


def production_set(design: Design) -> dict[str, dict[str, Any]]:
    """The design's print files by print area, plus ``model`` for a GLB when there is one.

    Accepts the designs feature's ``production_keys`` (``{area: {png, pdf, ...}}``), a GLB
    entry in it (``{"glb": key}`` or ``{"model": {"glb": key}}``) and ``design.glb_key``.
    """
    areas: dict[str, dict[str, Any]] = {}
    model: str | None = None
    for name, value in (design.production_keys or {}).items():
        if isinstance(value, dict) and (value.get("png") or value.get("pdf")):
            areas[str(name)] = value
        elif isinstance(value, dict) and isinstance(value.get("glb"), str):
            model = value["glb"]
        elif name == "glb" and isinstance(value, str):
            model = value
    model = model or design.glb_key
    if model:
        areas["model"] = {"glb": model}
    return areas


def stable_names(order: Order, item: OrderItem, design: Design) -> dict[str, dict[str, str]]:
    """``{area: {kind: file name}}`` for a line's files (``model`` holds the GLB)."""
    stem = f"{safe_order_name(order)}-{item.line_number}-{design.id}"
    files = production_set(design)
    print_areas = [a for a in files if a != "model"]
    names: dict[str, dict[str, str]] = {}
    for area, entry in files.items():
        suffix = "" if area == "model" or len(print_areas) == 1 else f"-{_UNSAFE.sub('-', area)}"
        names[area] = {
            kind: f"{stem}{suffix}.{ext}" for kind, (ext, _) in _KINDS.items() if entry.get(kind)
        }
    return names


def copy_line_files(order: Order, item: OrderItem, design: Design) -> dict[str, Any]:
    """Copy a line's production files into the order folder; returns the item's ``files``.

    The result has the shape of ``design.production_keys`` (``{area: {png, pdf, widthPx,
    heightPx, dpi}}``) with keys in the order folder. Copying again overwrites identical
    bytes, so a retried job is harmless.
    """
    storage = current_app.extensions["luneo.storage"]
    folder = order_folder(order)
    sources = production_set(design)
    out: dict[str, Any] = {}
    for area, names in stable_names(order, item, design).items():
        entry = {k: v for k, v in sources[area].items() if k in _FACTS}
        for kind, name in names.items():
            key = folder + name
            if kind == "dxf" and "photo" in names:
                # the DXF's IMAGE names the photo file beside it: follow its new name
                data = render.engrave.relink_dxf(storage.get(sources[area][kind]), names["photo"])
                storage.put(key, data, _KINDS[kind][1])
            elif not storage.exists(key):
                storage.copy(sources[area][kind], key)
            entry[kind] = key
        out[area] = entry
    return out


def file_entries(item: OrderItem) -> list[dict[str, Any]]:
    """A line's files as a flat list: name, kind, print area, key and pixel facts."""
    out = []
    for area, entry in sorted((item.files or {}).items()):
        if not isinstance(entry, dict):
            continue
        for kind in _KINDS:
            key = entry.get(kind)
            if isinstance(key, str):
                out.append(
                    {
                        "name": key.rsplit("/", 1)[-1],
                        "kind": kind,
                        "printArea": None if area == "model" else area,
                        "key": key,
                        "widthPx": entry.get("widthPx") if kind != "glb" else None,
                        "heightPx": entry.get("heightPx") if kind != "glb" else None,
                        "dpi": entry.get("dpi") if kind != "glb" else None,
                    }
                )
    return out


def build_zip(order: Order, items: list[OrderItem]) -> str:
    """Write the order's zip (every line's files and a ``manifest.json``); returns its key."""
    storage = current_app.extensions["luneo.storage"]
    manifest: dict[str, Any] = {"orderId": order.id, "orderName": order.name, "lines": []}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in sorted(items, key=lambda i: i.line_number):
            entries = file_entries(item)
            manifest["lines"].append(
                {
                    "lineNumber": item.line_number,
                    "lineItemId": item.line_item_id,
                    "designId": item.design_id,
                    "title": item.title,
                    "quantity": item.quantity,
                    "files": [e["name"] for e in entries],
                    "options": _design_options(item),
                    # labelled: options, text, font, finish and how it is made (engrave:
                    # black laser mask; foil / print: coloured), colours, photo crop
                    "chosen": _design_choices(item),
                    # per print area: the profile, colour space, ICC, sizes, bleed, preflight
                    "printAreas": {
                        area: {k: v for k, v in entry.items() if k in _FACTS}
                        for area, entry in sorted((item.files or {}).items())
                        if isinstance(entry, dict) and area != "model"
                    },
                }
            )
            for entry in entries:
                info = zipfile.ZipInfo(entry["name"], date_time=_ZIP_TIME)
                # PNGs are compressed already; storing them keeps packaging fast.
                info.compress_type = (
                    zipfile.ZIP_STORED if entry["kind"] == "png" else zipfile.ZIP_DEFLATED
                )
                archive.writestr(info, storage.get(entry["key"]))
        info = zipfile.ZipInfo("manifest.json", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, json.dumps(manifest, indent=2, sort_keys=True))
    key = f"{order_folder(order)}{safe_order_name(order)}.zip"
    storage.put(key, buffer.getvalue(), "application/zip")
    return key


def _design_choices(item: OrderItem) -> dict[str, Any] | None:
    """What the shopper chose, labelled (``designs.choices``), for the print shop."""
    design = db.session.get(Design, item.design_id) if item.design_id else None
    if design is None:
        return None
    product = db.session.get(Product, design.product_id)
    return design_choices(design, product)


def _design_options(item: OrderItem) -> dict[str, Any]:
    """The options the shopper chose for the line's design (for the print shop)."""
    design = db.session.get(Design, item.design_id) if item.design_id else None
    return dict(design.options or {}) if design is not None else {}


# --- stable signed links ------------------------------------------------------------------
def _derive_link_key(secret: bytes) -> bytes:
    return hashlib.sha256(b"luneo-production-links:" + secret).digest()


def _link_key() -> bytes:
    return _derive_link_key(current_app.config["SECRET_KEY"].encode())


def link_signature(order_id: str, name: str) -> str:
    """The signature of one file of one order (no expiry: valid while the file is kept)."""
    message = f"{order_id}/{name}".encode()
    return hmac.new(_link_key(), message, hashlib.sha256).hexdigest()


def link_is_valid(order_id: str, name: str, signature: str | None) -> bool:
    """Constant-time check of a production link's signature."""
    if not signature or len(signature) != 64:
        return False
    # Links written before a SECRET_KEY rotation verify with the fallbacks.
    return matches_any(derived_keys(_derive_link_key), f"{order_id}/{name}".encode(), signature)


def production_link(order: Order, key: str) -> str:
    """A lasting download link for one of the order's files (written onto store orders)."""
    name = key.rsplit("/", 1)[-1]
    base = current_app.config["APP_URL"]
    signature = link_signature(order.id, name)
    return f"{base}/production/{order.id}/{quote(name)}?sig={signature}"
