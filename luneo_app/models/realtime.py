"""The realtime event log of the embedded default (no Redis): one row per event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..extensions import db
from .base import ID, json_column

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
_ROW_ID = BigInteger().with_variant(Integer(), "sqlite")


class RealtimeNotice(db.Model):
    """One event for the status streams (design status, order ready), in publication order.

    Web processes read new rows once per poll (one query per process, not per stream) and
    resume streams from a row id (``Last-Event-ID``). Old rows are pruned as new ones come.
    """

    __tablename__ = "realtime_notices"
    __table_args__ = (Index("ix_realtime_notices_brand_id_id", "brand_id", "id"),)

    id: Mapped[int] = mapped_column(_ROW_ID, primary_key=True, autoincrement=True)
    brand_id: Mapped[str] = mapped_column(ID)
    design_id: Mapped[str | None] = mapped_column(ID, nullable=True)
    type: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = json_column({})
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
