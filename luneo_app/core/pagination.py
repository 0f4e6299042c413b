"""Opaque cursor pagination for the ``GET /v1/...`` lists, newest first.

A cursor names the last row of a page by ``(created_at, id)``; the next page is every row
strictly older in that order, so rows created meanwhile never shift or repeat a page. The
cursor is signed (itsdangerous) with a salt per resource: a client cannot forge or edit one,
and a designs cursor is refused by the orders list. Bad cursors and filters are 422s in the
uniform error body.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, and_, or_

from .clock import as_utc
from .errors import ValidationFailed
from .secret_keys import itsdangerous_keys

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    """One page of rows and the cursor of the next page (None on the last page)."""

    rows: list[Any]
    next_cursor: str | None


def _serializer(resource: str) -> URLSafeSerializer:
    return URLSafeSerializer(itsdangerous_keys(), salt=f"luneo.cursor.{resource}")


def encode_cursor(resource: str, created_at: datetime, row_id: str) -> str:
    """The opaque cursor that continues after the row ``(created_at, row_id)``."""
    return _serializer(resource).dumps([as_utc(created_at).isoformat(), row_id])


def decode_cursor(resource: str, cursor: str) -> tuple[datetime, str]:
    """The ``(created_at, id)`` a cursor names; 422 ``invalid_cursor`` when it is not ours."""
    try:
        created, row_id = _serializer(resource).loads(cursor)
        return as_utc(datetime.fromisoformat(created)), str(row_id)
    except (BadSignature, ValueError, TypeError) as exc:
        raise ValidationFailed(
            "This cursor is not valid here; use the nextCursor of a previous page of this list.",
            code="invalid_cursor",
            details={"cursor": "not a cursor of this list"},
        ) from exc


def check_created_range(after: datetime | None, before: datetime | None) -> None:
    """Refuse an empty created range (after not before ``before``)."""
    if after is not None and before is not None and as_utc(after) >= as_utc(before):
        raise ValidationFailed(
            "createdAfter must be earlier than createdBefore.",
            code="invalid_filter",
            details={"createdAfter": "must be earlier than createdBefore"},
        )


def paginate(
    statement: Select, model: Any, resource: str, args: dict[str, Any], session: Any
) -> Page:
    """Apply the created range, the cursor and the limit to ``statement`` (newest first).

    ``args`` holds the validated query: ``limit``, ``cursor``, ``createdAfter``,
    ``createdBefore``. The caller applies its own filters (brand, status, product) first.
    """
    after, before = args.get("createdAfter"), args.get("createdBefore")
    check_created_range(after, before)
    if after is not None:
        statement = statement.where(model.created_at >= as_utc(after))
    if before is not None:
        statement = statement.where(model.created_at < as_utc(before))
    if args.get("cursor"):
        created, row_id = decode_cursor(resource, args["cursor"])
        statement = statement.where(
            or_(
                model.created_at < created,
                and_(model.created_at == created, model.id < row_id),
            )
        )
    limit = int(args.get("limit") or DEFAULT_LIMIT)
    statement = statement.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = list(session.scalars(statement).all())
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    return Page(rows, encode_cursor(resource, last.created_at, last.id) if last else None)
