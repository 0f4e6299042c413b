"""Short-lived shared state kept in the database when there is no Redis (``kv_entries``)."""

from __future__ import annotations

from sqlalchemy import Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class KvEntry(db.Model):
    """One key of the database-backed key-value store (:mod:`luneo_app.core.kv_database`).

    ``expires_at`` is Unix time in seconds: a row past it reads as absent and is swept.
    """

    __tablename__ = "kv_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
