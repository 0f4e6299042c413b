"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..core.clock import utcnow
from ..core.ids import new_id

ID = String(40)


def id_column(prefix: str) -> Mapped[str]:
    """A primary key filled with a new prefixed id (``des_...``)."""
    return mapped_column(ID, primary_key=True, default=lambda: new_id(prefix))


def json_column(default: Any = None, nullable: bool = False) -> Mapped[Any]:
    """A JSON column (JSON on SQLite, JSON on PostgreSQL) with a fresh default per row."""
    factory = (lambda: type(default)()) if isinstance(default, (dict, list)) else None
    return mapped_column(JSON, nullable=nullable, default=factory or default)


class Timestamps:
    """``created_at`` / ``updated_at``, aware UTC."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class BrandOwned:
    """Every tenant-owned row carries ``brand_id``; every query filters on it."""

    @declared_attr
    def brand_id(cls) -> Mapped[str]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return mapped_column(ID, ForeignKey("brands.id", ondelete="CASCADE"), index=True)
