"""Shopify's mandatory privacy webhooks: a customer's data export, a customer's erasure and
a shop's erasure. Every erasure writes an audit event that says what was erased.

A customer is matched by the references Luneo may have stored for them (``customer_ref``:
the Shopify customer id, its ``gid://`` form or the e-mail address) and through the orders
Shopify names in the request (their line items carry the designs).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import current_app
from sqlalchemy import delete, or_, select, update

from ..audit import record
from ..core.clock import utcnow
from ..core.ids import new_id
from ..extensions import db
from ..files.storage import StorageError, brand_prefix, check_key
from ..models import DataExport, Design, Order, OrderItem, RenderJob, Upload, WebhookEvent
from ..privacy import erase_brand
from .erasure import erase_derived_data, subject_digest
from .webhooks import WebhookDelivery, on_topic

log = logging.getLogger("luneo.shopify.compliance")


def customer_refs(customer: Any) -> list[str]:
    """Every ``customer_ref`` value that may name this Shopify customer."""
    if not isinstance(customer, dict):
        return []
    refs = []
    if customer.get("id") is not None:
        refs += [str(customer["id"]), f"gid://shopify/Customer/{customer['id']}"]
    if isinstance(customer.get("email"), str) and customer["email"].strip():
        refs.append(customer["email"].strip().lower())
    return refs


def _order_refs(ids: Any) -> list[str]:
    refs: list[str] = []
    for value in ids if isinstance(ids, list) else []:
        refs += [str(value), f"gid://shopify/Order/{value}"]
    return refs


class _CustomerData:
    """The rows of one brand that belong to one customer."""

    def __init__(self, brand_id: str, refs: list[str], order_refs: list[str]) -> None:
        self.brand_id = brand_id
        self.orders = db.session.scalars(
            select(Order).where(
                Order.brand_id == brand_id,
                or_(Order.external_id.in_(order_refs), Order.customer_ref.in_(refs)),
            )
        ).all()
        order_ids = [o.id for o in self.orders]
        self.items = db.session.scalars(
            select(OrderItem).where(
                OrderItem.brand_id == brand_id, OrderItem.order_id.in_(order_ids)
            )
        ).all()
        design_ids = [i.design_id for i in self.items if i.design_id]
        self.designs = db.session.scalars(
            select(Design).where(
                Design.brand_id == brand_id,
                or_(Design.customer_ref.in_(refs), Design.id.in_(design_ids)),
            )
        ).all()
        upload_ids = [
            layer["uploadId"]
            for d in self.designs
            for layer in (d.layers or [])
            if isinstance(layer, dict) and isinstance(layer.get("uploadId"), str)
        ]
        self.uploads = db.session.scalars(
            select(Upload).where(
                Upload.brand_id == brand_id,
                or_(Upload.customer_ref.in_(refs), Upload.id.in_(upload_ids)),
            )
        ).all()

    def files(self) -> set[str]:
        """Storage keys of the customer's designs, uploads and order files."""
        keys: set[str] = {u.key for u in self.uploads}
        for design in self.designs:
            keys.update(_keys_in([design.preview_key, design.glb_key, design.usdz_key]))
            keys.update(_keys_in(design.production_keys))
        keys.update(o.zip_key for o in self.orders if o.zip_key)
        keys.update(_keys_in([i.files for i in self.items]))
        prefix = brand_prefix(self.brand_id)
        return {k for k in keys if k.startswith(prefix)}


def _keys_in(value: Any) -> list[str]:
    """Every string found in a (nested) JSON value: candidate storage keys."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        # "print" holds a print area's facts (profile, preflight messages), never keys
        value = [v for k, v in value.items() if k != "print"]
    if isinstance(value, list):
        return [key for item in value for key in _keys_in(item)]
    return []


@on_topic("customers/data_request")
def customer_data_requested(delivery: WebhookDelivery) -> str | None:
    """Assemble the customer's designs, uploads and orders into an export file for the
    merchant, and record the export."""
    payload = delivery.payload
    customer = payload.get("customer") or {}
    request_ref = str((payload.get("data_request") or {}).get("id") or delivery.webhook_id)
    if delivery.brand is None:
        _audit_unknown_shop("compliance.customer_data_exported", delivery)
        return "unknown shop: no data held"
    brand_id = delivery.brand.id
    existing = db.session.scalar(
        select(DataExport.id).where(
            DataExport.brand_id == brand_id, DataExport.request_ref == request_ref
        )
    )
    if existing:
        return f"already exported as {existing}"
    data = _CustomerData(
        brand_id, customer_refs(customer), _order_refs(payload.get("orders_requested"))
    )
    export_id = new_id("exp")
    key = f"{brand_prefix(brand_id)}exports/{export_id}.json"
    document = {
        "shop": delivery.shop_domain,
        "customer": {"id": customer.get("id")},
        "request": request_ref,
        "generatedAt": utcnow().isoformat(),
        "designs": [_design_export(d) for d in data.designs],
        "uploads": [
            {"id": u.id, "file": u.key, "createdAt": _iso(u.created_at)} for u in data.uploads
        ],
        "orders": [_order_export(o, data.items) for o in data.orders],
    }
    current_app.extensions["luneo.storage"].put(
        key, json.dumps(document, indent=2).encode(), "application/json"
    )
    summary = {
        "designs": len(data.designs),
        "uploads": len(data.uploads),
        "orders": len(data.orders),
    }
    db.session.add(
        DataExport(
            id=export_id,
            brand_id=brand_id,
            kind="customer_data",
            subject_ref=str(customer.get("id") or "")[:128],
            request_ref=request_ref[:128],
            file_key=key,
            summary=summary,
        )
    )
    record(
        "compliance.customer_data_exported",
        actor="shopify:webhook",
        brand_id=brand_id,
        target_type="customer",
        target_id=str(customer.get("id") or ""),
        details={"export": export_id, "request": request_ref, **summary},
    )
    db.session.commit()
    return f"exported as {export_id}"


@on_topic("customers/redact")
def customer_redacted(delivery: WebhookDelivery) -> str | None:
    """Erase the customer's designs, uploads and files; strip them from their orders."""
    payload = delivery.payload
    customer = payload.get("customer") or {}
    if delivery.brand is None:
        _audit_unknown_shop("compliance.customer_redacted", delivery)
        return "unknown shop: no data held"
    brand_id = delivery.brand.id
    refs = customer_refs(customer)
    data = _CustomerData(brand_id, refs, _order_refs(payload.get("orders_to_redact")))
    exports = db.session.scalars(
        select(DataExport).where(
            DataExport.brand_id == brand_id,
            DataExport.subject_ref == str(customer.get("id") or ""),
        )
    ).all()
    files = data.files() | {e.file_key for e in exports}
    storage = current_app.extensions["luneo.storage"]
    removed_files = 0
    for key in sorted(files):
        removed_files += _delete_file(storage, key)
    for design in data.designs:
        removed_files += storage.delete_prefix(f"{brand_prefix(brand_id)}designs/{design.id}/")
    design_ids = [d.id for d in data.designs]
    upload_ids = [u.id for u in data.uploads]
    order_ids = [o.id for o in data.orders]
    db.session.execute(
        update(OrderItem)
        .where(OrderItem.brand_id == brand_id, OrderItem.order_id.in_(order_ids))
        .values(files={})
    )
    db.session.execute(
        update(OrderItem)
        .where(OrderItem.brand_id == brand_id, OrderItem.design_id.in_(design_ids))
        .values(design_id=None, files={})
    )
    db.session.execute(
        update(Order)
        .where(Order.brand_id == brand_id, Order.id.in_(order_ids))
        .values(customer_ref=None, shipping=None, zip_key=None)
    )
    derived = erase_derived_data(brand_id, list(data.designs), order_ids, refs)
    db.session.execute(delete(RenderJob).where(RenderJob.design_id.in_(design_ids)))
    db.session.execute(delete(Design).where(Design.id.in_(design_ids)))
    db.session.execute(delete(Upload).where(Upload.id.in_(upload_ids)))
    db.session.execute(delete(DataExport).where(DataExport.id.in_([e.id for e in exports])))
    summary = {
        "designs": len(design_ids),
        "uploads": len(upload_ids),
        "exports": len(exports),
        "files": removed_files,
        "ordersAnonymized": len(order_ids),
        **{k: v for k, v in derived.items() if v},
    }
    record(
        "compliance.customer_redacted",
        actor="shopify:webhook",
        brand_id=brand_id,
        target_type="customer",
        target_id=subject_digest(str(customer.get("id") or "")),
        details=summary,
    )
    db.session.commit()
    return "erased: " + ", ".join(f"{v} {k}" for k, v in summary.items())


@on_topic("shop/redact")
def shop_redacted(delivery: WebhookDelivery) -> str | None:
    """Erase everything Luneo holds for the shop: every row with its ``brand_id``, the brand,
    its storage folder and its other webhook records. The audit event outlives the shop."""
    install = delivery.install
    if install is None:
        _audit_unknown_shop("compliance.shop_redacted", delivery)
        return "unknown shop: no data held"
    if install.uninstalled_at is None:
        # Shopify sends shop/redact 48 hours after an uninstall; an installed shop (never
        # uninstalled, or installed again since) is never erased.
        log.warning(
            "shop/redact for an installed shop skipped", extra={"shop": install.shop_domain}
        )
        return "skipped: the shop is installed"
    brand_id = install.brand_id
    db.session.execute(
        update(WebhookEvent).where(WebhookEvent.id == delivery.event_id).values(brand_id=None)
    )
    rows, files = erase_brand(
        brand_id, keep={"webhook_events": WebhookEvent.id != delivery.event_id}
    )
    rows["webhook_events"] = (
        rows.get("webhook_events", 0)
        + db.session.execute(
            delete(WebhookEvent).where(
                WebhookEvent.shop_domain == delivery.shop_domain,
                WebhookEvent.id != delivery.event_id,
            )
        ).rowcount
    )
    record(
        "compliance.shop_redacted",
        actor="shopify:webhook",
        brand_id=None,
        target_type="shop",
        target_id=delivery.shop_domain,
        details={"brand": brand_id, "rows": {k: v for k, v in rows.items() if v}, "files": files},
    )
    db.session.commit()
    return f"erased the shop: {sum(rows.values())} rows, {files} files"


def _delete_file(storage: Any, key: str) -> int:
    try:
        check_key(key)
        existed = storage.exists(key)
        storage.delete(key)
    except StorageError:
        return 0
    return int(existed)


def _audit_unknown_shop(action: str, delivery: WebhookDelivery) -> None:
    record(
        action,
        actor="shopify:webhook",
        target_type="shop",
        target_id=delivery.shop_domain,
        details={"note": "Luneo holds no data for this shop"},
    )
    db.session.commit()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _design_export(design: Design) -> dict[str, Any]:
    return {
        "id": design.id,
        "productId": design.product_id,
        "createdAt": _iso(design.created_at),
        "status": design.status,
        "prompt": design.prompt,
        "options": design.options,
        "layers": design.layers,
        "files": sorted(
            _keys_in([design.preview_key, design.glb_key, design.usdz_key, design.production_keys])
        ),
    }


def _order_export(order: Order, items: Any) -> dict[str, Any]:
    return {
        "id": order.id,
        "name": order.name,
        "externalId": order.external_id,
        "status": order.status,
        "createdAt": _iso(order.created_at),
        "shipping": order.shipping,
        "items": [
            {
                "lineItemId": i.line_item_id,
                "title": i.title,
                "quantity": i.quantity,
                "designId": i.design_id,
            }
            for i in items
            if i.order_id == order.id
        ],
    }
