"""Erasing a whole brand: the one code path behind Shopify's ``shop/redact`` and an API
brand's ``DELETE /v1/brands/{id}/data``."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import delete

from ..extensions import db
from ..files.storage import brand_prefix
from ..models import Brand


def erase_brand(brand_id: str, keep: Any = None) -> tuple[dict[str, int], int]:
    """Delete every row carrying ``brand_id`` (children first), the brand itself and its
    storage folder; ``keep`` is an extra ``WHERE`` clause per table name (``{name: clause}``)
    for rows that must survive (the webhook that asked). Returns ``(rows per table, files)``.
    The caller records the audit event and commits."""
    keep = keep or {}
    rows: dict[str, int] = {}
    for table in reversed(db.metadata.sorted_tables):
        if "brand_id" not in table.c or table.name == "brands":
            continue
        statement = delete(table).where(table.c.brand_id == brand_id)
        if table.name in keep:
            statement = statement.where(keep[table.name])
        rows[table.name] = db.session.execute(statement).rowcount
    rows["brands"] = db.session.execute(delete(Brand).where(Brand.id == brand_id)).rowcount
    files = current_app.extensions["luneo.storage"].delete_prefix(brand_prefix(brand_id))
    return rows, files
