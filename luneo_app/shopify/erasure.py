"""What a customer's erasure must reach beyond their designs, uploads and orders.

``customers/redact`` (see :mod:`.compliance`) calls :func:`erase_derived_data` with the
designs and orders being erased. It reaches the data other features derived from them:

* the AI artwork made from the customer's prompts (cache rows and PNGs). Another
  customer's design that reused that artwork keeps its own copy of the file;
* usage records: anonymised, never deleted (billing needs amount, time and id);
* outbound webhook bodies naming the designs or orders: their body is replaced by a stub,
  and a delivery still waiting for a retry is cancelled;
* audit events naming the customer: their id is replaced by a one-way digest.

None of these helpers commit: the erasure is one transaction (the caller commits).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from ..ai.layers import is_ai
from ..extensions import db
from ..files.storage import brand_prefix
from ..models import AiArtwork, AuditEvent, Design, OutboundDelivery, UsageRecord


def subject_digest(value: str) -> str:
    """A one-way stand-in for a customer reference in records that outlive the erasure."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()[:24]


def erase_derived_data(
    brand_id: str, designs: list[Design], order_ids: list[str], refs: list[str]
) -> dict[str, int]:
    """Erase or anonymise what was derived from these designs and orders; returns counts."""
    design_ids = [d.id for d in designs]
    removed_files, artworks = _erase_artwork(brand_id, designs)
    return {
        "artworks": artworks,
        "artworkFiles": removed_files,
        "usageAnonymized": _anonymise_usage(brand_id, design_ids),
        "deliveriesRedacted": _redact_deliveries(brand_id, [*design_ids, *order_ids]),
        "auditAnonymized": _anonymise_audit(brand_id, refs),
    }


def _artwork_keys(design: Design) -> set[str]:
    return {
        layer["artworkKey"]
        for layer in design.layers or []
        if isinstance(layer, dict) and is_ai(layer) and isinstance(layer.get("artworkKey"), str)
    }


def _erase_artwork(brand_id: str, designs: list[Design]) -> tuple[int, int]:
    """Delete the artwork made from the erased designs' prompts: the cache rows (so the
    prompt's art is never served again) and the files, after giving every other design
    that shows one of those files its own copy."""
    erased_ids = {d.id for d in designs}
    hashes = {d.prompt_hash for d in designs if d.prompt_hash}
    keys = set().union(*(_artwork_keys(d) for d in designs)) if designs else set()
    rows = (
        db.session.scalars(
            select(AiArtwork).where(
                AiArtwork.brand_id == brand_id,
                or_(AiArtwork.prompt_hash.in_(hashes), AiArtwork.key.in_(keys)),
            )
        ).all()
        if hashes or keys
        else []
    )
    keys |= {row.key for row in rows}
    storage = current_app.extensions["luneo.storage"]
    if keys:
        _give_copies(brand_id, keys, erased_ids, storage)
    removed = 0
    for key in sorted(keys):
        if key.startswith(brand_prefix(brand_id)) and storage.exists(key):
            storage.delete(key)
            removed += 1
    for row in rows:
        db.session.delete(row)
    return removed, len(rows)


def _give_copies(brand_id: str, keys: set[str], erased: set[str], storage: Any) -> None:
    """Designs of other customers that show an artwork being erased keep the pixels they
    were previewed with: the file is copied into the design's own folder."""
    others = db.session.scalars(
        select(Design).where(Design.brand_id == brand_id, Design.id.not_in(erased or {""}))
    ).all()
    for design in others:
        layers = [
            dict(layer) if isinstance(layer, dict) else layer for layer in design.layers or []
        ]
        changed = False
        for index, layer in enumerate(layers):
            key = layer.get("artworkKey") if isinstance(layer, dict) else None
            if key in keys and storage.exists(key):
                copy = f"{brand_prefix(brand_id)}designs/{design.id}/artwork-{index}.png"
                storage.put(copy, storage.get(key), "image/png")
                layer["artworkKey"] = copy
                changed = True
        if changed:
            design.layers = layers


def _anonymise_usage(brand_id: str, design_ids: Iterable[str]) -> int:
    """Usage of the erased designs keeps amount, time and id; loses the design and prompt."""
    records = db.session.scalars(
        select(UsageRecord).where(
            UsageRecord.brand_id == brand_id, UsageRecord.design_id.in_(list(design_ids))
        )
    ).all()
    for record in records:
        details = record.details or {}
        record.design_id = None
        record.details = {
            "model": details.get("model"),
            "fallback": details.get("fallback"),
            "anonymized": True,
        }
    return len(records)


def _redact_deliveries(brand_id: str, names: list[str]) -> int:
    """Outbound bodies naming an erased design or order: stubbed; pending ones cancelled."""
    if not names:
        return 0
    mentioned = or_(*(OutboundDelivery.body.contains(name) for name in names))
    deliveries = db.session.scalars(
        select(OutboundDelivery).where(OutboundDelivery.brand_id == brand_id, mentioned)
    ).all()
    for delivery in deliveries:
        delivery.body = json.dumps(
            {"id": delivery.event_id, "type": delivery.event_type, "redacted": True}
        )
        if delivery.status in ("pending", "retrying", "sending"):
            delivery.status = "cancelled"
            delivery.last_error = "the customer's data was erased"
    return len(deliveries)


def _anonymise_audit(brand_id: str, refs: list[str]) -> int:
    """Audit events keep what happened, not whom it concerned."""
    if not refs:
        return 0
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.brand_id == brand_id, AuditEvent.target_id.in_(refs))
    ).all()
    for event in events:
        event.target_id = subject_digest(event.target_id or "")
    return len(events)
